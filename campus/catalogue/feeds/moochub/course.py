"""One course resource → one module dict: identity, title, language, description, outcomes, and the assembly.

The course's parts are read in a fixed order (identity, title, language,
description, competencies, outcomes, schedule, price, ECTS, proof, page,
licence, keywords), so its issues always come in that order. The assembled
candidate must pass ``ModuleIn``; otherwise the course is skipped with the
template's complaint. Category: "Bonusmodul" below 16 hours, else
"Intensivmodul" if any competency starts at level 2 or above, else
"Basismodul". Status is always "submitted": imported modules go to board
review. ``url``, ``license`` and ``keywords`` (with the names of the
``educationalAlignment`` subjects) are passed through for readers and for
tagging.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from campus.catalogue.feeds.moochub.competencies import CompetencyLookup, map_competencies
from campus.catalogue.feeds.moochub.document import COURSE_TYPES, dicts, entries, entry_label
from campus.catalogue.feeds.moochub.issues import CourseSkipped, IssueLog, MappingIssue
from campus.catalogue.feeds.moochub.price import course_ects, course_price, proof_tiers
from campus.catalogue.feeds.moochub.schedule import map_schedule
from campus.catalogue.feeds.text import clean_text
from campus.catalogue.template import ModuleIn
from campus.store.formats import one_line, shorten, tidy
from campus.store.texts import text

DEFAULT_LANGUAGE = "de"
ATTRIBUTES = "attributes."  # where a MOOChub resource keeps what the issues' paths name
BONUS_BELOW_HOURS = 16
INTENSIVE_FROM_LEVEL = 2
MAX_EXTERNAL_ID = 128
MIN_TITLE = 3
MAX_TITLE = 300
MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 10_000
MAX_RAW_DESCRIPTION = 10 * MAX_DESCRIPTION  # HTML and Markdown markup around the text that is kept
MAX_CONTENT_ITEMS = 30
MAX_OUTCOMES = 30
MAX_KEYWORDS = 50
MAX_KEYWORD = 200
MAX_URL = 2000
MAX_LICENSE = 300
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_URL = re.compile(r"^https?://\S+$")
_DESCRIPTION_KEYS = ("description", "abstract")  # "abstract" only exists in v2 documents


def map_course(
    index: int, resource: Any, provider: str, competency_lookup: CompetencyLookup, seen: set[str]
) -> tuple[dict[str, Any] | None, list[MappingIssue]]:
    """The module dict of ``resource`` (None if skipped) and the issues met on the way.

    ``seen`` holds the ids of the document's earlier courses; this course's id is added.
    """
    log = IssueLog(index)
    try:
        return _map(resource, provider, competency_lookup, seen, log), log.issues
    except CourseSkipped as reason:
        log.skipped(reason)
        return None, log.issues


def _map(
    resource: Any, provider: str, competency_lookup: CompetencyLookup, seen: set[str], log: IssueLog
) -> dict[str, Any]:
    external_id, attrs = _identify(resource, seen, log)
    title = course_title(attrs, log)
    languages = course_languages(attrs, log)
    description = course_description(attrs, log)
    competencies = map_competencies(attrs, languages, competency_lookup, log)
    outcomes = _outcomes(attrs, languages, log)
    schedule = map_schedule(attrs, log)
    price = course_price(attrs, schedule.length_days, log)
    candidate = {
        "external_id": external_id,
        "provider": provider,
        "title": title,
        "description": description,
        "learning_outcomes": outcomes,
        "category": _category(schedule.hours, competencies),
        "competencies": competencies,
        "prerequisites": [],
        "learning_units": schedule.learning_units,
        "duration_hours": schedule.hours,
        "parts": schedule.parts,
        "format": schedule.format,
        "language": languages[0] if languages else DEFAULT_LANGUAGE,
        "ects": course_ects(attrs, log),
        "region": schedule.region,
        "locations": schedule.locations,
        "dates": [window.as_dates() for window in schedule.windows],
        "price_member_eur": price,
        "price_non_member_eur": price,
        "proof_tiers": proof_tiers(attrs, log),
        "url": course_url(attrs.get("url"), "attributes.url", log),
        "license": _license(attrs, log),
        "keywords": _keywords(attrs, languages, log),
        "status": "submitted",
    }
    return validated(candidate, "attributes")


def validated(candidate: dict[str, Any], path: str) -> dict[str, Any]:
    """The candidate as ``ModuleIn`` dumps it; skips the course with the template's first complaint."""
    try:
        return ModuleIn.model_validate(candidate).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(p) for p in first.get("loc", ()))
        raise CourseSkipped(path, "course.violates_template", location=location, detail=first.get("msg")) from exc


def _identify(resource: Any, seen: set[str], log: IssueLog) -> tuple[str, dict[str, Any]]:
    """The course's id (recorded in ``log`` and ``seen``) and its attributes; skips what is no usable course."""
    if not isinstance(resource, dict):
        raise CourseSkipped("data", "course.not_a_course_object", kind=type(resource).__name__)
    raw_id = resource.get("id")
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id).strip():
        log.external_id = str(raw_id).strip()
    kind = resource.get("type")
    if kind is not None and not (isinstance(kind, str) and kind in COURSE_TYPES):
        raise CourseSkipped("type", "course.not_a_course_type", kind=kind)
    external_id = log.external_id
    if external_id is None:
        raise CourseSkipped("id", "course.no_id")
    if len(external_id) > MAX_EXTERNAL_ID:
        raise CourseSkipped("id", "course.id_too_long", limit=MAX_EXTERNAL_ID)
    if external_id in seen:
        raise CourseSkipped("id", "course.duplicate_id")
    seen.add(external_id)
    attrs = resource.get("attributes")
    if not isinstance(attrs, dict):
        raise CourseSkipped("attributes", "course.no_attributes")
    return external_id, attrs


def _category(hours: float, competencies: list[dict[str, Any]]) -> str:
    if hours < BONUS_BELOW_HOURS:
        return "Bonusmodul"
    if max((c["level_from"] for c in competencies), default=0) >= INTENSIVE_FROM_LEVEL:
        return "Intensivmodul"
    return "Basismodul"


def course_title(attrs: dict[str, Any], log: IssueLog, prefix: str = ATTRIBUTES) -> str:
    """``name`` on one line; ``prefix`` is where the record keeps its attributes (for the issues' paths)."""
    name = attrs.get("name")
    title = one_line(name) if isinstance(name, str) else ""
    if len(title) < MIN_TITLE:
        raise CourseSkipped(f"{prefix}name", "course.title_missing", minimum=MIN_TITLE)
    if len(title) > MAX_TITLE:
        title = shorten(title, MAX_TITLE)
        log.warn(f"{prefix}name", "course.title_shortened", limit=MAX_TITLE)
    return title


def course_languages(attrs: dict[str, Any], log: IssueLog, prefix: str = ATTRIBUTES) -> list[str]:
    """The course's two-letter languages in the provider's order; the first is the module's language.

    Empty if none is valid: the module then gets :data:`DEFAULT_LANGUAGE`, and
    multilingual labels are ranked by the fallback languages alone.
    """
    path = f"{prefix}inLanguage"
    raw = attrs.get("inLanguage")
    if raw is None and "languages" in attrs:  # v2
        raw, path = attrs.get("languages"), f"{prefix}languages"
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    languages: list[str] = []
    for position, value in enumerate(values):
        primary = value.strip().replace("_", "-").split("-")[0].lower() if isinstance(value, str) else ""
        if _LANGUAGE.match(primary):
            languages.append(primary)
            if len(languages) == 1 and position > 0:
                log.warn(path, "course.first_language_invalid", given=values[0], used=primary)
    if not languages:
        log.warn(path, "course.no_language", language=DEFAULT_LANGUAGE)
    return languages


def course_description(attrs: dict[str, Any], log: IssueLog, prefix: str = ATTRIBUTES) -> str:
    """The description as text (the v2 abstract if need be), followed by the names of the learning items."""
    description = ""
    cut = False
    for key in _DESCRIPTION_KEYS:
        value = attrs.get(key)
        if isinstance(value, str):
            cut = len(value) > MAX_RAW_DESCRIPTION  # no need to clean megabytes of which 10,000 characters are kept
            description = clean_text(value[:MAX_RAW_DESCRIPTION])
            if len(description) >= MIN_DESCRIPTION:
                if key != "description":
                    log.warn(f"{prefix}description", "course.abstract_used")
                break
    if len(description) < MIN_DESCRIPTION:
        raise CourseSkipped(f"{prefix}description", "course.description_missing", minimum=MIN_DESCRIPTION)
    if len(description) > MAX_DESCRIPTION or cut:
        description = shorten(description, MAX_DESCRIPTION) if len(description) > MAX_DESCRIPTION \
            else shorten(description, len(description) - 1)
        log.warn(f"{prefix}description", "course.description_shortened", limit=MAX_DESCRIPTION)
    items = _content_items(attrs, log)
    while items and len(_with_contents(description, items)) > MAX_DESCRIPTION:
        items.pop()
    return _with_contents(description, items) if items else description


def _with_contents(description: str, items: list[str]) -> str:
    return text("moochub.description_with_contents", text=description, items="; ".join(items))


def _content_items(attrs: dict[str, Any], log: IssueLog) -> list[str]:
    names: list[str] = []
    for item in dicts(attrs.get("hasPart")):
        name = item.get("name")
        if isinstance(name, str):
            cleaned = one_line(name)
            if cleaned and cleaned not in names:
                names.append(cleaned)
    if len(names) > MAX_CONTENT_ITEMS:
        log.warn("attributes.hasPart", "course.content_items_cut", limit=MAX_CONTENT_ITEMS, count=len(names))
        names = names[:MAX_CONTENT_ITEMS]
    return names


def _outcomes(attrs: dict[str, Any], languages: list[str], log: IssueLog) -> list[str]:
    """v2 ``learningObjectives``, then each taught skill as "name: description"."""
    outcomes: list[str] = []
    legacy = attrs.get("learningObjectives")  # v2
    for value in [legacy] if isinstance(legacy, str) else legacy if isinstance(legacy, list) else []:
        if isinstance(value, str):
            outcomes.append(clean_text(value))
    for _, entry in entries(attrs.get("teaches")):
        if isinstance(entry, str):
            outcomes.append(tidy(entry))
        elif isinstance(entry, dict):
            label = entry_label(entry, languages)
            desc = entry.get("description")
            desc_text = clean_text(desc).replace("\n", " ") if isinstance(desc, str) else ""
            if label and desc_text:
                outcomes.append(f"{label}: {desc_text}")
            else:
                outcomes.append(label or desc_text)
    unique: list[str] = []
    for outcome in outcomes:
        if outcome and outcome not in unique:
            unique.append(outcome)
    if len(unique) > MAX_OUTCOMES:
        log.warn("attributes.teaches", "course.too_many_outcomes", limit=MAX_OUTCOMES)
        unique = unique[:MAX_OUTCOMES]
    return unique


def course_url(value: Any, path: str, log: IssueLog) -> str | None:
    """The course page (http/https), or None with an issue for one that cannot be used."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value.strip()) <= MAX_URL and _URL.match(value.strip()):
        return value.strip()
    log.warn(path, "course.bad_url")
    return None


def _license(attrs: dict[str, Any], log: IssueLog) -> str | None:
    """The licences' SPDX identifiers (else their URLs), comma-separated."""
    names: list[str] = []
    for _, entry in entries(attrs.get("license")):
        name = entry if isinstance(entry, str) else None
        if isinstance(entry, dict):
            name = next((entry[k] for k in ("identifier", "url") if isinstance(entry.get(k), str)), None)
        if isinstance(name, str) and name.strip() and one_line(name) not in names:
            names.append(one_line(name))
    joined = ", ".join(names)
    if len(joined) > MAX_LICENSE:
        log.warn("attributes.license", "course.license_too_long", limit=MAX_LICENSE)
        return None
    return joined or None


def _keywords(attrs: dict[str, Any], languages: list[str], log: IssueLog) -> list[str]:
    """``keywords`` and the subject names of ``educationalAlignment``: what else the course says about its topic."""
    raw = attrs.get("keywords")
    found = [k for k in raw if isinstance(k, str)] if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
    for entry in dicts(attrs.get("educationalAlignment")):
        found.extend(labels_of(entry, languages))
    return keyword_list(found, "attributes.keywords", log)


def labels_of(entry: dict[str, Any], languages: list[str]) -> list[str]:
    name = entry_label(entry, languages)
    return [name] if name and name != "?" else []


def keyword_list(values: list[str], path: str, log: IssueLog) -> list[str]:
    """Keywords on one line each, without repeats (case-insensitive), at most :data:`MAX_KEYWORDS`."""
    unique: dict[str, str] = {}
    for value in values:
        keyword = one_line(value)
        if keyword and len(keyword) <= MAX_KEYWORD:
            unique.setdefault(keyword.lower(), keyword)
    result = list(unique.values())
    if len(result) > MAX_KEYWORDS:
        log.warn(path, "course.too_many_keywords", limit=MAX_KEYWORDS)
        result = result[:MAX_KEYWORDS]
    return result
