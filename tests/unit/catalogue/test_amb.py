"""AMB/OERSI records → modules, on the 47 real KI-Campus records; course texts cleaned as a reader expects."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

import pytest

from campus.catalogue.feeds import amb
from campus.catalogue.feeds.amb import is_amb_record, map_amb_record
from campus.catalogue.feeds.records import map_record
from campus.catalogue.feeds.text import clean_text
from campus.catalogue.template import ModuleIn
from campus.store.texts import lookup, texts
from tests.unit.catalogue.moochub_support import ROOT, course

AMB_PATH = ROOT.parent / "shared" / "ext" / "kicampus-amb" / "kicampus_oersi_amb_metadata.jsonl"
PROVIDER = "kicampus_test"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in AMB_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def mapped(record: dict, lookup_table: dict | None = None, seen: set[str] | None = None):
    return map_amb_record(0, record, PROVIDER, (lookup_table or {}).get, set() if seen is None else seen)


def by_id(records: list[dict], slug: str) -> dict:
    return next(r for r in records if r["id"].endswith("/" + slug))


def test_every_real_record_becomes_a_module_and_english_courses_stay_english(records) -> None:
    seen: set[str] = set()
    modules = []
    for index, record in enumerate(records):
        module, issues = map_amb_record(index, record, PROVIDER, {}.get, seen)
        assert module is not None, [i.message_en for i in issues]
        assert not any(i.fatal for i in issues)
        assert ModuleIn.model_validate(module).model_dump(mode="json") == module
        modules.append(module)
    assert len(modules) == 47
    languages = [m["language"] for m in modules]
    assert (languages.count("de"), languages.count("en")) == (33, 14)
    assert len({m["external_id"] for m in modules}) == 47


def test_a_real_record_maps_field_by_field(records) -> None:
    module, issues = mapped(by_id(records, "automl-luh2021"))
    assert module["external_id"] == module["url"] == "https://ki-campus.org/courses/automl-luh2021"
    assert module["language"] == "en"
    assert module["license"] == "https://creativecommons.org/licenses/by-sa/4.0"
    assert module["keywords"] == ["Studienbereich Informatik"]  # the about[] subject
    assert module["description"].endswith("\n\nVon: Marius Lindauer, Frank Hutter, Bernd Bischl, Lars Kotthoff")
    assert (module["format"], module["region"], module["duration_hours"], module["learning_units"]) == (
        "online", "bundesweit", 8.0, 1)
    assert (module["category"], module["competencies"], module["price_member_eur"]) == ("Bonusmodul", [], 0.0)
    assert module["parts"] == [{"kind": "online_prep", "hours": 8.0, "weeks": None}]
    # each assumption is said, for the board
    assert [(i.field, i.fatal) for i in issues] == [("timeRequired", False), ("courseMode", False)]


def test_real_texts_are_cleaned_but_kept_whole(records) -> None:
    ethics, _ = mapped(by_id(records, "daethik2020"))
    assert "- Interviews mit Expert*innen und Anwender*innen\n- spielbasiertes Lernen" in ethics["description"]
    chatbots, _ = mapped(by_id(records, "conversational-ai"))
    assert chatbots["description"].startswith("Was steckt hinter Chatbots, sprachbasierten Assistenten & Co?")
    clinics, _ = mapped(by_id(records, "drmedki_clinics_cme"))
    assert "&nbsp;" not in clinics["description"] and "als medizinische Fortbildung (CME)" in clinics["description"]
    longest = max(records, key=lambda r: len(r["description"]))
    module, _ = mapped(longest)
    assert len(module["description"]) >= len(longest["description"].strip()) - 50  # not cut: 1,778 characters


def test_time_required_in_hours_is_used(records) -> None:
    record = by_id(records, "KI_Ethik_I") | {"timeRequired": "PT20H"}
    module, issues = mapped(record)
    # 20 h = 2.5 learning units, rounded half up as for MOOChub
    assert (module["duration_hours"], module["learning_units"], module["category"]) == (20.0, 3, "Basismodul")
    assert "timeRequired" not in [i.field for i in issues]


def test_taught_skills_map_through_the_lookup_as_feed_tags(records) -> None:
    record = by_id(records, "KI_Ethik_I") | {"teaches": [
        {"id": "http://data.europa.eu/esco/skill/ethik", "prefLabel": {"de": "KI-Ethik"}},
        {"id": "https://example.org/unknown", "prefLabel": {"de": "Töpfern"}},
    ]}
    module, issues = mapped(record, {"KI-Ethik": "ai_governance"})
    assert module["competencies"] == [{"id": "ai_governance", "level_from": 0, "level_to": 2, "source": "feed",
                                       "confidence": 0.75}]
    assert any(i.field == "teaches[1]" and "Töpfern" in i.message_de for i in issues)


@pytest.mark.parametrize(("change", "field"), [
    ({"name": None}, "name"), ({"name": "KI"}, "name"), ({"id": None}, "id"), ({"id": "x" * 200}, "id"),
    ({"description": "kurz"}, "description"), ({"description": None}, "description"),
])
def test_unusable_records_are_skipped_with_the_field(records, change, field) -> None:
    record = copy.deepcopy(by_id(records, "KI_Ethik_II"))
    for key, value in change.items():
        if value is None:
            record.pop(key)
        else:
            record[key] = value
    module, issues = mapped(record)
    assert module is None
    assert [(i.field, i.fatal) for i in issues if i.fatal] == [(field, True)]


def test_a_duplicate_id_keeps_the_first(records) -> None:
    seen: set[str] = set()
    first, _ = mapped(records[0], seen=seen)
    second, issues = mapped(records[0], seen=seen)
    assert first is not None and second is None and issues[-1].field == "id" and issues[-1].fatal


def test_records_are_told_apart_from_moochub_courses(records) -> None:
    assert all(is_amb_record(r) for r in records)
    assert not is_amb_record(course()) and not is_amb_record({"data": []}) and not is_amb_record("x")
    module, _ = map_record(0, course(), PROVIDER, {}.get, set())
    assert module is not None and module["external_id"] == course()["id"]  # the MOOChub mapper
    module, _ = map_record(0, records[0], PROVIDER, {}.get, set())
    assert module is not None and module["external_id"] == records[0]["id"]


@pytest.mark.parametrize(("raw", "clean"), [
    ("<p>Hallo <script>alert('x')</script>Welt</p><style>p{}</style>", "Hallo Welt"),
    ("## Ziele\n\n* **Daten** verstehen\n* [Anmeldung](https://example.org/a) öffnen",
     "Ziele\n\n- Daten verstehen\n- Anmeldung (https://example.org/a) öffnen"),
    ("Expert*innen und Anwender*innen, __fett__ und \\*kein\\* Stern", "Expert*innen und Anwender*innen, fett und "
                                                                      "*kein* Stern"),
    ("Text\n\n---\n\nmehr ![Bild](https://example.org/b.png)", "Text\n\nmehr Bild"),
    ("Fünf &amp; sechs&nbsp;Kurse", "Fünf & sechs Kurse"),
    ("Ein ganz normaler Satz - mit Strich.", "Ein ganz normaler Satz - mit Strich."),
])
def test_html_and_markdown_are_cleaned_conservatively(raw, clean) -> None:
    assert clean_text(raw) == clean


def test_every_amb_message_is_worded_in_german_and_english() -> None:
    source = Path(amb.__file__).read_text(encoding="utf-8")
    named = {node.value for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"amb\.[a-z_]+",
                                                                                                node.value)}
    defined = {f"amb.{key}" for key, entry in texts("moochub")["amb"].items() if isinstance(entry, dict)}
    assert named == defined
    for key in defined:
        entry = lookup(f"moochub.{key}")
        assert entry["de"].strip() and entry["en"].strip()
