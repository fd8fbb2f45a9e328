"""The competency tags of a module as the advisory board sees, confirms and corrects them.

A tag is one entry of ``Module.competencies``:
``{id, level_from, level_to, source, confidence, confirmed}``. Provenance
(``source``, ``confidence``) is never overwritten by a confirmation: the
board's word is the separate ``confirmed`` flag, so the queue keeps showing
which tags the platform inferred and how sure it was even after approval. A
tag the board adds or whose levels it changes is the board's own (``source``
"board", ``confidence`` 1); a tag it sends back unchanged keeps its origin and
counts as confirmed.

Tags change without a new module version: the version follows the content
as the provider submitted it (``modules.submitted_hash``), so a corrected tag
survives an unchanged re-submission. Every change writes one ``TagChange``
row with the complete lists before and after. The functions that carry out
one board action commit; ``apply_tags`` and ``confirm_all`` are building
blocks that only add to the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from campus.catalogue.framework import RECOMMENDABLE, competencies
from campus.catalogue.models import Module, TagChange
from campus.catalogue.template import MAX_COMPETENCIES
from campus.store.clock import utcnow
from campus.store.errors import problem
from campus.store.ids import stored_id

NO_FITTING_COMPETENCY = "no_fitting_competency"  # the flag ingest sets on a module nothing fitted
EDITABLE = ("submitted", "approved", "rejected")  # a withdrawn module is the provider's to revise
LEVELS = range(0, 5)
BOARD = "board"
INFERRED = "inferred"


@dataclass(frozen=True)
class TagLevels:
    """A tag as the board sets it: which competency, from which level to which."""

    id: str
    level_from: int
    level_to: int


@dataclass
class TagEdit:
    module: Module
    change: TagChange | None  # None: the tags were already like that (nothing written)

    @property
    def replan(self) -> bool:
        """An approved module's tags changed: plans must follow (its recommendations depend on them)."""
        return self.change is not None and self.module.status == RECOMMENDABLE


def normalised(tag: dict[str, Any]) -> dict[str, Any]:
    """A stored tag with every key; rows from before provenance existed came from the provider."""
    return {"id": str(tag["id"]), "level_from": int(tag["level_from"]), "level_to": int(tag["level_to"]),
            "source": str(tag.get("source") or "provider"), "confidence": float(tag.get("confidence", 1.0)),
            "confirmed": bool(tag.get("confirmed", False))}


def tags_of(module: Module) -> list[dict[str, Any]]:
    return [normalised(tag) for tag in module.competencies]


def is_open_inference(tag: dict[str, Any]) -> bool:
    """The platform's guess the board has not confirmed yet: the only kind a re-tag may replace."""
    current = normalised(tag)
    return current["source"] == INFERRED and not current["confirmed"]


def tag_views(module: Module, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The tags as the board reads them: each with the competency's label."""
    return [{**tag, "label": labels.get(tag["id"], tag["id"])} for tag in tags_of(module)]


def refreshed_flags(flags: Iterable[str], tags: Sequence[dict[str, Any]]) -> list[str]:
    """``no_fitting_competency`` is there exactly while the module has no tag; other flags stay."""
    kept = [flag for flag in flags if flag != NO_FITTING_COMPETENCY]
    return kept if tags else [*kept, NO_FITTING_COMPETENCY]


def apply_tags(session: Session, module: Module, tags: Sequence[dict[str, Any]], action: str,
               reviewer_key_id: int | None, competency_id: str | None = None, note: str = "") -> TagChange | None:
    """Set the module's tags and flags and audit the change, in the caller's transaction.

    An approved module's ``updated_at`` moves on, so every process's search
    index sees the change (the catalogue signature); a waiting module keeps
    its place in the review queue.
    """
    before = tags_of(module)
    after = [normalised(tag) for tag in tags]
    flags = refreshed_flags(module.flags, after)
    if before == after and flags == list(module.flags):
        return None
    module.competencies = after  # a new list: JSON columns do not see changes made in place
    module.flags = flags
    if module.status == RECOMMENDABLE:
        module.updated_at = utcnow()
    session.add(module)
    change = TagChange(module_id=stored_id(module.id), module_version=module.version, action=action,
                       competency_id=competency_id, before=before, after=after, note=note.strip(),
                       reviewer_key_id=reviewer_key_id)
    session.add(change)
    return change


def confirm_all(session: Session, module: Module, reviewer_key_id: int | None) -> TagChange | None:
    """Approval confirms every tag of the current version (building block of ``review.decide``)."""
    return apply_tags(session, module, [{**tag, "confirmed": True} for tag in tags_of(module)], "approve",
                      reviewer_key_id)


def editable_module(session: Session, module_id: int) -> Module:
    module = session.get(Module, module_id)
    if module is None:
        raise problem("module_not_found", "module_id", 404, id=module_id)
    if module.status not in EDITABLE:
        raise problem("board_tags_not_editable", "module_id", 409, id=module_id, status=module.status)
    return module


def check_tags(session: Session, tags: Sequence[TagLevels]) -> None:
    """Known competencies, each once, levels rising within 0–4, at most ``MAX_COMPETENCIES``."""
    if len(tags) > MAX_COMPETENCIES:
        raise problem("board_too_many_tags", "competencies", max=MAX_COMPETENCIES)
    known = set(competencies(session))
    unknown = sorted({tag.id for tag in tags if tag.id not in known})
    if unknown:
        raise problem("unknown_competencies", "competencies", ids=", ".join(unknown))
    ids = [tag.id for tag in tags]
    duplicates = sorted({cid for cid in ids if ids.count(cid) > 1})
    if duplicates:
        raise problem("duplicate_competencies", "competencies", ids=", ".join(duplicates))
    for position, tag in enumerate(tags):
        if tag.level_from not in LEVELS or tag.level_to not in LEVELS or tag.level_to <= tag.level_from:
            raise problem("board_tag_levels_invalid", f"competencies.{position}.level_to", id=tag.id,
                          level_from=tag.level_from, level_to=tag.level_to)


def _board_tag(tag: TagLevels, previous: dict[str, dict[str, Any]]) -> dict[str, Any]:
    old = previous.get(tag.id)
    if old is not None and (old["level_from"], old["level_to"]) == (tag.level_from, tag.level_to):
        return {**old, "confirmed": True}  # sent back unchanged: confirmed, its origin stays visible
    return {"id": tag.id, "level_from": tag.level_from, "level_to": tag.level_to, "source": BOARD,
            "confidence": 1.0, "confirmed": True}


def replace_tags(session: Session, module_id: int, tags: Sequence[TagLevels], reviewer_key_id: int | None,
                 note: str = "") -> TagEdit:
    """The board sets the module's complete list of tags; committed here.

    An empty list says that no competency of the framework fits (the module
    is flagged again); an approved module must keep at least one tag, since
    it could no longer be planned for anyone.
    """
    module = editable_module(session, module_id)
    check_tags(session, tags)
    if not tags and module.status == RECOMMENDABLE:
        raise problem("board_approved_needs_tag", "competencies", 409, id=module_id)
    previous = {tag["id"]: tag for tag in tags_of(module)}
    change = apply_tags(session, module, [_board_tag(tag, previous) for tag in tags], "replace", reviewer_key_id,
                        note=note)
    session.commit()
    return TagEdit(module, change)


def _find(module: Module, competency_id: str) -> list[dict[str, Any]]:
    tags = tags_of(module)
    if all(tag["id"] != competency_id for tag in tags):
        raise problem("board_tag_not_found", "competency_id", 404, id=competency_id, module_id=module.id)
    return tags


def confirm_tag(session: Session, module_id: int, competency_id: str, reviewer_key_id: int | None) -> TagEdit:
    """The board agrees with one tag as it is (levels, provenance and confidence unchanged); committed here."""
    module = editable_module(session, module_id)
    tags = _find(module, competency_id)
    confirmed = [{**tag, "confirmed": True} if tag["id"] == competency_id else tag for tag in tags]
    change = apply_tags(session, module, confirmed, "confirm", reviewer_key_id, competency_id)
    session.commit()
    return TagEdit(module, change)


def remove_tag(session: Session, module_id: int, competency_id: str, reviewer_key_id: int | None) -> TagEdit:
    """The board takes one tag off the module (never the last one of an approved module); committed here."""
    module = editable_module(session, module_id)
    remaining = [tag for tag in _find(module, competency_id) if tag["id"] != competency_id]
    if not remaining and module.status == RECOMMENDABLE:
        raise problem("board_approved_needs_tag", "competency_id", 409, id=module_id)
    change = apply_tags(session, module, remaining, "remove", reviewer_key_id, competency_id)
    session.commit()
    return TagEdit(module, change)


def removed_by_board(changes: Iterable[TagChange]) -> set[str]:
    """Competencies the board took off a module (and did not put back later): a re-tag must not bring them back.

    ``changes`` are one module's rows in the order they were written.
    """
    removed: set[str] = set()
    for change in changes:
        if change.action in ("replace", "remove"):
            after = {t["id"] for t in change.after}
            removed = (removed | ({t["id"] for t in change.before} - after)) - after
    return removed
