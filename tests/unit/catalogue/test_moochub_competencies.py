"""MOOChub mapping: skill references through the competency lookup, and levels 0–4 from MOOChub levels."""

from __future__ import annotations

import pytest

from campus.catalogue.feeds.moochub import map_moochub_document
from campus.catalogue.feeds.moochub.competencies import CODE_CONFIDENCE, NAME_CONFIDENCE
from tests.unit.catalogue.moochub_support import PROVIDER, course, document, feed_tag, run, skill


def test_lookup_tries_short_code_before_names() -> None:
    calls: list[str] = []

    def lookup(key: str) -> str | None:
        calls.append(key)
        return None

    devices = {
        "name": [{"inLanguage": "en", "name": "PROTECTING DEVICES"}, {"inLanguage": "de", "name": "Geräte schützen"}],
        "alternateName": ["Endgerätesicherheit"],
        "shortCode": "4.1",
        "educationalFramework": "DigComp",
        "educationalFrameworkVersion": "2.2",
        "targetUrl": "https://example.org/digcomp/4.1",
    }
    map_moochub_document(document(course(teaches=[devices])), PROVIDER, lookup)
    assert calls == [
        "DigComp:4.1",
        "4.1",
        "https://example.org/digcomp/4.1",
        "Geräte schützen",  # course language (de) first
        "PROTECTING DEVICES",
        "Endgerätesicherheit",
    ]
    # the framework-qualified code wins over the bare one
    result = run(document(course(teaches=[devices])), {"DigComp:4.1": "it_security_basics", "4.1": "other"})
    assert result.modules[0]["competencies"][0]["id"] == "it_security_basics"


def test_educational_alignment_gives_a_target_competency() -> None:
    alignment = {
        "alignmentType": "educationalSubject",
        "educationalFramework": "ISCED-F",
        "educationalFrameworkVersion": "2013",
        "name": [{"inLanguage": "de", "name": "Computernutzung"}],
        "shortCode": "0611",
        "type": "EducationalAlignment",
    }
    result = run(document(course(teaches=None, educationalAlignment=[alignment])), {"0611": "office_tools"})
    # found by its ISCED-F code: a crosswalk entry, so the code confidence
    assert result.modules[0]["competencies"] == [feed_tag("office_tools", 0, 2, CODE_CONFIDENCE)]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ({"shortCode": "1", "name": [{"inLanguage": "en", "name": "FOUNDATION"}]}, 1),
        ({"shortCode": "2", "name": [{"inLanguage": "en", "name": "FOUNDATION"}]}, 1),
        ({"shortCode": "6", "name": [{"inLanguage": "en", "name": "ADVANCED"}]}, 3),
        ({"shortCode": "8", "name": [{"inLanguage": "en", "name": "HIGHLY SPECIALISED"}]}, 4),
        ({"name": [{"inLanguage": "de", "name": "Hoch spezialisiert"}]}, 4),
        ({"name": [{"inLanguage": "de", "name": "Grundlegend"}]}, 1),
    ],
)
def test_digcomp_proficiency_maps_onto_zero_to_four(level: dict, expected: int) -> None:
    base = {"educationalFramework": "DigComp", "educationalFrameworkVersion": "2.2", "type": "EducationalLevel"}
    level = base | level
    result = run(document(course(teaches=[skill("Datenschutz", educationalLevel=level)])))
    assert result.modules[0]["competencies"] == [feed_tag("data_protection", 0, expected, NAME_CONFIDENCE)]


def test_required_level_not_below_target_is_adjusted_with_an_issue() -> None:
    required = skill("Datenschutz", educationalLevel={
        "name": [{"inLanguage": "en", "name": "ADVANCED"}],
        "shortCode": "5",
        "educationalFramework": "DigComp",
        "educationalFrameworkVersion": "2.2",
        "type": "EducationalLevel",
    })
    taught = skill("Datenschutz", "ESCO")
    result = run(document(course(teaches=[taught], competencyRequired=[required])))
    # taught level defaulted (2), required 3 → raised to 3 → 4
    assert result.modules[0]["competencies"] == [feed_tag("data_protection", 3, 4, NAME_CONFIDENCE)]
    assert result.modules[0]["category"] == "Intensivmodul"
    assert "attributes.competencyRequired[0]" in [i.field for i in result.issues]


def test_more_than_ten_competencies_are_cut_with_an_issue() -> None:
    skills = [skill(f"K{n}", "ESCO") for n in range(12)]
    result = run(document(course(teaches=skills)), {f"K{n}": f"comp_{n}" for n in range(12)})
    assert len(result.modules[0]["competencies"]) == 10
    assert any("comp_10, comp_11" in i.message_de for i in result.issues)


def test_a_lookup_may_answer_with_its_own_confidence() -> None:
    def lookup(key: str) -> tuple[str, float] | None:
        return ("data_protection", 0.62) if key == "Datenschutz" else None

    result = map_moochub_document(document(course()), PROVIDER, lookup)
    assert result.modules[0]["competencies"] == [feed_tag("data_protection", 0, 2, 0.62)]
    # the same course through a plain lookup: the name confidence
    plain = run(document(course()))
    assert plain.modules[0]["competencies"][0]["confidence"] == NAME_CONFIDENCE


def test_a_course_whose_skills_do_not_map_is_kept_untagged_with_an_issue() -> None:
    result = run(document(course()), {})
    [module] = result.modules
    assert module["competencies"] == [] and module["category"] == "Basismodul"  # 16 h, no level to raise it
    assert [(i.field, i.fatal) for i in result.issues][-1:] == [("attributes.teaches", False)]
    assert "aus seinem Text" in result.issues[-1].message_de and "tags it" in result.issues[-1].message_en
    bare = run(document(course(teaches=None)), {})
    assert bare.modules[0]["competencies"] == []
    assert any("nennt keine Kompetenzen" in i.message_de for i in bare.issues)
