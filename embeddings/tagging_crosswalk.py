"""The crosswalk between outside skill identifiers and our competencies (``data/crosswalk.yml``).

Feeds name skills by ESCO URI, by DigComp code or by a term of their own;
none of them knows KommunalCampus ids. The crosswalk is the one place where
these identifiers are translated, in both directions: the MOOChub mapper's
lookup and the tagger read it to find our competency, the MOOChub export
reads it to name the ESCO and DigComp identifiers of ours. A reference listed
under several competencies answers all of them, in file order (the file puts
the specific competencies before the DigComp-area ones), so a caller that
needs one id takes the first and the tagger lets the text choose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from campus.store.texts import data_file

ESCO_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# "4.2", "4", "DigComp:4.2", "DigComp 2.2: 4.2" (the MOOChub mapper writes framework:shortCode)
DIGCOMP_CODE = re.compile(r"^(?:digcomp[^:]{0,20}:\s*)?(\d{1,2})(?:\.(\d{1,2}))?$", re.IGNORECASE)


def digcomp_code(reference: str) -> str | None:
    """A DigComp reference in the crosswalk's form ("4.2", an area as "4.0"), or None if it is not one."""
    match = DIGCOMP_CODE.match(reference.strip())
    if match is None:
        return None
    return f"{int(match.group(1))}.{int(match.group(2) or 0)}"


def esco_uuid(reference: str) -> str | None:
    """The UUID of an ESCO skill reference (its URI, any scheme or case), or None."""
    lowered = reference.strip().lower()
    if "esco" not in lowered:
        return None
    match = ESCO_UUID.search(lowered)
    return match.group(0) if match else None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"crosswalk: {where} must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


@dataclass(frozen=True)
class CrosswalkEntry:
    id: str
    esco: tuple[str, ...] = ()
    digcomp: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


class Crosswalk:
    """The entries of the file and, for the lookup direction, tables from each reference to its competencies."""

    def __init__(self, entries: tuple[CrosswalkEntry, ...]) -> None:
        self.entries = entries
        self._esco: dict[str, list[str]] = {}
        self._digcomp: dict[str, list[str]] = {}
        self._terms: dict[str, list[str]] = {}
        for entry in entries:
            for uri in entry.esco:
                self._esco.setdefault(str(esco_uuid(uri)), []).append(entry.id)
            for code in entry.digcomp:
                self._digcomp.setdefault(str(digcomp_code(code)), []).append(entry.id)
            for term in entry.terms:
                self._terms.setdefault(_name(term), []).append(entry.id)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Crosswalk:
        """Read the file's structure, refusing malformed entries (a typo must not silently drop a mapping)."""
        raw = data.get("competencies") or {}
        if not isinstance(raw, dict):
            raise ValueError("crosswalk: competencies must be a mapping")
        entries = []
        for comp_id, body in raw.items():
            if not isinstance(body, dict):
                raise ValueError(f"crosswalk: entry {comp_id} must be a mapping")
            codes = _strings(body.get("digcomp"), f"{comp_id}.digcomp")
            if any(digcomp_code(code) is None for code in codes):
                raise ValueError(f"crosswalk: {comp_id}.digcomp has a code that is not a DigComp code")
            uris = _strings(body.get("esco"), f"{comp_id}.esco")
            if any(esco_uuid(uri) is None for uri in uris):
                raise ValueError(f"crosswalk: {comp_id}.esco has an entry that is not an ESCO URI")
            entries.append(CrosswalkEntry(str(comp_id), uris, codes, _strings(body.get("terms"), f"{comp_id}.terms")))
        return cls(tuple(entries))

    def entry(self, competency_id: str) -> CrosswalkEntry | None:
        return next((e for e in self.entries if e.id == competency_id), None)

    def by_code(self, reference: str) -> list[str]:
        """Competencies an ESCO URI or a DigComp code names, in file order; [] if it is neither or unknown."""
        uuid = esco_uuid(reference)
        if uuid is not None:
            return list(self._esco.get(uuid, ()))
        code = digcomp_code(reference)
        return list(self._digcomp.get(code, ())) if code else []

    def by_term(self, name: str) -> list[str]:
        """Competencies a feed's term names exactly (case and spacing ignored), in file order."""
        return list(self._terms.get(_name(name), ()))

    def references(self, reference: str) -> list[str]:
        """What a reference names: as a code or URI if it is one, else as a term."""
        return self.by_code(reference) or self.by_term(reference)

    def terms_of(self, competency_id: str) -> tuple[str, ...]:
        entry = self.entry(competency_id)
        return entry.terms if entry else ()


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


@lru_cache
def load_crosswalk() -> Crosswalk:
    """The crosswalk of ``data/crosswalk.yml``, read once per process."""
    data: dict[str, Any] = data_file("crosswalk.yml")
    return Crosswalk.from_data(data)
