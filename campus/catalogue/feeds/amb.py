"""Map AMB/OERSI learning-resource records (JSON-LD, one per line) onto the module template.

AMB ("Allgemeines Metadatenprofil für Bildungsressourcen", https://w3id.org/kim/amb)
is what OER search indexes such as OERSI publish, converted from the
providers' MOOChub feeds; KI-Campus's courses come this way too
(``shared/ext/kicampus-amb``). A record says far less than MOOChub:

* ``id`` → ``external_id``, and (or ``mainEntityOfPage[0].id``) → ``url``;
  ``name`` → ``title``; ``description`` (HTML/Markdown cleaned) → ``description``,
  followed by the ``creator`` names; ``inLanguage[]`` → ``language``;
  ``license.id`` → ``license``; ``keywords[]`` and the ``about[]`` subject
  labels → ``keywords``; ``teaches[]`` (skills, rarely given) → ``competencies``
  through the same lookup as MOOChub (source "feed").
* AMB has no course mode, workload, dates or price: a record is an online
  course of :data:`~campus.catalogue.feeds.moochub.schedule.DEFAULT_HOURS`
  hours (a ``timeRequired`` of hours, ``PT6H``, is used when given), free
  of charge (open educational resources), each assumption said in an issue for
  the board. An untagged record is tagged by the platform from its text.

Same contract as :func:`~campus.catalogue.feeds.moochub.map_moochub_document`:
pure, deterministic, every returned dict passed ``ModuleIn``.
"""

from __future__ import annotations

import math
from typing import Any

from campus.catalogue.feeds.moochub.competencies import NAME_CONFIDENCE, CompetencyLookup, answer
from campus.catalogue.feeds.moochub.course import (
    DEFAULT_LANGUAGE,
    MAX_DESCRIPTION,
    MAX_EXTERNAL_ID,
    MAX_LICENSE,
    course_description,
    course_languages,
    course_title,
    course_url,
    keyword_list,
    validated,
)
from campus.catalogue.feeds.moochub.document import FALLBACK_LANGUAGES
from campus.catalogue.feeds.moochub.issues import CourseSkipped, IssueLog, MappingIssue
from campus.catalogue.feeds.moochub.schedule import DEFAULT_HOURS, HOURS_PER_LEARNING_UNIT, NATIONWIDE
from campus.store.formats import iso_duration_days, one_line
from campus.store.texts import text

BONUS_BELOW_HOURS = 16
MAX_CREATORS = 10
TAUGHT_LEVELS = (0, 2)  # AMB gives no levels: the MOOChub defaults for a skill without one


def map_amb_record(
    index: int, record: Any, provider: str, competency_lookup: CompetencyLookup, seen: set[str]
) -> tuple[dict[str, Any] | None, list[MappingIssue]]:
    """The module dict of one AMB record (None if it cannot be one) and the issues met on the way."""
    log = IssueLog(index)
    try:
        return _map(record, provider, competency_lookup, seen, log), log.issues
    except CourseSkipped as reason:
        log.skipped(reason)
        return None, log.issues


def is_amb_record(record: Any) -> bool:
    """Whether a JSON object is an AMB record rather than a MOOChub course resource."""
    if not isinstance(record, dict) or "attributes" in record:
        return False
    kind = record.get("type")
    return "@context" in record or isinstance(kind, list) or kind == "LearningResource" or "name" in record


def _map(record: Any, provider: str, lookup: CompetencyLookup, seen: set[str], log: IssueLog) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise CourseSkipped("record", "course.not_a_course_object", kind=type(record).__name__)
    external_id = _identify(record, seen, log)
    title = course_title(record, log, prefix="")
    languages = course_languages(record, log, prefix="")
    description = _with_creators(course_description(record, log, prefix=""), record)
    hours = _hours(record, log)
    log.warn("courseMode", "amb.format_assumed")
    if record.get("isAccessibleForFree") is False:
        log.warn("isAccessibleForFree", "amb.not_free")
    candidate = {
        "external_id": external_id,
        "provider": provider,
        "title": title,
        "description": description,
        "learning_outcomes": [],
        "category": "Bonusmodul" if hours < BONUS_BELOW_HOURS else "Basismodul",
        "competencies": _competencies(record, languages, lookup, log),
        "prerequisites": [],
        "learning_units": max(1, math.floor(hours / HOURS_PER_LEARNING_UNIT + 0.5)),
        "duration_hours": hours,
        "parts": [{"kind": "online_prep", "hours": hours}],
        "format": "online",
        "language": languages[0] if languages else DEFAULT_LANGUAGE,
        "region": NATIONWIDE,
        "url": _page(record, log),
        "license": _license(record),
        "keywords": _keywords(record, languages, log),
        "status": "submitted",
    }
    return validated(candidate, "record")


def _identify(record: dict[str, Any], seen: set[str], log: IssueLog) -> str:
    raw = record.get("id")
    if isinstance(raw, str) and raw.strip():
        log.external_id = raw.strip()
    external_id = log.external_id
    if external_id is None:
        raise CourseSkipped("id", "course.no_id")
    if len(external_id) > MAX_EXTERNAL_ID:
        raise CourseSkipped("id", "course.id_too_long", limit=MAX_EXTERNAL_ID)
    if external_id in seen:
        raise CourseSkipped("id", "course.duplicate_id")
    seen.add(external_id)
    return external_id


def _hours(record: dict[str, Any], log: IssueLog) -> float:
    """``timeRequired`` when it is a number of hours (``PT6H``), else the default with an issue."""
    raw = record.get("timeRequired")
    days = iso_duration_days(raw) if isinstance(raw, str) and raw.strip().startswith("PT") else None
    if days is not None and 0 < days * 24 <= 1000:
        return round(days * 24, 1)
    log.warn("timeRequired", "amb.hours_assumed", hours=f"{DEFAULT_HOURS:g}")
    return DEFAULT_HOURS


def _pref_labels(value: Any, languages: list[str]) -> list[str]:
    """The labels of a SKOS ``prefLabel`` map (or a plain string), the course's languages first."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if not isinstance(value, dict):
        return []
    order = [*languages, *FALLBACK_LANGUAGES, *sorted(k for k in value if isinstance(k, str))]
    found: list[str] = []
    for lang in order:
        label = value.get(lang)
        if isinstance(label, str) and label.strip() and label.strip() not in found:
            found.append(label.strip())
    return found


def _competencies(
    record: dict[str, Any], languages: list[str], lookup: CompetencyLookup, log: IssueLog
) -> list[dict[str, Any]]:
    """``teaches[]`` skills the lookup knows (by id, then label), with the default levels; none is fine."""
    raw = record.get("teaches")
    result: dict[str, dict[str, Any]] = {}
    for position, entry in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(entry, dict):
            continue
        keys = [entry["id"]] if isinstance(entry.get("id"), str) else []
        keys += _pref_labels(entry.get("prefLabel"), languages)
        found = next((hit for hit in (answer(lookup(k)) for k in keys) if hit is not None), None)
        if found is None:
            label = next(iter(_pref_labels(entry.get("prefLabel"), languages)), None) or entry.get("id") or "?"
            log.warn(f"teaches[{position}]", "competencies.unmapped", label=label)
            continue
        comp_id, confidence = found
        result.setdefault(comp_id, {"id": comp_id, "level_from": TAUGHT_LEVELS[0], "level_to": TAUGHT_LEVELS[1],
                                    "source": "feed", "confidence": NAME_CONFIDENCE if confidence is None
                                    else confidence})
    return list(result.values())[:10]


def _with_creators(description: str, record: dict[str, Any]) -> str:
    names: list[str] = []
    raw = record.get("creator")
    for entry in raw if isinstance(raw, list) else [raw]:
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and one_line(name) and one_line(name) not in names:
            names.append(one_line(name))
    if not names:
        return description
    shown = text("moochub.amb.description_with_creators", text=description, names=", ".join(names[:MAX_CREATORS]))
    return shown if len(shown) <= MAX_DESCRIPTION else description


def _page(record: dict[str, Any], log: IssueLog) -> str | None:
    pages = record.get("mainEntityOfPage")
    first = pages[0] if isinstance(pages, list) and pages else None
    page = first.get("id") if isinstance(first, dict) else None
    if isinstance(page, str) and page.startswith(("http://", "https://")):
        return course_url(page, "mainEntityOfPage", log)
    raw = record.get("id")
    return course_url(raw, "id", log) if isinstance(raw, str) and raw.startswith(("http://", "https://")) else None


def _license(record: dict[str, Any]) -> str | None:
    raw = record.get("license")
    value = raw.get("id") if isinstance(raw, dict) else raw
    if not isinstance(value, str) or not one_line(value) or len(one_line(value)) > MAX_LICENSE:
        return None
    return one_line(value)


def _keywords(record: dict[str, Any], languages: list[str], log: IssueLog) -> list[str]:
    raw = record.get("keywords")
    found = [k for k in raw if isinstance(k, str)] if isinstance(raw, list) else []
    subjects = record.get("about")
    for subject in subjects if isinstance(subjects, list) else []:
        if isinstance(subject, dict):
            found.extend(_pref_labels(subject.get("prefLabel"), languages)[:1])
    return keyword_list(found, "keywords", log)
