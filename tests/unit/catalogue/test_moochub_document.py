"""MOOChub mapping: the JSON:API envelope, skipped courses, title, description and language of a course."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from campus.catalogue.feeds import moochub
from campus.catalogue.feeds.moochub import map_moochub_document
from campus.store.texts import lookup, texts
from tests.unit.catalogue.moochub_support import LOOKUP, PROVIDER, course, document, load, run

# ---------------------------------------------------------------------------
# document shapes
# ---------------------------------------------------------------------------


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
# skipped courses
# ---------------------------------------------------------------------------


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
        (course(workload={"timeValue": 100, "timeUnit": "h/day"}, duration="P1Y"), "attributes.workload"),
    ],
)
def test_unmappable_courses_are_skipped_with_a_fatal_issue(resource, field) -> None:
    result = run(document(resource, course(name="Zweiter Kurs") | {"id": "second"}))
    assert [m["external_id"] for m in result.modules] == ["second"]
    fatal = [i for i in result.issues if i.fatal]
    assert [(i.index, i.field) for i in fatal] == [(0, field)]


def test_a_course_without_workload_or_duration_is_kept_with_assumed_hours() -> None:
    """KI-Campus's real feed carries neither: its courses are imported with one learning unit, for review."""
    result = run(document(course(workload=None, duration=None)))
    [module] = result.modules
    assert (module["duration_hours"], module["learning_units"], module["category"]) == (8.0, 1, "Bonusmodul")
    [assumed] = [i for i in result.issues if i.field == "attributes.workload"]
    assert not assumed.fatal and "8 Stunden angenommen" in assumed.message_de and "8 hours" in assumed.message_en


# ---------------------------------------------------------------------------
# description, language
# ---------------------------------------------------------------------------


def test_description_html_is_stripped_and_abstract_is_a_fallback() -> None:
    result = run(document(course(description="<h1>Titel</h1><p>Alles &uuml;ber <em>Datenschutz</em>.</p>")))
    assert result.modules[0]["description"] == "Titel\n\nAlles über Datenschutz."
    result = run(document(course(description=None, abstract="Ein Kurs über Datenschutz für Kommunen.")))
    assert result.modules[0]["description"] == "Ein Kurs über Datenschutz für Kommunen."
    assert [i.field for i in result.issues] == ["attributes.description"]


@pytest.mark.parametrize(
    ("languages", "language", "issue"),
    [(["en-GB", "de"], "en", False), (["gsw", "de"], "de", True), (None, "de", True), ([], "de", True)],
)
def test_language_is_the_first_two_letter_code(languages, language, issue) -> None:
    result = run(document(course(inLanguage=languages)))
    assert result.modules[0]["language"] == language
    assert ("attributes.inLanguage" in [i.field for i in result.issues]) is issue


# ---------------------------------------------------------------------------
# wording lives in data/texts/moochub.yml
# ---------------------------------------------------------------------------

MESSAGE_GROUPS = ("document", "course", "competencies", "schedule", "price")


def _keys_named_in_code() -> set[str]:
    package = Path(moochub.__file__).parent
    pattern = re.compile(rf"^(?:{'|'.join(MESSAGE_GROUPS)})\.[a-z_]+$")
    return {
        node.value
        for path in package.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.match(node.value)
    }


def test_every_message_the_mapper_names_is_worded_and_every_wording_is_used() -> None:
    wording = texts("moochub")
    defined = {f"{group}.{key}" for group in MESSAGE_GROUPS for key in wording[group]}
    named = _keys_named_in_code()
    assert named == defined
    for key in defined:
        entry = lookup(f"moochub.{key}")
        assert set(entry) == {"de", "en"} and entry["de"].strip() and entry["en"].strip(), key
