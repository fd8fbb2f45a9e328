"""MOOChub mapping of the three fixture documents: real MOOChub v3, mapped field by field."""

from __future__ import annotations

import copy
import json
from datetime import datetime

import jsonschema
import pytest

from campus.catalogue.feeds.moochub.competencies import CODE_CONFIDENCE, NAME_CONFIDENCE
from campus.catalogue.template import ModuleIn
from tests.unit.catalogue.moochub_support import (
    FIXTURE_NAMES,
    PROVIDER,
    SCHEMA_PATH,
    course,
    document,
    feed_tag,
    issues_for,
    load,
    run,
)

# ---------------------------------------------------------------------------
# fixtures are real MOOChub v3
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_validates_against_moochub_v3_schema(validator, name: str) -> None:
    doc = load(name)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    # date-time is not format-checked without extra packages: check it here
    for item in doc["data"]:
        for key in ("startDate", "endDate"):
            for value in item["attributes"].get(key) or []:
                assert datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


def test_schema_validation_is_not_vacuous(validator) -> None:
    doc = load("openhpi_datenschutz.json")
    doc["data"][0]["attributes"]["courseMode"] = ["MOOC"]
    doc["data"][0]["attributes"]["workload"] = {"timeValue": 4, "timeUnit": "h"}
    assert len(list(validator.iter_errors(doc))) == 2
    assert not list(validator.iter_errors(document(course())))


# ---------------------------------------------------------------------------
# full mapping of the three fixture documents
# ---------------------------------------------------------------------------


def test_openhpi_course_maps_every_field() -> None:
    result = run(load("openhpi_datenschutz.json"))
    module = next(m for m in result.modules if m["external_id"] == "3f2b6c1e-8d4a-4e7b-9a21-5c0d7e9f1a42")
    assert module == {
        "external_id": "3f2b6c1e-8d4a-4e7b-9a21-5c0d7e9f1a42",
        "provider": PROVIDER,
        "title": "Datenschutz in der Verwaltung",
        "description": (
            "Ob Bürgeranliegen, Personalakte oder Ratsinformationssystem – in der Kommunalverwaltung werden "
            "täglich personenbezogene Daten verarbeitet.\n\n"
            "Der Kurs vermittelt in vier Wochen die Grundlagen für den rechtssicheren Umgang mit diesen Daten:\n\n"
            "- Grundsätze der DSGVO & des BDSG\n"
            "- Rechte der Betroffenen und Auskunftsersuchen\n\n"
            "Kursinhalte: 1.1 Warum Datenschutz in der Verwaltung zählt; "
            "1.2 Selbsttest: Personenbezogene Daten erkennen; 2.1 Rechtsgrundlagen nach Art. 6 DSGVO"
        ),
        "learning_outcomes": [
            "Personenbezogene Daten und Privatsphäre schützen: "
            "Personenbezogene Daten und die Privatsphäre in digitalen Umgebungen schützen.",
            "Datenschutz-Grundverordnung anwenden: "
            "Die Vorgaben der DSGVO bei der Verarbeitung personenbezogener Daten im Arbeitsalltag umsetzen.",
        ],
        "category": "Basismodul",
        # DigComp 4.2 at proficiency 4 (Intermediate) → level 2; named by its code
        "competencies": [feed_tag("data_protection", 0, 2, CODE_CONFIDENCE)],
        "prerequisites": [],
        "learning_units": 2,
        "duration_hours": 16.0,  # 4 h/week × P4W
        "parts": [{"kind": "online_prep", "hours": 16.0, "weeks": 4}],
        "format": "online",
        "language": "de",
        "ects": 0.0,
        "region": "bundesweit",
        "locations": [],
        # 2025-09-28T22:00Z is already 29 September in Germany (CEST)
        "dates": [{"start": "2025-05-05", "end": "2025-06-02"}, {"start": "2025-09-29", "end": "2025-10-26"}],
        "price_member_eur": 0.0,
        "price_non_member_eur": 0.0,
        "proof_tiers": ["participation", "scores"],
        "url": "https://open.hpi.de/courses/datenschutz-verwaltung2025",
        "license": "CC-BY-SA-4.0",
        "keywords": ["Datenschutz", "DSGVO", "Verwaltung"],
        "status": "submitted",
    }
    own = issues_for(result, 0)
    assert [(i.field, i.fatal) for i in own] == [("attributes.teaches[1]", False)]
    assert "Datenschutz-Grundverordnung anwenden" in own[0].message_de


def test_kicampus_course_maps_digcomp_levels_and_requirements() -> None:
    result = run(load("kicampus_digcomp.json"))
    assert len(result.modules) == 1
    module = result.modules[0]
    assert module["title"] == "KI in der Verwaltung – Vertiefung: Chancen, Risiken, Regeln"
    # the literal "\n" of the official examples and &quot; are gone
    assert module["description"] == (
        "Wo kann Künstliche Intelligenz Verwaltungsprozesse sinnvoll unterstützen – und wo nicht?\n\n"
        'Der Kurs vertieft den "AI Act" und zeigt Praxisbeispiele aus Kommunen.'
    )
    assert module["competencies"] == [
        # taught at DigComp 5 (Advanced) → 3, required at DigComp 3 (Intermediate) → 2
        feed_tag("ai_basics", 2, 3, CODE_CONFIDENCE),
        # no own level: the course-level educationalLevel (DigComp 4) → 2
        feed_tag("dc_information_literacy", 0, 2, CODE_CONFIDENCE),
    ]
    # the subject the lookup does not know still tells the tagger what the course is about
    assert module["keywords"] == ["Computernutzung"]
    assert (module["url"], module["license"]) == ("https://ki-campus.org/courses/ki-verwaltung-vertiefung",
                                                  "CC-BY-4.0")
    assert module["learning_outcomes"] == [
        "Technologische Bedarfe erkennen und darauf reagieren: Bedarfe erkennen und passende digitale Werkzeuge "
        "auswählen.",
        "Daten, Informationen und digitale Inhalte durchsuchen und filtern",
    ]
    assert module["category"] == "Intensivmodul"  # level_from 2
    assert (module["format"], module["region"], module["locations"]) == ("online", "bundesweit", [])
    assert (module["duration_hours"], module["learning_units"]) == (24.0, 3)
    assert module["parts"] == [{"kind": "online_prep", "hours": 24.0, "weeks": 6}]
    assert module["language"] == "de"
    assert module["dates"] == [{"start": "2026-01-12", "end": "2026-02-23"}]
    assert (module["price_member_eur"], module["ects"], module["proof_tiers"]) == (0.0, 0.0, ["scores"])
    assert module["status"] == "submitted"
    fields = {i.field: i for i in result.issues}
    assert set(fields) == {
        "attributes.educationalAlignment[0]",  # ISCED-F 0611 unknown to the lookup
        "attributes.competencyRequired[0]",  # Course_ID reference
        "attributes.competencyRequired[2]",  # required but not taught
    }
    assert not any(i.fatal for i in result.issues)
    assert "KI-Grundlagen für die Verwaltung" in fields["attributes.competencyRequired[0]"].message_de
    assert "dc_communication" in fields["attributes.competencyRequired[2]"].message_en


def test_egov_blended_course_maps_workload_ects_price_and_place() -> None:
    result = run(load("egov_campus_blended.json"))
    module = result.modules[0]
    assert module["format"] == "blended"
    assert module["duration_hours"] == 60.0  # 6 h/week × P10W
    assert module["learning_units"] == 8  # 60 / 8 = 7.5, rounded half up
    # hasPart: 12 h + 12 h + 6 h online items; the "other" item (presence day) is not online
    assert module["parts"] == [
        {"kind": "online_prep", "hours": 30.0, "weeks": None},
        {"kind": "presence_workshop", "hours": 30.0, "weeks": None},
    ]
    assert module["ects"] == 2.0
    assert module["proof_tiers"] == ["participation", "scores", "certificate"]
    assert module["price_member_eur"] == module["price_non_member_eur"] == 490.0
    assert (module["region"], module["locations"]) == (None, ["Berlin"])
    assert module["dates"] == [
        {"start": "2026-03-02", "end": "2026-05-08"},
        {"start": "2026-09-07", "end": "2026-11-13"},
    ]
    assert module["competencies"] == [
        # ESCO skill found by targetUrl; level names "Fortgeschritten" → 3, required "Selbstständig" → 2
        feed_tag("online_services", 2, 3, CODE_CONFIDENCE),
        # found by name, no level given → defaults; a name is less sure than a URL
        feed_tag("digital_admin_procedure", 0, 2, NAME_CONFIDENCE),
    ]
    assert module["license"] == "proprietary"
    assert module["category"] == "Intensivmodul"
    assert module["description"].startswith("Worum geht es?\n\nDas Onlinezugangsgesetz verpflichtet")
    assert "- Rechtsrahmen: OZG, EGovG & VwVfG\n- Ende-zu-Ende-Digitalisierung von Anträgen" in module["description"]
    assert "Kursinhalte: Online-Selbstlernphase 1: Rechtsrahmen des OZG;" in module["description"]
    fields = [(i.field, i.fatal) for i in result.issues]
    assert fields == [
        ("attributes.teaches[1].educationalLevel", False),
        ("attributes.contentLocation", False),
        ("attributes.offer[1]", False),
    ]
    assert "90" in result.issues[2].message_de and "Zertifikat" in result.issues[2].message_de


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_returned_module_validates_as_module_in(name: str) -> None:
    result = run(load(name))
    assert result.modules
    for module in result.modules:
        assert ModuleIn.model_validate(module).model_dump(mode="json") == module
        assert module["status"] == "submitted" and module["provider"] == PROVIDER
    for issue in result.issues:
        assert issue.message_de.strip() and issue.message_en.strip() and issue.field


def test_course_without_mappable_competency_is_kept_untagged_for_the_platform_to_tag() -> None:
    result = run(load("openhpi_datenschutz.json"))
    assert [m["external_id"] for m in result.modules] == [
        "3f2b6c1e-8d4a-4e7b-9a21-5c0d7e9f1a42",
        "9c4e2a7b-1f3d-4b6a-8e5c-2d7f0a9b3c61",
        "5a8d3e2f-6b1c-4d9e-a7f0-8c2b4e6d1f93",
    ]
    untagged = result.modules[1]
    assert untagged["competencies"] == [] and untagged["title"] == "Design Thinking für Teams"
    kept = issues_for(result, 1)
    assert [(i.field, i.fatal) for i in kept] == [("attributes.teaches[0]", False), ("attributes.teaches", False)]
    assert kept[1].external_id == "9c4e2a7b-1f3d-4b6a-8e5c-2d7f0a9b3c61"
    assert "aus seinem Text" in kept[1].message_de and "from its text" in kept[1].message_en


def test_bad_date_window_is_dropped_with_an_issue() -> None:
    result = run(load("openhpi_datenschutz.json"))
    module = next(m for m in result.modules if m["title"] == "IT-Sicherheit im Homeoffice")
    assert module["dates"] == [{"start": "2025-03-03", "end": "2025-03-17"}]
    dated = [i for i in issues_for(result, 2) if i.field == "attributes.endDate[1]"]
    assert len(dated) == 1 and not dated[0].fatal
    assert "vor dem Startdatum" in dated[0].message_de and "before start date" in dated[0].message_en
    # short course: 3 h/week × 2 weeks = 6 h → Bonusmodul, one learning unit; de-DE → de
    assert (module["duration_hours"], module["learning_units"], module["category"]) == (6.0, 1, "Bonusmodul")
    assert module["language"] == "de"
    defaulted = {i.field for i in issues_for(result, 2)}
    assert {"attributes.teaches[0].educationalLevel", "attributes.offer"} <= defaulted


# ---------------------------------------------------------------------------
# robustness, purity
# ---------------------------------------------------------------------------

JUNK = [None, 0, 1.5, float("nan"), float("inf"), True, "", "x", [], {}, [None], [1], ["x"], [{}], {"a": 1}]


def test_junk_attribute_values_never_crash_the_mapper() -> None:
    base = load("egov_campus_blended.json")
    keys = sorted(set(base["data"][0]["attributes"]) | {"abstract", "learningObjectives", "educationalLevel"})
    for key in keys:
        for value in JUNK:
            doc = copy.deepcopy(base)
            doc["data"][0]["attributes"][key] = copy.deepcopy(value)
            result = run(doc)
            for module in result.modules:
                ModuleIn.model_validate(module)
            assert len(result.modules) + sum(i.fatal for i in result.issues) == 1, (key, value)


def test_mapping_is_deterministic_and_leaves_the_input_untouched() -> None:
    for name in FIXTURE_NAMES:
        doc = load(name)
        before = copy.deepcopy(doc)
        first, second = run(doc), run(doc)
        assert doc == before
        assert first == second
