"""The tagger's parts that need no model: crosswalk, German compound matching, levels, the module's spans."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from campus.catalogue.template import ModuleIn
from embeddings.tagging_crosswalk import Crosswalk, digcomp_code, esco_uuid, load_crosswalk
from embeddings.tagging_levels import module_levels, settle
from embeddings.tagging_lexical import TermIndex
from embeddings.tagging_rules import TaggingRules
from embeddings.tagging_text import module_text

ROOT = Path(__file__).resolve().parents[3]
ESCO = Path("/work/shared/ext/esco-de")
FRAMEWORK = yaml.safe_load((ROOT / "data/seed/competencies.yml").read_text(encoding="utf-8"))["competencies"]
PRIVACY_URI = "http://data.europa.eu/esco/skill/a4346013-a967-4a58-a533-6b32ad1364c5"  # ESCO "Datenschutz"


def module(**changes: object) -> ModuleIn:
    values: dict[str, object] = {
        "external_id": "m1", "provider": "p", "title": "Datenschutz im Bürgerbüro",
        "description": "Wer darf was wissen? Wir klären die Grundsätze der DSGVO.\nMit vielen Fallbeispielen.",
        "learning_outcomes": ["Auskunftsersuchen bearbeiten", "Datenpannen melden"], "category": "Basismodul",
        "learning_units": 1, "duration_hours": 8, "format": "online"}
    values.update(changes)
    return ModuleIn.model_validate(values)


# --- crosswalk -------------------------------------------------------------------------------------------------

def test_crosswalk_maps_esco_uris_digcomp_codes_and_terms() -> None:
    crosswalk = load_crosswalk()
    assert crosswalk.by_code(PRIVACY_URI) == ["data_protection"]
    assert crosswalk.by_code(PRIVACY_URI.replace("http://", "https://").upper()) == ["data_protection"]
    assert crosswalk.by_code("DigComp:4.2")[0] == "data_protection"  # shared with the area: specific first
    assert crosswalk.by_code("DigComp 2.2: 4.3") == ["dc_safety"]
    assert crosswalk.by_code("4") == ["dc_safety"]
    assert crosswalk.by_code("1.3")[:3] == ["e_akte", "records_management", "data_governance"]
    assert crosswalk.by_term("  gdpr ") == ["data_protection"]
    assert crosswalk.by_code("http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000") == []
    assert crosswalk.by_code("Datenschutz") == [] and crosswalk.references("9.9") == []


def test_reference_forms() -> None:
    assert digcomp_code("DigComp:4") == "4.0" and digcomp_code("5.2") == "5.2" and digcomp_code("ISCED-F:0611") is None
    assert esco_uuid("ESCO " + PRIVACY_URI + "/") == "a4346013-a967-4a58-a533-6b32ad1364c5"
    assert esco_uuid("https://example.org/a4346013-a967-4a58-a533-6b32ad1364c5") is None


def test_crosswalk_covers_the_framework_and_its_digcomp_alignment() -> None:
    crosswalk = load_crosswalk()
    assert {e.id for e in crosswalk.entries} == {c["id"] for c in FRAMEWORK}
    for competency in FRAMEWORK:
        entry = crosswalk.entry(competency["id"])
        assert entry is not None
        if competency.get("digcomp"):
            assert competency["digcomp"] in entry.digcomp, competency["id"]


def test_every_esco_uri_of_the_crosswalk_is_a_real_esco_skill() -> None:
    known: set[str] = set()
    for name in ("digCompSkillsCollection_de.csv", "digitalSkillsCollection_de.csv"):
        with (ESCO / name).open(encoding="utf-8") as handle:
            known |= {row["conceptUri"] for row in csv.DictReader(handle)}
    listed = [uri for entry in load_crosswalk().entries for uri in entry.esco]
    assert len(listed) > 40
    assert [uri for uri in listed if uri not in known] == []


@pytest.mark.parametrize("broken", [
    {"competencies": {"x": {"digcomp": ["vier"]}}},
    {"competencies": {"x": {"esco": ["https://example.org/skill"]}}},
    {"competencies": {"x": {"terms": "Datenschutz"}}},
    {"competencies": ["x"]},
])
def test_a_malformed_crosswalk_is_refused(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="crosswalk"):
        Crosswalk.from_data(broken)


# --- lexical ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def terms() -> TermIndex:
    return TermIndex([[c["label"], *c["synonyms"]] for c in FRAMEWORK])


def test_names_inside_german_compounds_count(terms: TermIndex) -> None:
    found = terms.names_found("Beschäftigtendatenschutz, Datenschutzschulung, KI-gestützte Assistenten, Chatbots")
    assert found == ["datenschutz", "datenschutz", "ki", "chatbot"]


def test_longest_name_wins_and_short_names_stay_words(terms: TermIndex) -> None:
    assert terms.names_found("Sie führen hybride Teams und nutzen MS Teams") == ["hybride teams", "teams"]
    assert terms.names_found("Visitenkarten, Wikipedia, Passwortwechsel") == []
    assert terms.names_found("Wikis und agile Teams") == ["wiki", "agil", "teams"]
    data_protection = [c["id"] for c in FRAMEWORK].index("data_protection")
    assert terms.counts("Die Datenschutz-Folgenabschätzung")[data_protection] == 0  # it is DSFA (dpia)


# --- levels ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rules() -> TaggingRules:
    return TaggingRules.load()


@pytest.mark.parametrize(("category", "keywords", "title", "body", "expected"), [
    ("Basismodul", "", "", "", (0, 2)),
    ("Intensivmodul", "", "", "", (1, 3)),
    ("Bonusmodul", "", "", "", (0, 1)),
    ("Basismodul", "fortgeschritten", "", "", (1, 3)),  # a MOOChub educationalLevel name passed as a keyword
    ("Basismodul", "intermediate", "", "", (0, 2)),
    ("Bonusmodul", "intermediate", "", "", (0, 2)),
    ("Intensivmodul", "beginner", "", "", (1, 2)),
    ("Basismodul", "", "vertiefung: ki in der verwaltung", "", (1, 3)),
    ("Intensivmodul", "", "", "keine vorkenntnisse erforderlich.", (0, 3)),
    ("Basismodul", "", "", "voraussetzung: erfahrung mit der e-akte.", (1, 2)),
    ("Basismodul", "", "", "technische voraussetzungen: ein browser.", (0, 2)),
    ("Unbekannt", "", "", "", (0, 2)),
])
def test_levels_from_category_difficulty_and_prior_knowledge(
        rules: TaggingRules, category: str, keywords: str, title: str, body: str, expected: tuple[int, int]) -> None:
    assert module_levels(rules.levels, category, keywords, title, body) == expected


def test_levels_keep_from_below_to() -> None:
    assert settle(3, 3) == (2, 3) and settle(0, 0) == (0, 1) and settle(4, 7) == (3, 4)


# --- the module's parts ----------------------------------------------------------------------------------------

def test_parts_are_spans_of_the_stored_passage() -> None:
    text = module_text(module(keywords=["Verwaltung"]))
    assert text.passage == module().passage_text()
    parts = [(span.kind, text.part(span)) for span in text.spans]
    assert parts == [("title", "Datenschutz im Bürgerbüro"), ("sentence", "Wer darf was wissen?"),
                     ("sentence", "Wir klären die Grundsätze der DSGVO."), ("sentence", "Mit vielen Fallbeispielen."),
                     ("outcome", "Auskunftsersuchen bearbeiten"), ("outcome", "Datenpannen melden")]
    assert text.keywords == ("Verwaltung",)
