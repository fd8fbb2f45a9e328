"""HR's results of a campaign: aggregated, anonymised, never a group smaller than k.

Rules (k = ``campaign_min_group_size``, at least 5):

* Per-competency results exist only once the campaign is closed, and are
  computed once then (stored on the campaign). Live results would let HR
  subtract two snapshots and read off the one person who finished in between;
  a frozen report also stays put when a participant later erases their data.
* Fewer than k distinct participants completed: only the status counts.
* A competency with fewer than k answers: suppressed.
* Levels held by fewer than k people are merged into one "other levels" cell;
  if that cell is still smaller than k, the smallest shown level joins it,
  so no cell can be recovered by subtracting the others from the total.
* Gaps (target − level, 0 when the target is reached) are reported on exactly
  the same cells, relabelled, so the two views together reveal nothing the
  level view does not.

Nobody's individual level is ever returned; there is no per-person view.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from campus.catalogue.framework import competencies
from campus.hr.models import Campaign, Invitation, InvitationLearner
from campus.learners.models import CompetencyLevel
from campus.store.clock import utcnow
from campus.store.ids import stored_id
from campus.store.texts import texts

LEVELS = range(5)
STATUSES = ("pending", "invited", "started", "completed", "declined")


@dataclass(frozen=True)
class Cell:
    levels: tuple[int, ...]
    count: int

    @property
    def merged(self) -> bool:
        return len(self.levels) > 1


def release_cells(counts: dict[int, int], k: int) -> list[Cell] | None:
    """The level distribution as cells of at least k people each, or None if fewer than k in total."""
    total = sum(counts.values())
    if total < k:
        return None
    shown = [level for level in LEVELS if counts.get(level, 0) >= k]
    rest = [level for level in LEVELS if level not in shown]
    rest_count = sum(counts.get(level, 0) for level in rest)
    while 0 < rest_count < k:  # a small residue would be derivable by subtraction: widen it
        smallest = min(shown, key=lambda level: (counts[level], level))
        shown.remove(smallest)
        rest.append(smallest)
        rest_count += counts[smallest]
    cells = [Cell((level,), counts[level]) for level in shown]
    if rest_count:
        cells.append(Cell(tuple(sorted(rest)), rest_count))
    return sorted(cells, key=lambda cell: cell.levels[0])


def gap_cells(cells: list[Cell], target: int) -> list[dict[str, Any]]:
    """The same cells on the gap scale; cells with identical gap sets are added up."""
    merged: dict[tuple[int, ...], int] = {}
    for cell in cells:
        gaps = tuple(sorted({max(0, target - level) for level in cell.levels}))
        merged[gaps] = merged.get(gaps, 0) + cell.count
    return [{"gaps": list(gaps), "count": count} for gaps, count in sorted(merged.items())]


def below_target(cells: list[Cell], target: int) -> int | None:
    """People below the target, if the cells tell it exactly (no cell straddles the target)."""
    total = 0
    for cell in cells:
        below = [level < target for level in cell.levels]
        if all(below):
            total += cell.count
        elif any(below):
            return None
    return total


def competency_result(target: dict[str, Any], label: str, levels: list[int], k: int) -> dict[str, Any]:
    counts = Counter(levels)
    cells = release_cells(dict(counts), k)
    result: dict[str, Any] = {
        "competency": target["competency"], "label": label, "target_level": target["level"],
        "weight": target.get("weight", 1.0),
    }
    if cells is None:
        return {**result, "suppressed": True, "answers": None, "levels": [], "gaps": [], "below_target": None,
                "notice": texts("campaigns")["report"]["competency_too_few"].format(k=k)}
    return {
        **result, "suppressed": False, "answers": len(levels),
        "levels": [{"levels": list(cell.levels), "count": cell.count} for cell in cells],
        "gaps": gap_cells(cells, int(target["level"])),
        "below_target": below_target(cells, int(target["level"])),
        "notice": texts("campaigns")["report"]["merged"].format(k=k) if any(cell.merged for cell in cells) else None,
    }


def status_counts(session: Session, campaign_id: int) -> dict[str, int]:
    statuses = session.exec(select(Invitation.status).where(Invitation.campaign_id == campaign_id)).all()
    counts = Counter(statuses)
    return {"total": len(statuses), **{status: counts.get(status, 0) for status in STATUSES}}


def completed_learners(session: Session, campaign_id: int) -> list[str]:
    """Distinct learners behind completed invitations (one person opening two links counts once)."""
    rows = session.exec(
        select(InvitationLearner.learner_id)
        .join(Invitation, col(Invitation.id) == col(InvitationLearner.invitation_id))
        .where(Invitation.campaign_id == campaign_id, Invitation.status == "completed")
    ).all()
    return sorted(set(rows))


def build_report(session: Session, campaign: Campaign, k: int) -> dict[str, Any]:
    """The frozen per-competency results, computed when the campaign closes."""
    learners = completed_learners(session, stored_id(campaign.id))
    report: dict[str, Any] = {"computed_at": utcnow().isoformat(), "min_group_size": k}
    if len(learners) < k:
        return {**report, "participants": None, "competencies": [],
                "notice": texts("campaigns")["report"]["too_few"].format(k=k)}
    wanted = [t["competency"] for t in campaign.targets]
    rows = session.exec(
        select(CompetencyLevel.competency_id, CompetencyLevel.level)
        .where(col(CompetencyLevel.learner_id).in_(learners), col(CompetencyLevel.competency_id).in_(wanted))
    ).all() if wanted else []
    by_competency: dict[str, list[int]] = {}
    for competency_id, level in rows:
        by_competency.setdefault(competency_id, []).append(int(level))
    labels = {cid: c.label for cid, c in competencies(session).items()}
    return {
        **report, "participants": len(learners), "notice": None,
        "competencies": [
            competency_result(t, labels.get(t["competency"], t["competency"]),
                              by_competency.get(t["competency"], []), k)
            for t in campaign.targets
        ],
    }


def campaign_report(session: Session, campaign: Campaign, k: int) -> dict[str, Any]:
    """What HR sees: live status counts, and the frozen results once the campaign is closed."""
    out: dict[str, Any] = {"campaign_id": campaign.id, "status": campaign.status, "min_group_size": k,
                           "counts": status_counts(session, stored_id(campaign.id))}
    if campaign.status != "closed" or campaign.report is None:
        return {**out, "results_available": False, "participants": None, "competencies": [],
                "notice": texts("campaigns")["report"]["running"]}
    stored = campaign.report
    return {**out, "results_available": bool(stored.get("competencies")), "participants": stored.get("participants"),
            "competencies": stored.get("competencies", []), "notice": stored.get("notice"),
            "computed_at": stored.get("computed_at")}
