"""Our competencies as MOOChub v3 Skills (``teaches``, ``competencyRequired``), aligned through the crosswalk.

A consumer (eGov-Campus, KI-Campus) matches skills by the framework they
name, so each competency of a module is published once per identifier the
crosswalk (``data/crosswalk.yml``) gives it: an ESCO skill URI (``targetUrl``)
or a DigComp 2.2 code (``shortCode``). An identifier the crosswalk lists
under several competencies names the first of them when it is read back
(the crosswalk's lookup rule, which our import follows), so it is published
for that one only: the export says what our own import reads, and a skill
never points a reader at a neighbouring competency. A competency left
without identifiers is published once as a skill of our own framework (see
``own_framework`` in ``data/texts/moochub_export.yml`` for why it carries a
DigComp label). Every
skill carries our German label, description and synonyms, so an importer
that knows neither framework can still match it by name — ours does.

Levels go out on DigComp's eight-step proficiency scale (our level n as
DigComp 2n), which is the one scale MOOChub importers read; the level's
German name and our descriptor for that level come along.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from campus.catalogue.models import Competency
from campus.store.texts import data_file, texts

log = logging.getLogger(__name__)

ESCO = "ESCO"
DIGCOMP = "DigComp"
_URI = re.compile(r"^https?://\S+$")
_DIGCOMP_CODE = re.compile(r"^\d{1,2}(\.\d{1,2})?$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Alignment:
    """The external identifiers the crosswalk gives one of our competencies."""

    esco: tuple[str, ...] = ()
    digcomp: tuple[str, ...] = ()


Crosswalk = Mapping[str, Alignment]


def read_crosswalk(raw: Any) -> dict[str, Alignment]:
    """The identifiers of each competency in a crosswalk file, each identifier only under its first competency.

    Entries of the wrong shape are skipped with a warning: the file is edited
    by hand, and one bad entry must not take the export down. DigComp codes
    come out in the crosswalk's form ("4.2"; an area "4" as "4.0").
    """
    table = raw.get("competencies") if isinstance(raw, dict) else None
    result: dict[str, Alignment] = {}
    claimed: set[str] = set()  # identifiers named by an earlier competency of the file
    for comp_id, entry in (table or {}).items() if isinstance(table, dict) else []:
        if not isinstance(entry, dict):
            log.warning("crosswalk entry %r is not a mapping; ignored", comp_id)
            continue
        esco = _unclaimed(_strings(entry.get("esco"), _URI, comp_id, "esco"), _esco_key, claimed)
        codes = tuple(_code(c) for c in _strings(entry.get("digcomp"), _DIGCOMP_CODE, comp_id, "digcomp"))
        digcomp = _unclaimed(tuple(dict.fromkeys(codes)), lambda code: f"digcomp:{code}", claimed)
        if esco or digcomp:
            result[str(comp_id)] = Alignment(esco, digcomp)
    return result


def _unclaimed(values: tuple[str, ...], key: Callable[[str], str], claimed: set[str]) -> tuple[str, ...]:
    kept = tuple(v for v in values if key(v) not in claimed)
    claimed.update(key(v) for v in values)
    return kept


def _esco_key(uri: str) -> str:
    """ESCO URIs are the same skill whatever the scheme or case of the address (as the lookup reads them)."""
    match = _UUID.search(uri.lower())
    return f"esco:{match.group(0) if match else uri.lower()}"


def _code(code: str) -> str:
    major, _, minor = code.partition(".")
    return f"{int(major)}.{int(minor or 0)}"


def load_crosswalk() -> dict[str, Alignment]:
    return read_crosswalk(data_file("crosswalk.yml"))


def _strings(value: Any, pattern: re.Pattern[str], comp_id: object, kind: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    kept: list[str] = []
    for item in items:
        text = str(item).strip() if isinstance(item, (str, int, float)) and not isinstance(item, bool) else ""
        if not pattern.match(text):
            log.warning("crosswalk %s value %r of %r is not usable; ignored", kind, item, comp_id)
        elif text not in kept:
            kept.append(text)
    return tuple(kept)


@dataclass(frozen=True)
class SkillWording:
    """What the skills say besides the competency itself (``moochub_export.yml``, the framework's level names)."""

    frameworks: Mapping[str, Mapping[str, str]]  # ESCO / DigComp → version, url
    own_framework: str
    level_names_de: Mapping[int, str]
    levels: Mapping[int, Mapping[str, str]]  # 1–4 → digcomp (code), en (name)

    @classmethod
    def load(cls) -> SkillWording:
        wording = texts("moochub_export")
        names = data_file("seed/competencies.yml")["level_names"]
        return cls(
            frameworks=wording["frameworks"],
            own_framework=str(wording["own_framework"]),
            level_names_de={int(k): str(v) for k, v in names.items()},
            levels={int(k): {"digcomp": str(v["digcomp"]), "en": str(v["en"])} for k, v in wording["levels"].items()},
        )


class SkillWriter:
    """Skills of our competencies, for one export (framework, crosswalk and wording read once)."""

    def __init__(self, framework: Mapping[str, Competency], crosswalk: Crosswalk, wording: SkillWording,
                 base_url: str) -> None:
        self.framework = framework
        self.crosswalk = crosswalk
        self.wording = wording
        self.framework_url = f"{base_url}/api/competencies"

    def taught(self, targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``teaches``: every competency at its target level."""
        return self._skills((t.get("id"), t.get("level_to")) for t in targets)

    def required(self, targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``competencyRequired``: the competencies a module starts above level 0, at that level."""
        return self._skills((t.get("id"), t.get("level_from")) for t in targets if _level(t.get("level_from")))

    def _skills(self, pairs: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for comp_id, level in pairs:
            competency = self.framework.get(comp_id) if isinstance(comp_id, str) else None
            if competency is None:
                log.warning("module competency %r is not in the framework; not exported", comp_id)
                continue
            for skill in self._skills_of(competency, _level(level)):
                if skill not in out:
                    out.append(skill)
        return out

    def _skills_of(self, competency: Competency, level: int) -> list[dict[str, Any]]:
        alignment = self.crosswalk.get(competency.id, Alignment())
        common = self._common(competency, level)
        esco, digcomp = self.wording.frameworks[ESCO], self.wording.frameworks[DIGCOMP]
        skills = [
            {**common, "educationalFramework": ESCO, "educationalFrameworkVersion": esco["version"],
             "url": esco["url"], "targetUrl": uri}
            for uri in alignment.esco
        ]
        skills += [
            {**common, "shortCode": code, "educationalFramework": DIGCOMP,
             "educationalFrameworkVersion": digcomp["version"], "url": digcomp["url"]}
            for code in alignment.digcomp
        ]
        if not skills:
            own = self.wording.own_framework
            skills.append({**common, "educationalFramework": own,
                           "educationalFrameworkVersion": self.wording.frameworks[own]["version"],
                           "url": self.framework_url, "targetUrl": f"{self.framework_url}#{competency.id}"})
        return skills

    def _common(self, competency: Competency, level: int) -> dict[str, Any]:
        common: dict[str, Any] = {"name": [{"inLanguage": "de", "name": competency.label}]}
        synonyms = [s for s in dict.fromkeys(competency.synonyms)
                    if isinstance(s, str) and s.strip() and s.casefold() != competency.label.casefold()]
        if synonyms:
            common["alternateName"] = synonyms
        if competency.description:
            common["description"] = competency.description
        if level in self.wording.levels:
            common["educationalLevel"] = self._level(competency, level)
        return common

    def _level(self, competency: Competency, level: int) -> dict[str, Any]:
        digcomp = self.wording.frameworks[DIGCOMP]
        scale = self.wording.levels[level]
        names = [{"inLanguage": "de", "name": self.wording.level_names_de[level]}] \
            if level in self.wording.level_names_de else []
        result: dict[str, Any] = {
            "type": "EducationalLevel",
            "name": [*names, {"inLanguage": "en", "name": scale["en"]}],
            "shortCode": scale["digcomp"],
            "educationalFramework": DIGCOMP,
            "educationalFrameworkVersion": digcomp["version"],
            "url": digcomp["url"],
        }
        descriptors = {str(key): value for key, value in (competency.levels or {}).items()}  # JSON: str keys
        descriptor = descriptors.get(str(level))
        if isinstance(descriptor, str) and descriptor.strip():
            result["description"] = descriptor
        return result


def _level(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
