"""Map MOOChub v3 course documents onto the module template (:class:`ModuleIn`).

MOOChub (https://moochub.org, schema v3.0.1 in ``shared/ext/moochub-schema``)
is the JSON:API format in which German MOOC platforms publish their course
catalogues. :func:`map_moochub_document` turns one such document into
``ModuleIn``-compatible dicts plus a list of :class:`MappingIssue` records
that say, in German and English, what was skipped, dropped or defaulted.

The mapper is pure and deterministic: no network, no database, no clock, no
time-zone database (German local dates are computed with the EU summer-time
rule). Competency matching is delegated to the caller's ``competency_lookup``.

Attribute mapping (MOOChub v3 name → template field):

* ``id`` → ``external_id``; ``name`` → ``title``
* ``description`` (HTML → text; v2 ``abstract`` as fallback) → ``description``;
  the names of ``hasPart`` learning items are appended as "Kursinhalte"
* ``teaches[]`` (Skill: ``name`` is a multilingual label list, ``shortCode``,
  ``educationalFramework`` DigComp/ESCO/GRETA, ``targetUrl``,
  ``educationalLevel``) → ``competencies`` (level_to) and ``learning_outcomes``;
  v2 ``learningObjectives`` (strings) → ``learning_outcomes``
* ``educationalAlignment[]`` (ISCED-F/OEFOS/BIRD subject) → ``competencies``
  (level_to), if the lookup knows the subject
* ``competencyRequired[]`` (Skill) → level_from of a taught competency;
  CourseReference entries (``educationalFramework: "Course_ID"``) are dropped
* ``educationalLevel`` (Skill-level, else course-level) → levels 0–4: DigComp
  proficiency 1–8 → ceil(n/2), level names (Foundation … Highly specialised)
* ``courseMode[]`` (blended/onsite/online/synchronous/asynchronous) → ``format``
* ``workload`` {timeValue, timeUnit h/day|h/week|h/month} × ``duration``
  (ISO 8601; else the first start/end span) → ``duration_hours``,
  ``learning_units``, ``parts`` (blended split from ``hasPart`` durations)
* ``startDate[]`` / ``endDate[]`` (paired by position) → ``dates``
* ``inLanguage[]`` → ``language``; ``numberOfCredits`` → ``ects``;
  ``educationalCredentialsAwarded[]`` → ``proof_tiers``
* ``offer[]`` (price, priceCurrency, paymentFrequency, category) and
  ``access[]`` ("free") → ``price_member_eur`` = ``price_non_member_eur``
* ``contentLocation.address.city`` → ``locations`` (not for online modules)

Decisions the schema leaves open (constants below): levels default to 0 → 2;
a required competency without a readable level counts as level 1; hours =
workload × length, learning units = max(1, round half up(hours / 8)); an online
course becomes one ``online_prep`` part (the MOOC), a presence course one
``presence_workshop``; category is "Bonusmodul" below 16 hours, else
"Intensivmodul" if any level_from ≥ 2, else "Basismodul"; status is always
"submitted" (imported modules go to board review); online modules get region
"bundesweit". Fields without a template counterpart (url, image, instructor,
publisher, license, keywords, audience, …) are ignored without an issue.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any

from pydantic import ValidationError

from campus.catalogue.template import ModuleIn

DEFAULT_LEVEL_FROM = 0
DEFAULT_LEVEL_TO = 2
# A competency listed as required but without a level means "some prior knowledge".
DEFAULT_REQUIRED_LEVEL = 1
DEFAULT_LANGUAGE = "de"
HOURS_PER_LEARNING_UNIT = 8
BONUS_BELOW_HOURS = 16
MAX_COMPETENCIES = 10
MAX_OUTCOMES = 30
MAX_DATES = 50
MAX_CONTENT_ITEMS = 30
MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_LEARNING_UNITS = 20
MAX_HOURS = 1000
MAX_PART_HOURS = 500
MAX_ECTS = 30
MAX_PRICE = 100_000

_COURSE_TYPES = {"Course", "courses"}  # v3, v2
_DAYS_PER_YEAR = 365.25
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12
_UNIT_DAYS = {"h/day": 1.0, "h/week": 7.0, "h/month": _DAYS_PER_MONTH}
_PAYMENT_PERIOD_DAYS = {
    "weekly": 7.0,
    "monthly": _DAYS_PER_MONTH,
    "quarterly": _DAYS_PER_YEAR / 4,
    "half-yearly": _DAYS_PER_YEAR / 2,
    "by semester": _DAYS_PER_YEAR / 2,
    "yearly": _DAYS_PER_YEAR,
}
_CREDENTIAL_TIERS = {
    "confirmation of participation": "participation",
    "record of achievement": "scores",
    "certificate": "certificate",
}
_TIER_ORDER = ("participation", "scores", "certificate")
_MODE_FORMAT = {
    "online": "online",
    "onsite": "presence",
    "blended": "blended",
    # tolerated v2 / free-text spellings
    "mooc": "online",
    "spoc": "online",
    "self-paced": "online",
    "on-site": "presence",
    "presence": "presence",
    "in-person": "presence",
    "hybrid": "blended",
}
# Level names as used by DigComp (English and German editions) and common synonyms; highest first.
_LEVEL_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (4, ("highly specialised", "highly specialized", "hoch spezialisiert", "hochspezialisiert", "expert")),
    (3, ("advanced", "fortgeschritten")),
    (2, ("intermediate", "selbstständig", "selbststaendig", "mittelstufe")),
    (1, ("foundation", "grundlegend", "grundlagen", "basic", "einsteiger", "beginner")),
)
_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
# The official MOOChub examples carry a literal backslash-n next to tags ("</p>\\n"); treat it as whitespace.
_LITERAL_NEWLINE = re.compile(r"(?:\\n)+(?=\s*(?:<|$))|(?<=>)(?:\\n)+")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass
class MappingIssue:
    """One per course that could not be mapped, or per field that was dropped/defaulted.

    A skipped course (``fatal=True``) may be preceded by non-fatal issues that
    were collected before it was skipped; they explain the cause (e.g. which
    competencies the lookup did not know).
    """

    index: int  # position of the course in the document's data array
    external_id: str | None
    field: str  # MOOChub attribute path, e.g. "attributes.workload"
    message_de: str
    message_en: str
    fatal: bool  # True: course skipped; False: mapped with a default / dropped value


@dataclass
class MappingResult:
    modules: list[dict]  # ModuleIn-compatible dicts (validated with ModuleIn.model_validate before being returned)
    issues: list[MappingIssue] = field(default_factory=list)


def map_moochub_document(
    doc: dict, provider_id: str, competency_lookup: Callable[[str], str | None]
) -> MappingResult:
    """Map a MOOChub v3 JSON:API document onto ``ModuleIn``-compatible dicts.

    ``doc["data"]`` may be the array of course resources or a single resource
    object (``null`` means no courses). A document that is not JSON:API raises
    ``ValueError``; a course that cannot be mapped is skipped with a fatal issue
    and the others are still mapped. Every returned dict has passed
    ``ModuleIn.model_validate`` and is its JSON dump (dates as ISO strings).
    """
    if not isinstance(provider_id, str) or not 1 <= len(provider_id.strip()) <= 64:
        raise ValueError(
            "Ungültige Anbieter-ID: erwartet wird eine Zeichenkette mit 1 bis 64 Zeichen. / "
            "Invalid provider id: expected a string of 1 to 64 characters."
        )
    resources = _resources(doc)
    result = MappingResult(modules=[])
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        mapper = _CourseMapper(index, resource, provider_id.strip(), competency_lookup, seen)
        module = mapper.run()
        result.issues.extend(mapper.issues)
        if module is not None:
            result.modules.append(module)
    return result


def html_to_text(value: str) -> str:
    """Plain text from an HTML fragment: tags removed, entities unescaped, paragraphs kept."""
    value = _LITERAL_NEWLINE.sub(" ", value)
    if not _TAG.search(value):
        return _tidy(html.unescape(value))
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    return _tidy("".join(extractor.parts))


# ---------------------------------------------------------------------------
# document level
# ---------------------------------------------------------------------------


def _resources(doc: Any) -> list[Any]:
    if not isinstance(doc, dict):
        raise ValueError(
            f"Kein MOOChub-Dokument: erwartet wird ein JSON-Objekt, erhalten {type(doc).__name__}. / "
            f"Not a MOOChub document: expected a JSON object, got {type(doc).__name__}."
        )
    if "data" not in doc:
        errors = doc.get("errors")
        if isinstance(errors, list) and errors:
            titles = "; ".join(
                str(e.get("title") or e.get("detail") or e) if isinstance(e, dict) else str(e) for e in errors
            )
            raise ValueError(
                f"Das MOOChub-Dokument meldet Fehler statt Kursdaten: {titles}. / "
                f"The MOOChub document reports errors instead of course data: {titles}."
            )
        raise ValueError(
            "Kein JSON:API-Dokument: das Feld „data“ fehlt. / Not a JSON:API document: the 'data' member is missing."
        )
    data = doc["data"]
    if data is None:
        return []
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise ValueError(
        f"Ungültiges Feld „data“: erwartet wird eine Liste von Kursen oder ein einzelner Kurs, "
        f"erhalten {type(data).__name__}. / "
        f"Invalid 'data' member: expected a list of courses or a single course, got {type(data).__name__}."
    )


# ---------------------------------------------------------------------------
# one course
# ---------------------------------------------------------------------------


class _Fatal(Exception):
    def __init__(self, path: str, de: str, en: str) -> None:
        super().__init__(en)
        self.path, self.de, self.en = path, de, en


@dataclass
class _Target:
    id: str
    level_to: int | None = None  # None: not given by the provider
    level_from: int | None = None
    to_path: str = ""  # first entry that taught it
    from_path: str = ""  # first entry that required it


@dataclass
class _Window:
    start: datetime
    end: datetime


class _CourseMapper:
    def __init__(
        self, index: int, resource: Any, provider: str, lookup: Callable[[str], str | None], seen: set[str]
    ) -> None:
        self.index = index
        self.resource = resource
        self.provider = provider
        self.lookup = lookup
        self.seen = seen
        self.external_id: str | None = None
        self.issues: list[MappingIssue] = []
        self.attrs: dict[str, Any] = {}
        self.languages: list[str] = []

    # -- issue helpers --------------------------------------------------------

    def warn(self, path: str, de: str, en: str) -> None:
        self.issues.append(MappingIssue(self.index, self.external_id, path, de, en, fatal=False))

    def fail(self, path: str, de: str, en: str) -> _Fatal:
        return _Fatal(path, de, en)

    def run(self) -> dict | None:
        try:
            return self._map()
        except _Fatal as exc:
            self.issues.append(MappingIssue(self.index, self.external_id, exc.path, exc.de, exc.en, fatal=True))
            return None

    # -- the mapping ----------------------------------------------------------

    def _map(self) -> dict:
        res = self.resource
        if not isinstance(res, dict):
            raise self.fail(
                "data",
                f"Eintrag ist kein Kursobjekt (erhalten: {type(res).__name__}); übersprungen.",
                f"Entry is not a course object (got {type(res).__name__}); skipped.",
            )
        raw_id = res.get("id")
        if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id).strip():
            self.external_id = str(raw_id).strip()
        kind = res.get("type")
        if kind is not None and not (isinstance(kind, str) and kind in _COURSE_TYPES):
            raise self.fail(
                "type",
                f"Ressourcentyp „{kind}“ ist kein Kurs; übersprungen.",
                f"Resource type '{kind}' is not a course; skipped.",
            )
        if self.external_id is None:
            raise self.fail("id", "Kurs ohne ID; übersprungen.", "Course without an id; skipped.")
        if len(self.external_id) > 128:
            raise self.fail(
                "id", "Kurs-ID ist länger als 128 Zeichen; übersprungen.", "Course id exceeds 128 characters; skipped."
            )
        if self.external_id in self.seen:
            raise self.fail(
                "id",
                "Kurs-ID kommt im Dokument mehrfach vor; nur der erste Eintrag wird übernommen.",
                "Course id occurs more than once in the document; only the first entry is imported.",
            )
        self.seen.add(self.external_id)
        attrs = res.get("attributes")
        if not isinstance(attrs, dict):
            raise self.fail(
                "attributes",
                "Kurs ohne Attribute („attributes“); übersprungen.",
                "Course without 'attributes'; skipped.",
            )
        self.attrs = attrs

        title = self._title()
        language = self._language()
        description = self._description()
        targets = self._competencies()
        outcomes = self._outcomes()
        fmt = self._format()
        windows = self._dates()
        length_days = self._length_days()
        hours = self._hours(length_days, windows)
        units = self._learning_units(hours)
        parts = self._parts(fmt, hours, length_days)
        region, locations = self._place(fmt)
        competencies = [{"id": t.id, "level_from": t.level_from, "level_to": t.level_to} for t in targets]
        max_from = max(c["level_from"] for c in competencies)
        if hours < BONUS_BELOW_HOURS:
            category = "Bonusmodul"
        elif max_from >= 2:
            category = "Intensivmodul"
        else:
            category = "Basismodul"
        price = self._price(length_days)

        candidate = {
            "external_id": self.external_id,
            "provider": self.provider,
            "title": title,
            "description": description,
            "learning_outcomes": outcomes,
            "category": category,
            "competencies": competencies,
            "prerequisites": [],
            "learning_units": units,
            "duration_hours": hours,
            "parts": parts,
            "format": fmt,
            "language": language,
            "ects": self._ects(),
            "region": region,
            "locations": locations,
            "dates": [
                {"start": _local_date(w.start).isoformat(), "end": _local_date(w.end).isoformat()} for w in windows
            ],
            "price_member_eur": price,
            "price_non_member_eur": price,
            "proof_tiers": self._proof_tiers(),
            "status": "submitted",
        }
        try:
            return ModuleIn.model_validate(candidate).model_dump(mode="json")
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first.get("loc", ()))
            raise self.fail(
                "attributes",
                f"Das Ergebnis verletzt die Modulvorlage ({loc}: {first.get('msg')}); übersprungen.",
                f"The result violates the module template ({loc}: {first.get('msg')}); skipped.",
            ) from exc

    # -- title, language, description -----------------------------------------

    def _title(self) -> str:
        name = self.attrs.get("name")
        title = _one_line(name) if isinstance(name, str) else ""
        if len(title) < 3:
            raise self.fail(
                "attributes.name",
                "Kurstitel fehlt oder ist kürzer als 3 Zeichen; übersprungen.",
                "Course title is missing or shorter than 3 characters; skipped.",
            )
        if len(title) > MAX_TITLE:
            title = _shorten(title, MAX_TITLE)
            self.warn(
                "attributes.name",
                f"Kurstitel auf {MAX_TITLE} Zeichen gekürzt.",
                f"Course title shortened to {MAX_TITLE} characters.",
            )
        return title

    def _language(self) -> str:
        path = "attributes.inLanguage"
        raw = self.attrs.get("inLanguage")
        if raw is None and "languages" in self.attrs:  # v2
            raw, path = self.attrs.get("languages"), "attributes.languages"
        values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        for position, value in enumerate(values):
            primary = value.strip().replace("_", "-").split("-")[0].lower() if isinstance(value, str) else ""
            if _LANGUAGE.match(primary):
                self.languages.append(primary)
                if len(self.languages) == 1 and position > 0:
                    self.warn(
                        path,
                        f"Erste Sprachangabe „{values[0]}“ ist kein zweibuchstabiger Sprachcode; "
                        f"„{primary}“ übernommen.",
                        f"First language '{values[0]}' is not a two-letter language code; '{primary}' used.",
                    )
        if self.languages:
            return self.languages[0]
        self.warn(
            path,
            f"Keine gültige Sprachangabe; Standardsprache „{DEFAULT_LANGUAGE}“ angenommen.",
            f"No valid language given; default language '{DEFAULT_LANGUAGE}' assumed.",
        )
        return DEFAULT_LANGUAGE

    def _description(self) -> str:
        text = ""
        for key in ("description", "abstract"):  # "abstract" only exists in v2 documents
            value = self.attrs.get(key)
            if isinstance(value, str):
                text = html_to_text(value)
                if len(text) >= 10:
                    if key != "description":
                        self.warn(
                            "attributes.description",
                            "Keine Beschreibung vorhanden; die Kurzbeschreibung („abstract“) wird verwendet.",
                            "No description given; the abstract is used instead.",
                        )
                    break
        if len(text) < 10:
            raise self.fail(
                "attributes.description",
                "Kursbeschreibung fehlt oder ist kürzer als 10 Zeichen; übersprungen.",
                "Course description is missing or shorter than 10 characters; skipped.",
            )
        if len(text) > MAX_DESCRIPTION:
            text = _shorten(text, MAX_DESCRIPTION)
            self.warn(
                "attributes.description",
                f"Beschreibung auf {MAX_DESCRIPTION} Zeichen gekürzt.",
                f"Description shortened to {MAX_DESCRIPTION} characters.",
            )
        items = self._content_items()
        while items and len(text) + len("\n\nKursinhalte: ") + len("; ".join(items)) > MAX_DESCRIPTION:
            items.pop()
        if items:
            text = f"{text}\n\nKursinhalte: " + "; ".join(items)
        return text

    def _content_items(self) -> list[str]:
        names: list[str] = []
        for item in _dicts(self.attrs.get("hasPart")):
            name = item.get("name")
            if isinstance(name, str):
                cleaned = _one_line(name)
                if cleaned and cleaned not in names:
                    names.append(cleaned)
        if len(names) > MAX_CONTENT_ITEMS:
            self.warn(
                "attributes.hasPart",
                f"Nur die ersten {MAX_CONTENT_ITEMS} von {len(names)} Lerneinheiten in die Beschreibung übernommen.",
                f"Only the first {MAX_CONTENT_ITEMS} of {len(names)} learning items added to the description.",
            )
            names = names[:MAX_CONTENT_ITEMS]
        return names

    # -- competencies and outcomes ---------------------------------------------

    def _competencies(self) -> list[_Target]:
        targets: dict[str, _Target] = {}
        for key in ("teaches", "educationalAlignment"):
            for position, entry in _entries(self.attrs.get(key)):
                path = f"attributes.{key}[{position}]"
                if not isinstance(entry, (dict, str)):
                    self.warn(path, "Eintrag ist kein Objekt; ignoriert.", "Entry is not an object; ignored.")
                    continue
                comp_id = self._lookup(entry)
                if comp_id is None:
                    self._warn_unmapped(path, entry)
                    continue
                level = self._level_of(entry, path, use_course_level=True)
                target = targets.setdefault(comp_id, _Target(comp_id, to_path=path))
                if level is not None:
                    target.level_to = max(target.level_to or 0, level)

        for position, entry in _entries(self.attrs.get("competencyRequired")):
            path = f"attributes.competencyRequired[{position}]"
            label = _entry_label(entry, self.languages)
            if isinstance(entry, dict) and entry.get("educationalFramework") == "Course_ID":
                self.warn(
                    path,
                    f"Vorausgesetzter Kurs „{label}“ wird nicht übernommen (keine Modul-ID in KommunalCampus).",
                    f"Required course '{label}' is not imported (no KommunalCampus module id).",
                )
                continue
            if not isinstance(entry, (dict, str)):
                self.warn(path, "Eintrag ist kein Objekt; ignoriert.", "Entry is not an object; ignored.")
                continue
            comp_id = self._lookup(entry)
            if comp_id is None:
                self._warn_unmapped(path, entry)
                continue
            if comp_id not in targets:
                self.warn(
                    path,
                    f"Kompetenz „{label}“ ({comp_id}) wird nur vorausgesetzt, aber nicht vermittelt; "
                    "die Modulvorlage kann reine Eingangsvoraussetzungen nicht abbilden.",
                    f"Competency '{label}' ({comp_id}) is only required, not taught; "
                    "the module template cannot express entry requirements alone.",
                )
                continue
            level = self._level_of(entry, path, use_course_level=False)
            if level is None:
                level = DEFAULT_REQUIRED_LEVEL
                self.warn(
                    f"{path}.educationalLevel",
                    f"Keine lesbare Stufe für die vorausgesetzte Kompetenz {comp_id}; Ausgangsstufe {level} "
                    "angenommen.",
                    f"No readable level for the required competency {comp_id}; starting level {level} assumed.",
                )
            target = targets[comp_id]
            target.level_from = max(target.level_from or 0, level)
            target.from_path = target.from_path or path

        result = list(targets.values())
        for target in result:
            explicit_to = target.level_to is not None
            if not explicit_to:
                self.warn(
                    f"{target.to_path}.educationalLevel",
                    f"Keine lesbare Zielstufe für die Kompetenz {target.id}; Stufe {DEFAULT_LEVEL_TO} angenommen.",
                    f"No readable target level for the competency {target.id}; level {DEFAULT_LEVEL_TO} assumed.",
                )
            level_to = target.level_to if explicit_to else DEFAULT_LEVEL_TO
            level_from = DEFAULT_LEVEL_FROM if target.level_from is None else target.level_from
            if level_from >= level_to:
                if not explicit_to and level_from < 4:
                    level_to = level_from + 1
                else:
                    level_from = max(0, level_to - 1)
                self.warn(
                    target.from_path or "attributes.competencyRequired",
                    f"Kompetenz {target.id}: vorausgesetzte Stufe ist nicht niedriger als die Zielstufe; "
                    f"angepasst auf {level_from} → {level_to}.",
                    f"Competency {target.id}: required level is not below the target level; "
                    f"adjusted to {level_from} → {level_to}.",
                )
            target.level_from, target.level_to = level_from, level_to

        if not result:
            raise self.fail(
                "attributes.teaches",
                "Keine Kompetenz des Kurses lässt sich dem KommunalCampus-Kompetenzrahmen zuordnen; "
                "die Modulvorlage verlangt mindestens eine. Kurs übersprungen.",
                "None of the course's competencies maps onto the KommunalCampus competency framework; "
                "the module template needs at least one. Course skipped.",
            )
        if len(result) > MAX_COMPETENCIES:
            dropped = ", ".join(t.id for t in result[MAX_COMPETENCIES:])
            self.warn(
                "attributes.teaches",
                f"Mehr als {MAX_COMPETENCIES} Kompetenzen; nicht übernommen: {dropped}.",
                f"More than {MAX_COMPETENCIES} competencies; not imported: {dropped}.",
            )
            result = result[:MAX_COMPETENCIES]
        return result

    def _lookup(self, entry: dict | str) -> str | None:
        for key in _lookup_keys(entry, self.languages):
            found = self.lookup(key)
            if isinstance(found, str) and found.strip():
                return found.strip()
        return None

    def _warn_unmapped(self, path: str, entry: Any) -> None:
        label = _entry_label(entry, self.languages)
        ref = ""
        if isinstance(entry, dict):
            ref = " ".join(
                str(entry[k]) for k in ("educationalFramework", "shortCode") if isinstance(entry.get(k), str)
            )
        suffix = f" ({ref})" if ref else ""
        self.warn(
            path,
            f"Kompetenz „{label}“{suffix} ist keiner KommunalCampus-Kompetenz zugeordnet; nicht übernommen.",
            f"Competency '{label}'{suffix} does not map to a KommunalCampus competency; not imported.",
        )

    def _level_of(self, entry: dict | str, path: str, use_course_level: bool) -> int | None:
        if not isinstance(entry, dict):
            return None
        framework = entry.get("educationalFramework")
        own = entry.get("educationalLevel")
        if isinstance(own, dict):
            level = _proficiency(own, framework)
            if level is not None:
                return level
            self.warn(
                f"{path}.educationalLevel",
                "Kompetenzstufe nicht auf die Skala 0–4 abbildbar; ignoriert.",
                "Proficiency level cannot be mapped onto the 0–4 scale; ignored.",
            )
        if not use_course_level:
            return None
        course_levels = _dicts(self.attrs.get("educationalLevel"))
        same = [lv for lv in course_levels if lv.get("educationalFramework") == framework]
        for level_obj in same + [lv for lv in course_levels if lv not in same]:
            level = _proficiency(level_obj, level_obj.get("educationalFramework"))
            if level is not None:
                return level
        return None

    def _outcomes(self) -> list[str]:
        outcomes: list[str] = []
        legacy = self.attrs.get("learningObjectives")  # v2
        for value in [legacy] if isinstance(legacy, str) else legacy if isinstance(legacy, list) else []:
            if isinstance(value, str):
                outcomes.append(html_to_text(value))
        for _, entry in _entries(self.attrs.get("teaches")):
            if isinstance(entry, str):
                outcomes.append(_tidy(entry))
            elif isinstance(entry, dict):
                label = _entry_label(entry, self.languages)
                desc = entry.get("description")
                desc_text = html_to_text(desc).replace("\n", " ") if isinstance(desc, str) else ""
                if label and desc_text:
                    outcomes.append(f"{label}: {desc_text}")
                else:
                    outcomes.append(label or desc_text)
        unique: list[str] = []
        for text in outcomes:
            if text and text not in unique:
                unique.append(text)
        if len(unique) > MAX_OUTCOMES:
            self.warn(
                "attributes.teaches",
                f"Mehr als {MAX_OUTCOMES} Lernziele; nur die ersten {MAX_OUTCOMES} übernommen.",
                f"More than {MAX_OUTCOMES} learning outcomes; only the first {MAX_OUTCOMES} imported.",
            )
            unique = unique[:MAX_OUTCOMES]
        return unique

    # -- format, dates, workload, parts -------------------------------------------

    def _format(self) -> str:
        raw = self.attrs.get("courseMode")
        modes = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        formats: set[str] = set()
        timing: set[str] = set()
        for mode in modes:
            key = mode.strip().lower() if isinstance(mode, str) else None
            if key in ("synchronous", "asynchronous"):
                timing.add(key)  # says when, not where
                continue
            mapped = _MODE_FORMAT.get(key) if key else None
            if mapped is None:
                self.warn(
                    "attributes.courseMode",
                    f"Unbekannte Kursform „{mode}“ ignoriert.",
                    f"Unknown course mode '{mode}' ignored.",
                )
            else:
                formats.add(mapped)
        if "blended" in formats or {"online", "presence"} <= formats:
            return "blended"
        if "presence" in formats:
            return "presence"
        if "online" in formats or timing == {"asynchronous"} or timing == {"synchronous", "asynchronous"}:
            return "online"
        if timing:
            self.warn(
                "attributes.courseMode",
                "Kursform nur als „synchronous“ angegeben; „online“ angenommen.",
                "Course mode only given as 'synchronous'; 'online' assumed.",
            )
        else:
            self.warn(
                "attributes.courseMode",
                "Keine Kursform angegeben; „online“ angenommen.",
                "No course mode given; 'online' assumed.",
            )
        return "online"

    def _dates(self) -> list[_Window]:
        starts = _series(self.attrs.get("startDate"))
        ends = _series(self.attrs.get("endDate"))
        windows: list[_Window] = []
        for position in range(max(len(starts), len(ends))):
            if position >= len(starts) or position >= len(ends):
                which = "startDate" if position >= len(starts) else "endDate"
                self.warn(
                    f"attributes.{which}[{position}]",
                    f"Termin {position + 1} hat kein passendes {'Start' if which == 'startDate' else 'End'}datum; "
                    "nicht übernommen.",
                    f"Date {position + 1} has no matching {'start' if which == 'startDate' else 'end'} date; "
                    "not imported.",
                )
                continue
            start, end = _parse_datetime(starts[position]), _parse_datetime(ends[position])
            if start is None or end is None:
                bad = "startDate" if start is None else "endDate"
                value = starts[position] if start is None else ends[position]
                self.warn(
                    f"attributes.{bad}[{position}]",
                    f"Datum „{value}“ ist kein ISO-8601-Zeitpunkt; Termin {position + 1} nicht übernommen.",
                    f"Date '{value}' is not an ISO 8601 date-time; date {position + 1} not imported.",
                )
                continue
            if _local_date(end) < _local_date(start) or _utc(end) < _utc(start):
                self.warn(
                    f"attributes.endDate[{position}]",
                    f"Enddatum {ends[position]} liegt vor dem Startdatum {starts[position]}; "
                    f"Termin {position + 1} nicht übernommen.",
                    f"End date {ends[position]} is before start date {starts[position]}; "
                    f"date {position + 1} not imported.",
                )
                continue
            window = _Window(start, end)
            if any(_local_date(w.start) == _local_date(start) and _local_date(w.end) == _local_date(end)
                   for w in windows):
                continue
            windows.append(window)
        if len(windows) > MAX_DATES:
            self.warn(
                "attributes.startDate",
                f"Mehr als {MAX_DATES} Termine; nur die ersten {MAX_DATES} übernommen.",
                f"More than {MAX_DATES} dates; only the first {MAX_DATES} imported.",
            )
            windows = windows[:MAX_DATES]
        return windows

    def _length_days(self) -> float | None:
        parsed = _iso_duration(self.attrs.get("duration"))
        if parsed is not None and parsed > 0:
            return parsed
        if self.attrs.get("duration") not in (None, ""):
            self.warn(
                "attributes.duration",
                f"Kursdauer „{self.attrs.get('duration')}“ ist keine ISO-8601-Dauer; ignoriert.",
                f"Course duration '{self.attrs.get('duration')}' is not an ISO 8601 duration; ignored.",
            )
        return None

    def _hours(self, length_days: float | None, windows: list[_Window]) -> float:
        duration = self.attrs.get("duration")
        time_only = isinstance(duration, str) and duration.strip().startswith("PT") and length_days is not None
        hours: float | None = None
        if time_only:
            # a course that lasts hours, not days: its length is its workload
            hours = length_days * 24
        workload = self.attrs.get("workload")
        if hours is None and workload is not None:
            value = workload.get("timeValue") if isinstance(workload, dict) else None
            unit = workload.get("timeUnit") if isinstance(workload, dict) else None
            valid = (
                isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf
                and isinstance(unit, str) and unit in _UNIT_DAYS
            )
            if not valid:
                self.warn(
                    "attributes.workload",
                    "Arbeitsaufwand unvollständig oder ungültig (timeValue > 0, timeUnit h/day|h/week|h/month); "
                    "ignoriert.",
                    "Workload incomplete or invalid (timeValue > 0, timeUnit h/day|h/week|h/month); ignored.",
                )
            else:
                span = length_days
                if span is None and windows:
                    span = (_utc(windows[0].end) - _utc(windows[0].start)).total_seconds() / 86400
                    if span > 0:
                        self.warn(
                            "attributes.duration",
                            "Keine Kursdauer angegeben; Dauer aus erstem Start- und Enddatum berechnet.",
                            "No course duration given; length taken from the first start and end date.",
                        )
                    else:
                        span = None
                if span is None:
                    self.warn(
                        "attributes.duration",
                        "Arbeitsaufwand pro Zeiteinheit ohne Kursdauer oder Termine; Gesamtstunden nicht berechenbar.",
                        "Workload per time unit without course duration or dates; total hours cannot be computed.",
                    )
                else:
                    hours = float(value) * span / _UNIT_DAYS[unit]
        if hours is None:
            online = self._learning_item_hours()
            if online > 0:
                hours = online
                self.warn(
                    "attributes.workload",
                    "Gesamtstunden aus der Dauer der Lerneinheiten („hasPart“) geschätzt.",
                    "Total hours estimated from the duration of the learning items ('hasPart').",
                )
        if hours is None or round(hours, 1) <= 0:
            raise self.fail(
                "attributes.workload",
                "Zeitaufwand nicht bestimmbar (Arbeitsaufwand und Dauer fehlen); die Modulvorlage verlangt "
                "Stunden. Kurs übersprungen.",
                "Time commitment cannot be determined (workload and duration missing); the module template "
                "needs hours. Course skipped.",
            )
        hours = round(hours, 1)
        if hours > MAX_HOURS:
            raise self.fail(
                "attributes.workload",
                f"Berechneter Zeitaufwand von {hours} Stunden übersteigt {MAX_HOURS}; Kurs übersprungen.",
                f"Computed time commitment of {hours} hours exceeds {MAX_HOURS}; course skipped.",
            )
        return hours

    def _learning_item_hours(self) -> float:
        total = 0.0
        for item in _dicts(self.attrs.get("hasPart")):
            if item.get("type") == "other":
                continue
            days = _iso_duration(item.get("duration"))
            if days:
                total += days * 24
        return total

    def _learning_units(self, hours: float) -> int:
        units = max(1, math.floor(hours / HOURS_PER_LEARNING_UNIT + 0.5))
        if units > MAX_LEARNING_UNITS:
            self.warn(
                "attributes.workload",
                f"{units} Lerneinheiten übersteigen das Maximum; auf {MAX_LEARNING_UNITS} begrenzt.",
                f"{units} learning units exceed the maximum; capped at {MAX_LEARNING_UNITS}.",
            )
            units = MAX_LEARNING_UNITS
        return units

    def _parts(self, fmt: str, hours: float, length_days: float | None) -> list[dict]:
        weeks = None
        if length_days is not None and length_days >= 7:
            weeks = min(52, max(1, math.floor(length_days / 7 + 0.5)))
        if fmt == "online":
            parts = [{"kind": "online_prep", "hours": hours, **({"weeks": weeks} if weeks else {})}]
        elif fmt == "presence":
            parts = [{"kind": "presence_workshop", "hours": hours}]
        else:
            online = round(self._learning_item_hours(), 1)
            if not 0 < online < hours:
                self.warn(
                    "attributes.hasPart",
                    "Aufteilung in Online- und Präsenzanteile nicht ableitbar (keine passenden Lerneinheiten mit "
                    "Dauer); Modulteile bleiben leer.",
                    "Split into online and presence parts cannot be derived (no fitting learning items with "
                    "durations); parts left empty.",
                )
                return []
            parts = [
                {"kind": "online_prep", "hours": online},
                {"kind": "presence_workshop", "hours": round(hours - online, 1)},
            ]
        if any(p["hours"] > MAX_PART_HOURS for p in parts):
            self.warn(
                "attributes.workload",
                f"Ein Modulteil übersteigt {MAX_PART_HOURS} Stunden; Modulteile bleiben leer.",
                f"A part exceeds {MAX_PART_HOURS} hours; parts left empty.",
            )
            return []
        return parts

    # -- place, credits, proof, price ----------------------------------------------

    def _place(self, fmt: str) -> tuple[str | None, list[str]]:
        if fmt == "online":
            return "bundesweit", []
        location = self.attrs.get("contentLocation")
        address = location.get("address") if isinstance(location, dict) else None
        city = address.get("city") if isinstance(address, dict) else None
        locations = [_tidy(city)] if isinstance(city, str) and city.strip() else []
        if not locations:
            self.warn(
                "attributes.contentLocation",
                "Kein Veranstaltungsort (Stadt) angegeben; Orte bleiben leer.",
                "No venue (city) given; locations left empty.",
            )
        self.warn(
            "attributes.contentLocation",
            "MOOChub kennt kein Bundesland; Region bleibt leer und muss im Review ergänzt werden.",
            "MOOChub has no federal-state field; region left empty, to be completed in review.",
        )
        return None, locations

    def _ects(self) -> float:
        credits = self.attrs.get("numberOfCredits")
        if credits is None:
            return 0.0
        if isinstance(credits, bool) or not isinstance(credits, (int, float)) or not 0 <= credits <= MAX_ECTS:
            self.warn(
                "attributes.numberOfCredits",
                f"ECTS-Angabe „{credits}“ ungültig oder über {MAX_ECTS}; 0 übernommen.",
                f"ECTS value '{credits}' invalid or above {MAX_ECTS}; 0 used.",
            )
            return 0.0
        return float(credits)

    def _proof_tiers(self) -> list[str]:
        raw = self.attrs.get("educationalCredentialsAwarded")
        tiers: set[str] = set()
        for value in raw if isinstance(raw, list) else []:
            tier = _CREDENTIAL_TIERS.get(value) if isinstance(value, str) else None
            if tier is None:
                self.warn(
                    "attributes.educationalCredentialsAwarded",
                    f"Unbekannter Nachweis „{value}“ ignoriert.",
                    f"Unknown credential '{value}' ignored.",
                )
            else:
                tiers.add(tier)
        return [t for t in _TIER_ORDER if t in tiers]

    def _price(self, length_days: float | None) -> float:
        offers = self.attrs.get("offer")
        path = "attributes.offer"
        if offers is None and "offers" in self.attrs:
            offers, path = self.attrs.get("offers"), "attributes.offers"
        totals: list[float] = []
        for position, offer in _entries(offers):
            where = f"{path}[{position}]"
            if not isinstance(offer, dict):
                continue
            price = offer.get("price")
            if isinstance(price, bool) or not isinstance(price, (int, float)) or not 0 <= price < math.inf:
                self.warn(where, "Preis ungültig; Angebot ignoriert.", "Invalid price; offer ignored.")
                continue
            category = offer.get("category")
            if category == "certificate":
                if price > 0:
                    self.warn(
                        where,
                        f"Zertifikatsgebühr von {price} {offer.get('priceCurrency') or 'EUR'} ist in der "
                        "Modulvorlage nicht abbildbar; nicht übernommen.",
                        f"Certificate fee of {price} {offer.get('priceCurrency') or 'EUR'} cannot be expressed in "
                        "the module template; not imported.",
                    )
                continue
            currency = offer.get("priceCurrency")
            if not (isinstance(currency, str) and currency.strip().upper() == "EUR") and price > 0:
                shown = currency if isinstance(currency, str) and currency.strip() else "?"
                self.warn(
                    where,
                    f"Preis in Währung „{shown}“ statt Euro; Angebot ignoriert (keine Umrechnung).",
                    f"Price in currency '{shown}' instead of euro; offer ignored (no conversion).",
                )
                continue
            frequency = offer.get("paymentFrequency")
            if frequency is not None and not isinstance(frequency, str):
                frequency = str(frequency)
            total = float(price)
            if price > 0 and frequency in _PAYMENT_PERIOD_DAYS:
                if length_days:
                    periods = max(1, math.ceil(length_days / _PAYMENT_PERIOD_DAYS[frequency] - 1e-9))
                    total = float(price) * periods
                    self.warn(
                        where,
                        f"Wiederkehrender Preis ({frequency}) über die Kursdauer hochgerechnet: "
                        f"{periods} × {price} €.",
                        f"Recurring price ({frequency}) extrapolated over the course length: {periods} × {price} EUR.",
                    )
                else:
                    self.warn(
                        where,
                        f"Wiederkehrender Preis ({frequency}) ohne Kursdauer; Einzelbetrag übernommen.",
                        f"Recurring price ({frequency}) without course length; single payment used.",
                    )
            elif price > 0 and frequency not in (None, "one-time"):
                self.warn(
                    where,
                    f"Zahlungsweise „{frequency}“ unklar; Betrag als Einmalpreis übernommen.",
                    f"Payment frequency '{frequency}' unclear; amount used as a one-time price.",
                )
            totals.append(round(total, 2))
        if totals:
            price_eur = min(totals)
        else:
            access = self.attrs.get("access")
            price_eur = 0.0
            if not (isinstance(access, list) and "free" in access):
                self.warn(
                    path,
                    "Kein Kurspreis angegeben und Kurs nicht als kostenfrei gekennzeichnet; 0 € angenommen.",
                    "No course price given and course not marked as free; 0 EUR assumed.",
                )
        if price_eur > MAX_PRICE:
            raise self.fail(
                path,
                f"Preis {price_eur} € übersteigt {MAX_PRICE} €; Kurs übersprungen.",
                f"Price {price_eur} EUR exceeds {MAX_PRICE} EUR; course skipped.",
            )
        return price_eur


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _entries(value: Any) -> Iterable[tuple[int, Any]]:
    if isinstance(value, list):
        return enumerate(value)
    if isinstance(value, dict):
        return [(0, value)]
    return []


def _dicts(value: Any) -> list[dict]:
    return [v for _, v in _entries(value) if isinstance(v, dict)]


def _labels(value: Any, languages: list[str]) -> list[str]:
    """Texts of a MOOChub MultilingualLabel (or a plain string), preferred languages first."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    ranked: list[tuple[int, int, str]] = []
    preference = [*languages, "de", "en"]
    for position, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            lang = str(item.get("inLanguage") or "").split("-")[0].lower()
            rank = preference.index(lang) if lang in preference else len(preference)
            ranked.append((rank, position, item["name"].strip()))
        elif isinstance(item, str) and item.strip():
            ranked.append((len(preference), position, item.strip()))
    ranked.sort()
    result: list[str] = []
    for _, _, text in ranked:
        if text not in result:
            result.append(text)
    return result


def _entry_label(entry: Any, languages: list[str]) -> str:
    if isinstance(entry, str):
        return entry.strip()
    if isinstance(entry, dict):
        labels = _labels(entry.get("name"), languages)
        if labels:
            return labels[0]
        for key in ("shortCode", "targetUrl"):
            if isinstance(entry.get(key), str) and entry[key].strip():
                return entry[key].strip()
    return "?"


def _lookup_keys(entry: dict | str, languages: list[str]) -> list[str]:
    """Lookup candidates, most specific first: framework:shortCode, shortCode, targetUrl, names, alternate names."""
    if isinstance(entry, str):
        return [entry.strip()] if entry.strip() else []
    keys: list[str] = []
    short = entry.get("shortCode")
    framework = entry.get("educationalFramework")
    if isinstance(short, str) and short.strip():
        if isinstance(framework, str) and framework.strip():
            keys.append(f"{framework.split()[0]}:{short.strip()}")
        keys.append(short.strip())
    target = entry.get("targetUrl")
    if isinstance(target, str) and target.strip():
        keys.append(target.strip())
    keys.extend(_labels(entry.get("name"), languages))
    alternates = entry.get("alternateName")
    for alt in alternates if isinstance(alternates, list) else []:
        if isinstance(alt, str) and alt.strip():
            keys.append(alt.strip())
    unique: list[str] = []
    for key in keys:
        if key not in unique:
            unique.append(key)
    return unique


def _proficiency(level: dict, framework: Any) -> int | None:
    """An EducationalLevel on the KommunalCampus 0–4 scale, or None if it cannot be read."""
    level_framework = level.get("educationalFramework") or framework
    short = level.get("shortCode")
    if isinstance(level_framework, str) and level_framework.lower().startswith("digcomp"):
        if isinstance(short, str) and short.strip().isdigit() and 1 <= int(short) <= 8:
            return math.ceil(int(short) / 2)  # 1-2 Foundation, 3-4 Intermediate, 5-6 Advanced, 7-8 Highly spec.
    texts = [t.lower() for t in _labels(level.get("name"), [])]
    alternates = level.get("alternateName")
    texts += [a.lower() for a in alternates if isinstance(a, str)] if isinstance(alternates, list) else []
    for value, words in _LEVEL_WORDS:
        if any(word in text for text in texts for word in words):
            return value
    return None


def _series(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]  # v2: a single date-time string


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)  # March and October both have 31 days
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _local_date(moment: datetime) -> date:
    """The calendar date in Germany (CET/CEST by the EU rule) of a date-time; naive values are taken as local."""
    if moment.tzinfo is None:
        return moment.date()
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    summer_start = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time()) + timedelta(hours=1)
    summer_end = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time()) + timedelta(hours=1)
    offset = 2 if summer_start <= utc < summer_end else 1
    return (utc + timedelta(hours=offset)).date()


def _iso_duration(value: Any) -> float | None:
    """An ISO 8601 duration in days (month = 1/12 year, year = 365.25 days), or None."""
    if not isinstance(value, str):
        return None
    match = _ISO_DURATION.match(value.strip())
    if not match:
        return None
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return (
        years * _DAYS_PER_YEAR + months * _DAYS_PER_MONTH + weeks * 7 + days
        + hours / 24 + minutes / 1440 + seconds / 86400
    )


def _one_line(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _tidy(text: str) -> str:
    lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in text.replace("\r", "").split("\n")]
    lines = [line for line in lines if line not in ("-",)]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


class _TextExtractor(HTMLParser):
    _BLOCK = frozenset({
        "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table", "tr",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt", "dd", "hr", "figure", "figcaption",
    })
    _SKIP = frozenset({"script", "style", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))
