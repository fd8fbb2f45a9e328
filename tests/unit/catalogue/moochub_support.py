"""Shared inputs of the MOOChub mapper tests: the fixture documents, a lookup table, a minimal valid course."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from campus.catalogue.feeds.moochub import MappingIssue, MappingResult, map_moochub_document

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "moochub"
SCHEMA_PATH = ROOT.parent / "shared" / "ext" / "moochub-schema" / "moochub-schema.json"
FIXTURE_NAMES = ("openhpi_datenschutz.json", "kicampus_digcomp.json", "egov_campus_blended.json")

ESCO_ESERVICES = "http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce"
LOOKUP = {
    "4.2": "data_protection",
    "Datenschutz": "data_protection",
    "4.1": "it_security_basics",
    "1.1": "dc_information_literacy",
    "5.2": "ai_basics",
    "2.1": "dc_communication",
    ESCO_ESERVICES: "online_services",
    "Verwaltungsverfahren digitalisieren": "digital_admin_procedure",
}
PROVIDER = "moochub_test"


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


def run(doc: Any, lookup: dict[str, str] | None = None) -> MappingResult:
    table = LOOKUP if lookup is None else lookup
    return map_moochub_document(doc, PROVIDER, table.get)


def issues_for(result: MappingResult, index: int) -> list[MappingIssue]:
    return [i for i in result.issues if i.index == index]


def skill(name: str, framework: str = "DigComp", **extra: Any) -> dict[str, Any]:
    """A MOOChub Skill named in German; ``extra`` adds e.g. ``educationalLevel`` or ``shortCode``."""
    version = "2.2" if framework == "DigComp" else "1.2"
    return {
        "name": [{"inLanguage": "de", "name": name}],
        "educationalFramework": framework,
        "educationalFrameworkVersion": version,
        **extra,
    }


def course(**attributes: Any) -> dict[str, Any]:
    """A minimal schema-valid MOOChub v3 course; keyword arguments replace or (with None) remove attributes."""
    attrs = {
        "name": "Datenschutz kompakt",
        "learningResourceType": {
            "identifier": "https://w3id.org/kim/hcrt/course",
            "type": "Concept",
            "inScheme": "https://w3id.org/kim/hcrt/scheme",
        },
        "courseMode": ["online"],
        "description": "<p>Ein kompakter Einstieg in den Datenschutz für Beschäftigte in Kommunen.</p>",
        "inLanguage": ["de"],
        "teaches": [
            skill("Datenschutz", "ESCO", educationalLevel={
                "name": [{"inLanguage": "de", "name": "Selbstständig"}],
                "educationalFramework": "ESCO",
                "educationalFrameworkVersion": "1.2",
                "type": "EducationalLevel",
            }),
        ],
        "duration": "P2W",
        "workload": {"timeValue": 8, "timeUnit": "h/week"},
        "publisher": {"type": "Organization", "name": "Testakademie"},
        "url": "https://example.org/kurse/datenschutz-kompakt",
        "license": [{"identifier": "CC-BY-4.0", "url": "https://spdx.org/licenses/CC-BY-4.0.html"}],
        "creator": [{"type": "Organization", "name": "Testakademie"}],
        "access": ["free"],
    }
    for key, value in attributes.items():
        if value is None:
            attrs.pop(key, None)
        else:
            attrs[key] = value
    return {"id": "0b5e8f2a-3c4d-4e6f-8a9b-1c2d3e4f5a6b", "type": "Course", "attributes": attrs}


def feed_tag(comp_id: str, level_from: int, level_to: int, confidence: float) -> dict[str, Any]:
    """A competency as the mapper tags it: named by the feed, with how sure the lookup was."""
    return {"id": comp_id, "level_from": level_from, "level_to": level_to, "source": "feed",
            "confidence": confidence}


def document(*courses: dict[str, Any]) -> dict[str, Any]:
    return {
        "links": {
            "self": "https://example.org/bridges/moochub/courses",
            "first": "https://example.org/bridges/moochub/courses",
            "last": "https://example.org/bridges/moochub/courses",
        },
        "data": list(courses),
    }
