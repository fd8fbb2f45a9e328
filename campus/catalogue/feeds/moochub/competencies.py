"""Which KommunalCampus competencies a course teaches, from which level to which (0–4).

The boundary to the competency framework is one function, a
:data:`CompetencyLookup`: it receives a reference to a skill as the provider
wrote it (``DigComp:4.2``, ``4.2``, an ESCO URL, a name) and answers with a
KommunalCampus competency id or ``None``. Everything else here is MOOChub:

* ``teaches[]`` and ``educationalAlignment[]`` give taught competencies and
  their target level (the skill's own ``educationalLevel``, else the course's);
* ``competencyRequired[]`` raises the starting level of a taught competency;
  course references (``educationalFramework: "Course_ID"``) are dropped;
* levels: DigComp proficiency 1–8 → ceil(n/2), else level words from
  ``data/texts/moochub.yml``; unreadable levels default (0 → 2, required 1).

Every mapped competency is tagged ``source: "feed"`` with a confidence: the
lookup's own if it gives one (``(id, confidence)``), else
:data:`CODE_CONFIDENCE` when a code or URL matched (a crosswalk entry) and
:data:`NAME_CONFIDENCE` when only a name did. A course none of whose skills
maps is still imported, with an issue: the platform then tags it from its
text (``embeddings.tagging``), for the board to check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from campus.catalogue.feeds.moochub.document import dicts, entries, entry_label, labels
from campus.catalogue.feeds.moochub.issues import IssueLog
from campus.store.texts import lookup as text_lookup

LookupAnswer = str | tuple[str, float] | None
CompetencyLookup = Callable[[str], LookupAnswer]
"""A provider's skill reference (framework:code, code, URL or name) → KommunalCampus competency id, or None.

The answer may carry the lookup's confidence as ``(id, confidence)``.
"""

DEFAULT_LEVEL_FROM = 0
DEFAULT_LEVEL_TO = 2
# A competency listed as required but without a level means "some prior knowledge".
DEFAULT_REQUIRED_LEVEL = 1
MAX_LEVEL = 4
MAX_COMPETENCIES = 10
_TAUGHT_KEYS = ("teaches", "educationalAlignment")
_COURSE_REFERENCE = "Course_ID"
# A code or URL the crosswalk knows is the provider's own statement, translated between frameworks; a name
# that the lookup matched is a reading of the provider's words, so the board should look twice.
CODE_CONFIDENCE = 0.9
NAME_CONFIDENCE = 0.75


@dataclass
class _Target:
    id: str
    level_to: int | None = None  # None: not given by the provider
    level_from: int | None = None
    to_path: str = ""  # first entry that taught it
    from_path: str = ""  # first entry that required it
    confidence: float = NAME_CONFIDENCE


def map_competencies(
    attrs: dict[str, Any], languages: list[str], competency_lookup: CompetencyLookup, log: IssueLog
) -> list[dict[str, Any]]:
    """The template's ``competencies`` (id, levels, source "feed", confidence); empty if none maps (an issue)."""
    reader = _CompetencyReader(attrs, languages, competency_lookup, log)
    targets = reader.taught()
    reader.required(targets)
    result = list(targets.values())
    for target in result:
        _settle_levels(target, log)
    if not result:
        named = any(True for key in _TAUGHT_KEYS for _ in entries(attrs.get(key)))
        log.warn("attributes.teaches", "competencies.none_mapped" if named else "competencies.none_given")
    if len(result) > MAX_COMPETENCIES:
        dropped = ", ".join(t.id for t in result[MAX_COMPETENCIES:])
        log.warn("attributes.teaches", "competencies.too_many", limit=MAX_COMPETENCIES, dropped=dropped)
        result = result[:MAX_COMPETENCIES]
    return [{"id": t.id, "level_from": t.level_from, "level_to": t.level_to, "source": "feed",
             "confidence": t.confidence} for t in result]


def lookup_keys(entry: dict[str, Any] | str, languages: list[str]) -> list[str]:
    """Lookup candidates, most specific first: framework:shortCode, shortCode, targetUrl, names, alternate names."""
    if isinstance(entry, str):
        return [entry.strip()] if entry.strip() else []
    keys = code_keys(entry)
    keys.extend(labels(entry.get("name"), languages))
    alternates = entry.get("alternateName")
    for alt in alternates if isinstance(alternates, list) else []:
        if isinstance(alt, str) and alt.strip():
            keys.append(alt.strip())
    unique: list[str] = []
    for key in keys:
        if key not in unique:
            unique.append(key)
    return unique


def code_keys(entry: dict[str, Any]) -> list[str]:
    """The lookup candidates of an entry that are identifiers (framework:shortCode, shortCode, targetUrl)."""
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
    return keys


def answer(found: LookupAnswer) -> tuple[str, float | None] | None:
    """A lookup's answer as (id, its confidence or None); None for no or an unusable answer."""
    if isinstance(found, tuple) and len(found) == 2:
        comp_id, confidence = found
        if isinstance(comp_id, str) and comp_id.strip() and isinstance(confidence, (int, float)):
            return comp_id.strip(), min(1.0, max(0.0, float(confidence)))
        return None
    if isinstance(found, str) and found.strip():
        return found.strip(), None
    return None


def proficiency(level: dict[str, Any], framework: Any) -> int | None:
    """An EducationalLevel on the KommunalCampus 0–4 scale, or None if it cannot be read."""
    level_framework = level.get("educationalFramework") or framework
    short = level.get("shortCode")
    if isinstance(level_framework, str) and level_framework.lower().startswith("digcomp"):
        if isinstance(short, str) and short.strip().isdigit() and 1 <= int(short) <= 8:
            return math.ceil(int(short) / 2)  # 1-2 Foundation, 3-4 Intermediate, 5-6 Advanced, 7-8 Highly spec.
    texts = [t.lower() for t in labels(level.get("name"), [])]
    alternates = level.get("alternateName")
    texts += [a.lower() for a in alternates if isinstance(a, str)] if isinstance(alternates, list) else []
    for value, words in _level_words():
        if any(word in text for text in texts for word in words):
            return value
    return None


def _level_words() -> list[tuple[int, list[str]]]:
    """The level vocabulary of ``data/texts/moochub.yml``, highest level first."""
    table = text_lookup("moochub.level_words")
    return sorted(((int(level), [str(w).lower() for w in words]) for level, words in table.items()), reverse=True)


def _settle_levels(target: _Target, log: IssueLog) -> None:
    """Default missing levels and make sure the starting level is below the target level."""
    explicit_to = target.level_to is not None
    if not explicit_to:
        log.warn(f"{target.to_path}.educationalLevel", "competencies.target_level_missing",
                 id=target.id, level=DEFAULT_LEVEL_TO)
    level_to = target.level_to if target.level_to is not None else DEFAULT_LEVEL_TO
    level_from = DEFAULT_LEVEL_FROM if target.level_from is None else target.level_from
    if level_from >= level_to:
        if not explicit_to and level_from < MAX_LEVEL:
            level_to = level_from + 1
        else:
            level_from = max(0, level_to - 1)
        log.warn(target.from_path or "attributes.competencyRequired", "competencies.levels_adjusted",
                 id=target.id, level_from=level_from, level_to=level_to)
    target.level_from, target.level_to = level_from, level_to


class _CompetencyReader:
    """Reads one course's skill entries through the lookup, reporting what it cannot use."""

    def __init__(
        self, attrs: dict[str, Any], languages: list[str], competency_lookup: CompetencyLookup, log: IssueLog
    ) -> None:
        self.attrs = attrs
        self.languages = languages
        self.competency_lookup = competency_lookup
        self.log = log

    def taught(self) -> dict[str, _Target]:
        """Competencies from ``teaches`` and ``educationalAlignment``, by id, with the highest level given."""
        targets: dict[str, _Target] = {}
        for key in _TAUGHT_KEYS:
            for position, entry in entries(self.attrs.get(key)):
                path = f"attributes.{key}[{position}]"
                found = self._resolve(entry, path)
                if found is None:
                    continue
                comp_id, confidence = found
                level = self._level_of(entry, path, use_course_level=True)
                target = targets.setdefault(comp_id, _Target(comp_id, to_path=path, confidence=confidence))
                target.confidence = max(target.confidence, confidence)
                if level is not None:
                    target.level_to = max(target.level_to or 0, level)
        return targets

    def required(self, targets: dict[str, _Target]) -> None:
        """Raise the starting level of taught competencies that ``competencyRequired`` names."""
        for position, entry in entries(self.attrs.get("competencyRequired")):
            path = f"attributes.competencyRequired[{position}]"
            label = entry_label(entry, self.languages)
            if isinstance(entry, dict) and entry.get("educationalFramework") == _COURSE_REFERENCE:
                self.log.warn(path, "competencies.required_course", label=label)
                continue
            found = self._resolve(entry, path)
            if found is None:
                continue
            comp_id = found[0]
            if comp_id not in targets:
                self.log.warn(path, "competencies.only_required", label=label, id=comp_id)
                continue
            level = self._level_of(entry, path, use_course_level=False)
            if level is None:
                level = DEFAULT_REQUIRED_LEVEL
                self.log.warn(f"{path}.educationalLevel", "competencies.required_level_missing",
                              id=comp_id, level=level)
            target = targets[comp_id]
            target.level_from = max(target.level_from or 0, level)
            target.from_path = target.from_path or path

    def _resolve(self, entry: Any, path: str) -> tuple[str, float] | None:
        """The competency id of an entry and how sure the match is, or None after saying why it is not imported."""
        if not isinstance(entry, (dict, str)):
            self.log.warn(path, "competencies.not_an_object")
            return None
        codes = set(code_keys(entry)) if isinstance(entry, dict) else set()
        for key in lookup_keys(entry, self.languages):
            found = answer(self.competency_lookup(key))
            if found is not None:
                comp_id, confidence = found
                default = CODE_CONFIDENCE if key in codes else NAME_CONFIDENCE
                return comp_id, default if confidence is None else confidence
        self._warn_unmapped(path, entry)
        return None

    def _warn_unmapped(self, path: str, entry: dict[str, Any] | str) -> None:
        label = entry_label(entry, self.languages)
        reference = ""
        if isinstance(entry, dict):
            reference = " ".join(
                str(entry[k]) for k in ("educationalFramework", "shortCode") if isinstance(entry.get(k), str)
            )
        if reference:
            self.log.warn(path, "competencies.unmapped_with_reference", label=label, reference=reference)
        else:
            self.log.warn(path, "competencies.unmapped", label=label)

    def _level_of(self, entry: dict[str, Any] | str, path: str, use_course_level: bool) -> int | None:
        if not isinstance(entry, dict):
            return None
        framework = entry.get("educationalFramework")
        own = entry.get("educationalLevel")
        if isinstance(own, dict):
            level = proficiency(own, framework)
            if level is not None:
                return level
            self.log.warn(f"{path}.educationalLevel", "competencies.level_unreadable")
        if not use_course_level:
            return None
        course_levels = dicts(self.attrs.get("educationalLevel"))
        same = [lv for lv in course_levels if lv.get("educationalFramework") == framework]
        for level_obj in same + [lv for lv in course_levels if lv not in same]:
            level = proficiency(level_obj, level_obj.get("educationalFramework"))
            if level is not None:
                return level
        return None
