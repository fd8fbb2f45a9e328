"""The custom Rasa NLU components in ``nlu/``, run in the Rasa venv (Python 3.10) as Rasa would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

TEXTS = [
    "Ich möchte mehr über Datenschutz lernen",
    "Wir brauchen dringend eine Datenschutzschulung",
    "ich arbeite viel mit der e-akte",
    "Scrum und Kanban interessieren mich",
    # no label, bracket term or synonym of any competency in it: only the meaning can find generative_ai
    "Wie schreibe ich gute Prompts für die Verwaltung?",
    "Guten Morgen",
    "",
    "x" * 10_000,
]


@pytest.fixture(scope="module")
def probed(rasa_venv: Path) -> list[dict]:
    """The probe's result per text; a missing Rasa venv or spaCy model fails here (tests/conftest.py)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    probe = Path(__file__).with_name("nlu_probe.py")
    result = subprocess.run([str(rasa_venv / "python"), str(probe), json.dumps(TEXTS)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def values(row: dict, source: str | None = None) -> list[str]:
    return [e["value"] for e in row["entities"] if source is None or e["source"] == source]


def test_every_message_with_tokens_gets_a_normalised_e5_sentence_feature(probed) -> None:
    # an empty message has no tokens, so no count features either: DIET needs both or neither
    assert [row["dim"] for row in probed] == [384] * 6 + [None] + [384]
    assert all(abs(row["norm"] - 1.0) < 1e-3 for row in probed if row["dim"])


def test_lexicon_finds_labels_synonyms_lower_case_and_compounds(probed) -> None:
    by_text = {row["text"]: row for row in probed}
    first = by_text["Ich möchte mehr über Datenschutz lernen"]
    assert values(first, "lexicon") == ["data_protection"]
    entity = first["entities"][0]
    assert TEXTS[0][entity["start"]:entity["end"]] == "Datenschutz" and entity["confidence_entity"] == 1.0
    assert entity["extractor"] == "CompetencyEntityExtractor"
    assert values(by_text["Wir brauchen dringend eine Datenschutzschulung"]) == ["data_protection"]
    assert values(by_text["ich arbeite viel mit der e-akte"]) == ["e_akte"]
    assert set(values(by_text["Scrum und Kanban interessieren mich"])) == {"agile_methods"}


def test_paraphrases_are_found_by_meaning_with_lower_confidence(probed) -> None:
    row = next(r for r in probed if r["text"].startswith("Wie schreibe ich gute Prompts"))
    assert row["entities"], "nothing found: the meaning backup did not run"
    assert {e["source"] for e in row["entities"]} == {"meaning"}  # the word list found nothing
    found = {e["value"]: e for e in row["entities"]}
    assert "generative_ai" in found
    # the cosine, at least the extractor's threshold (0.86) and below the word list's certainty
    assert 0.86 <= found["generative_ai"]["confidence_entity"] < 1.0
    start, end = found["generative_ai"]["start"], found["generative_ai"]["end"]
    assert row["text"][start:end] == "Prompts"  # the word closest in meaning marks the span


def test_no_competency_in_small_talk_or_empty_or_huge_input(probed) -> None:
    assert probed[5]["entities"] == [] and probed[6]["entities"] == [] and probed[7]["entities"] == []


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
