"""The custom Rasa NLU components in ``nlu/``, run in the Rasa venv (Python 3.10) as Rasa would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SPACY_MODEL = ROOT / "var" / "models" / "spacy-de"

pytestmark = pytest.mark.skipif(
    not (RASA_PYTHON.exists() and SPACY_MODEL.exists()), reason="needs the Rasa venv and spaCy model (make setup)"
)

TEXTS = [
    "Ich möchte mehr über Datenschutz lernen",
    "Wir brauchen dringend eine Datenschutzschulung",
    "ich arbeite viel mit der e-akte",
    "Scrum und Kanban interessieren mich",
    "Wie schreibe ich gute Prompts für ChatGPT in der Verwaltung?",
    "Guten Morgen",
    "",
    "x" * 10_000,
]


@pytest.fixture(scope="module")
def probed() -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([str(RASA_PYTHON), str(Path(__file__).with_name("nlu_probe.py")), json.dumps(TEXTS)],
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
    meaning = [e for e in row["entities"] if e["source"] == "meaning"] or row["entities"]
    assert "generative_ai" in [e["value"] for e in meaning]


def test_no_competency_in_small_talk_or_empty_or_huge_input(probed) -> None:
    assert probed[5]["entities"] == [] and probed[6]["entities"] == [] and probed[7]["entities"] == []


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
