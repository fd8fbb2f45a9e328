"""One course record of a feed, whatever its format: MOOChub v3 course resource or AMB/OERSI record.

Real providers publish both (KI-Campus's MOOChub feed is also converted to
AMB by OERSI), so a feed, a file or a JSON Lines stream may carry either; each
record is told apart by its shape and mapped by its own mapper, with the same
result: a ``ModuleIn``-compatible dict or None, and the issues met.
"""

from __future__ import annotations

from typing import Any

from campus.catalogue.feeds.amb import is_amb_record, map_amb_record
from campus.catalogue.feeds.moochub.competencies import CompetencyLookup
from campus.catalogue.feeds.moochub.course import MAX_EXTERNAL_ID, map_course
from campus.catalogue.feeds.moochub.issues import MappingIssue


def map_record(
    index: int, record: Any, provider: str, competency_lookup: CompetencyLookup, seen: set[str]
) -> tuple[dict[str, Any] | None, list[MappingIssue]]:
    """The module dict of a MOOChub course or an AMB record (None if skipped) and the issues met."""
    if is_amb_record(record):
        return map_amb_record(index, record, provider, competency_lookup, seen)
    return map_course(index, record, provider, competency_lookup, seen)


def listed_id(record: Any) -> str | None:
    """The course id a record names, even if the record cannot be imported: it is still in the feed."""
    raw = record.get("id") if isinstance(record, dict) else None
    if isinstance(raw, (str, int)) and not isinstance(raw, bool) and 0 < len(str(raw).strip()) <= MAX_EXTERNAL_ID:
        return str(raw).strip()
    return None


def record_title(record: Any) -> str | None:
    """The record's name as given, for the report of a course that could not be imported."""
    if not isinstance(record, dict):
        return None
    attrs = record.get("attributes")
    name = (attrs if isinstance(attrs, dict) else record).get("name")
    return " ".join(name.split())[:300] if isinstance(name, str) else None
