"""MOOChub v3 → module template mapping (campus.moochub)."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from campus.catalogue.feeds.moochub import MappingIssue, MappingResult, html_to_text, map_moochub_document
from campus.catalogue.template import ModuleIn

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


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def run(doc: dict, lookup: dict | None = None) -> MappingResult:
    table = LOOKUP if lookup is None else lookup
    return map_moochub_document(doc, PROVIDER, table.get)


def issues_for(result: MappingResult, index: int) -> list[MappingIssue]:
    return [i for i in result.issues if i.index == index]


def course(**attributes) -> dict:
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
            {
                "name": [{"inLanguage": "de", "name": "Datenschutz"}],
                "educationalFramework": "ESCO",
                "educationalFrameworkVersion": "1.2",
                "educationalLevel": {
                    "name": [{"inLanguage": "de", "name": "Selbstständig"}],
                    "educationalFramework": "ESCO",
                    "educationalFrameworkVersion": "1.2",
                    "type": "EducationalLevel",
                },
            }
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


def document(*courses: dict) -> dict:
    return {
        "links": {
            "self": "https://example.org/bridges/moochub/courses",
            "first": "https://example.org/bridges/moochub/courses",
            "last": "https://example.org/bridges/moochub/courses",
        },
        "data": list(courses),
    }


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
        # DigComp 4.2 at proficiency 4 (Intermediate) → level 2
        "competencies": [{"id": "data_protection", "level_from": 0, "level_to": 2}],
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
        {"id": "ai_basics", "level_from": 2, "level_to": 3},
        # no own level: the course-level educationalLevel (DigComp 4) → 2
        {"id": "dc_information_literacy", "level_from": 0, "level_to": 2},
    ]
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
        {"id": "online_services", "level_from": 2, "level_to": 3},
        # found by name, no level given → defaults
        {"id": "digital_admin_procedure", "level_from": 0, "level_to": 2},
    ]
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


# ---------------------------------------------------------------------------
# skipped courses, dropped values
# ---------------------------------------------------------------------------


def test_course_without_mappable_competency_is_fatal_and_others_are_still_mapped() -> None:
    result = run(load("openhpi_datenschutz.json"))
    assert [m["external_id"] for m in result.modules] == [
        "3f2b6c1e-8d4a-4e7b-9a21-5c0d7e9f1a42",
        "5a8d3e2f-6b1c-4d9e-a7f0-8c2b4e6d1f93",
    ]
    skipped = issues_for(result, 1)
    assert [(i.field, i.fatal) for i in skipped] == [("attributes.teaches[0]", False), ("attributes.teaches", True)]
    assert skipped[1].external_id == "9c4e2a7b-1f3d-4b6a-8e5c-2d7f0a9b3c61"
    assert "mindestens eine" in skipped[1].message_de and "at least one" in skipped[1].message_en


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


@pytest.mark.parametrize(
    ("start", "end", "field", "kept"),
    [
        (["kein Datum"], ["2026-01-10T10:00:00Z"], "attributes.startDate[0]", 0),
        (["2026-01-01T10:00:00Z"], ["2026-13-40T10:00:00Z"], "attributes.endDate[0]", 0),
        (["2026-01-01T10:00:00Z", "2026-02-01T10:00:00Z"], ["2026-01-10T10:00:00Z"], "attributes.endDate[1]", 1),
        (["2026-01-01"], ["2025-12-31"], "attributes.endDate[0]", 0),
    ],
)
def test_unparseable_unpaired_or_reversed_dates_are_dropped(start, end, field, kept) -> None:
    result = run(document(course(startDate=start, endDate=end)))
    assert len(result.modules) == 1 and len(result.modules[0]["dates"]) == kept
    assert field in [i.field for i in result.issues if not i.fatal]


def test_duplicate_course_ids_keep_the_first() -> None:
    first, second = course(), course(name="Datenschutz kompakt (Wiederholung)")
    result = run(document(first, second))
    assert [m["title"] for m in result.modules] == ["Datenschutz kompakt"]
    assert [(i.index, i.field, i.fatal) for i in result.issues] == [(1, "id", True)]


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        ("kein Objekt", "data"),
        ({"id": "x1", "type": "Instructor", "attributes": {}}, "type"),
        ({"type": "Course", "attributes": {}}, "id"),
        ({"id": "x2", "type": "Course"}, "attributes"),
        (course(name="KI"), "attributes.name"),
        (course(description="<p>Kurz</p>"), "attributes.description"),
        (course(workload=None, duration=None), "attributes.workload"),
    ],
)
def test_unmappable_courses_are_skipped_with_a_fatal_issue(resource, field) -> None:
    result = run(document(resource, course(name="Zweiter Kurs") | {"id": "second"}))
    assert [m["external_id"] for m in result.modules] == ["second"]
    fatal = [i for i in result.issues if i.fatal]
    assert [(i.index, i.field) for i in fatal] == [(0, field)]


# ---------------------------------------------------------------------------
# HTML, document shapes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<p>Gr&uuml;&szlig;e &amp; mehr</p>", "Grüße & mehr"),
        ("<p>Eins</p><p>Zwei</p>", "Eins\n\nZwei"),
        ("Zeile<br>neue Zeile<br/>dritte", "Zeile\nneue Zeile\ndritte"),
        ("<ul><li>A</li><li><b>B</b> b</li></ul>", "- A\n- B b"),
        ("<p>Text</p>\\n<p>weiter</p>\\n", "Text\n\nweiter"),
        ("<div>sichtbar<script>var x = '<p>';</script><style>p{}</style></div>", "sichtbar"),
        ("Kein HTML &ndash; nur Text\nmit Zeilen", "Kein HTML – nur Text\nmit Zeilen"),
        ("<p>  viel   \n  Leerraum&nbsp;hier </p>", "viel Leerraum hier"),
        ("Kosten < 100 € & mehr", "Kosten < 100 € & mehr"),
    ],
)
def test_html_to_text(raw: str, text: str) -> None:
    assert html_to_text(raw) == text


def test_description_html_is_stripped_and_abstract_is_a_fallback() -> None:
    result = run(document(course(description="<h1>Titel</h1><p>Alles &uuml;ber <em>Datenschutz</em>.</p>")))
    assert result.modules[0]["description"] == "Titel\n\nAlles über Datenschutz."
    result = run(document(course(description=None, abstract="Ein Kurs über Datenschutz für Kommunen.")))
    assert result.modules[0]["description"] == "Ein Kurs über Datenschutz für Kommunen."
    assert [i.field for i in result.issues] == ["attributes.description"]


def test_single_resource_data_is_accepted() -> None:
    doc = load("kicampus_digcomp.json")
    single = {"links": doc["links"], "data": doc["data"][0]}
    assert run(single).modules == run(doc).modules
    assert run({"data": None}).modules == []


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [course()],
        "{\"data\": []}",
        {"links": {}},
        {"meta": {"total": 3}},
        {"data": "Course"},
        {"data": 42},
        {"errors": [{"status": "406", "title": "Unsupported requested version"}]},
    ],
)
def test_non_json_api_input_raises_value_error(doc) -> None:
    with pytest.raises(ValueError) as caught:
        map_moochub_document(doc, PROVIDER, LOOKUP.get)
    message = str(caught.value)
    assert " / " in message  # German / English
    if isinstance(doc, dict) and "errors" in doc:
        assert "Unsupported requested version" in message


@pytest.mark.parametrize("provider", ["", "   ", "x" * 65, None])
def test_invalid_provider_id_raises(provider) -> None:
    with pytest.raises(ValueError):
        map_moochub_document(document(course()), provider, LOOKUP.get)


# ---------------------------------------------------------------------------
# competencies
# ---------------------------------------------------------------------------


def test_lookup_tries_short_code_before_names() -> None:
    calls: list[str] = []

    def lookup(key: str) -> str | None:
        calls.append(key)
        return None

    skill = {
        "name": [{"inLanguage": "en", "name": "PROTECTING DEVICES"}, {"inLanguage": "de", "name": "Geräte schützen"}],
        "alternateName": ["Endgerätesicherheit"],
        "shortCode": "4.1",
        "educationalFramework": "DigComp",
        "educationalFrameworkVersion": "2.2",
        "targetUrl": "https://example.org/digcomp/4.1",
    }
    map_moochub_document(document(course(teaches=[skill])), PROVIDER, lookup)
    assert calls == [
        "DigComp:4.1",
        "4.1",
        "https://example.org/digcomp/4.1",
        "Geräte schützen",  # course language (de) first
        "PROTECTING DEVICES",
        "Endgerätesicherheit",
    ]
    # the framework-qualified code wins over the bare one
    result = run(document(course(teaches=[skill])), {"DigComp:4.1": "it_security_basics", "4.1": "other"})
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
    assert result.modules[0]["competencies"] == [{"id": "office_tools", "level_from": 0, "level_to": 2}]


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
    skill = {
        "name": [{"inLanguage": "de", "name": "Datenschutz"}],
        "educationalFramework": "DigComp",
        "educationalFrameworkVersion": "2.2",
        "educationalLevel": level,
    }
    result = run(document(course(teaches=[skill])))
    assert result.modules[0]["competencies"] == [{"id": "data_protection", "level_from": 0, "level_to": expected}]


def test_required_level_not_below_target_is_adjusted_with_an_issue() -> None:
    required = {
        "name": [{"inLanguage": "de", "name": "Datenschutz"}],
        "educationalFramework": "DigComp",
        "educationalFrameworkVersion": "2.2",
        "educationalLevel": {
            "name": [{"inLanguage": "en", "name": "ADVANCED"}],
            "shortCode": "5",
            "educationalFramework": "DigComp",
            "educationalFrameworkVersion": "2.2",
            "type": "EducationalLevel",
        },
    }
    taught = {
        "name": [{"inLanguage": "de", "name": "Datenschutz"}],
        "educationalFramework": "ESCO",
        "educationalFrameworkVersion": "1.2",
    }
    result = run(document(course(teaches=[taught], competencyRequired=[required])))
    # taught level defaulted (2), required 3 → raised to 3 → 4
    assert result.modules[0]["competencies"] == [{"id": "data_protection", "level_from": 3, "level_to": 4}]
    assert result.modules[0]["category"] == "Intensivmodul"
    assert "attributes.competencyRequired[0]" in [i.field for i in result.issues]


def test_more_than_ten_competencies_are_cut_with_an_issue() -> None:
    skills = [
        {"name": [{"inLanguage": "de", "name": f"K{n}"}], "educationalFramework": "ESCO",
         "educationalFrameworkVersion": "1.2"}
        for n in range(12)
    ]
    result = run(document(course(teaches=skills)), {f"K{n}": f"comp_{n}" for n in range(12)})
    assert len(result.modules[0]["competencies"]) == 10
    assert any("comp_10, comp_11" in i.message_de for i in result.issues)


# ---------------------------------------------------------------------------
# format, workload, price, language
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("modes", "fmt"),
    [
        (["online"], "online"),
        (["asynchronous"], "online"),
        (["onsite"], "presence"),
        (["onsite", "synchronous"], "presence"),
        (["synchronous", "asynchronous"], "online"),
        (["online", "onsite"], "blended"),
        (["blended"], "blended"),
    ],
)
def test_course_mode_maps_to_format(modes: list[str], fmt: str) -> None:
    extra = {"contentLocation": {"name": "Rathaus", "address": {"city": "Kassel"}}}
    module = run(document(course(courseMode=modes, **extra))).modules[0]
    assert module["format"] == fmt
    if fmt == "presence":
        assert module["parts"] == [{"kind": "presence_workshop", "hours": 16.0, "weeks": None}]
        assert (module["region"], module["locations"]) == (None, ["Kassel"])


@pytest.mark.parametrize("modes", [None, [], ["synchronous"], ["MOOC-Plattform"]])
def test_missing_or_unclear_course_mode_defaults_to_online_with_an_issue(modes) -> None:
    result = run(document(course(courseMode=modes)))
    assert result.modules[0]["format"] == "online"
    assert {i.field for i in result.issues} == {"attributes.courseMode"}


def test_blended_without_item_durations_has_no_parts() -> None:
    result = run(document(course(courseMode=["blended"])))
    assert result.modules[0]["parts"] == []
    assert "attributes.hasPart" in [i.field for i in result.issues]


@pytest.mark.parametrize(
    ("workload", "duration", "hours", "units"),
    [
        ({"timeValue": 2, "timeUnit": "h/day"}, "P5D", 10.0, 1),
        ({"timeValue": 10, "timeUnit": "h/month"}, "P3M", 30.0, 4),
        ({"timeValue": 5, "timeUnit": "h/week"}, "P1M", 21.7, 3),
        ({"timeValue": 3, "timeUnit": "h/week"}, "PT6H", 6.0, 1),  # a one-day event: the duration is the workload
        ({"timeValue": 40, "timeUnit": "h/week"}, "P6W", 240.0, 20),  # 30 units capped at 20
    ],
)
def test_workload_times_duration(workload, duration, hours, units) -> None:
    module = run(document(course(workload=workload, duration=duration))).modules[0]
    assert (module["duration_hours"], module["learning_units"]) == (hours, units)


def test_workload_uses_date_span_or_learning_items_when_duration_is_missing() -> None:
    dated = course(duration=None, startDate=["2026-03-02T08:00:00Z"], endDate=["2026-03-30T08:00:00Z"])
    result = run(document(dated))
    assert result.modules[0]["duration_hours"] == 32.0  # 8 h/week × 4 weeks
    assert "attributes.duration" in [i.field for i in result.issues]
    items = [
        {"type": "Video", "identifier": "https://example.org/i/1", "name": "Einführung", "duration": "PT1H30M"},
        {"type": "Quiz", "identifier": "https://example.org/i/2", "name": "Test", "duration": "PT30M"},
    ]
    result = run(document(course(workload=None, duration=None, hasPart=items)))
    assert result.modules[0]["duration_hours"] == 2.0
    assert result.modules[0]["category"] == "Bonusmodul"


@pytest.mark.parametrize(
    ("offers", "access", "price", "issue"),
    [
        ([{"price": 120, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "complete"}],
         ["paid"], 120.0, None),
        ([{"price": 0, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "course"},
          {"price": 99, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "course"}],
         ["free", "paid"], 0.0, None),
        ([{"price": 50, "priceCurrency": "EUR", "paymentFrequency": "monthly", "category": "course"}],
         ["paid"], 100.0, "attributes.offer[0]"),  # P6W → two months
        ([{"price": 200, "priceCurrency": "CHF", "paymentFrequency": "one-time", "category": "course"}],
         ["paid"], 0.0, "attributes.offer[0]"),
        (None, ["paid"], 0.0, "attributes.offer"),
        (None, ["free"], 0.0, None),
    ],
)
def test_price_from_offers(offers, access, price, issue) -> None:
    result = run(document(course(offer=offers, access=access, duration="P6W")))
    module = result.modules[0]
    assert module["price_member_eur"] == module["price_non_member_eur"] == price
    fields = [i.field for i in result.issues]
    assert (issue in fields) if issue else fields == []


@pytest.mark.parametrize(
    ("languages", "language", "issue"),
    [(["en-GB", "de"], "en", False), (["gsw", "de"], "de", True), (None, "de", True), ([], "de", True)],
)
def test_language_is_the_first_two_letter_code(languages, language, issue) -> None:
    result = run(document(course(inLanguage=languages)))
    assert result.modules[0]["language"] == language
    assert ("attributes.inLanguage" in [i.field for i in result.issues]) is issue


def test_ects_and_proof_tiers() -> None:
    module = run(document(course(
        numberOfCredits=5, educationalCredentialsAwarded=["certificate", "confirmation of participation"]
    ))).modules[0]
    assert (module["ects"], module["proof_tiers"]) == (5.0, ["participation", "certificate"])
    result = run(document(course(numberOfCredits=45)))
    assert result.modules[0]["ects"] == 0.0
    assert [i.field for i in result.issues] == ["attributes.numberOfCredits"]


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
