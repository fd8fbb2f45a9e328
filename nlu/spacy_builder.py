"""Build the German spaCy pipeline Rasa loads by path.

No German pipeline is installable from PyPI here, so we assemble one:
``spacy.blank("de")`` (German tokenizer rules) plus the lookup lemmatizer
whose tables come from ``spacy-lookups-data``. It is built with the Rasa
venv's spaCy so the saved folder matches the version that loads it.

Run: ``python -m nlu.spacy_builder [target_dir]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy

DEFAULT_TARGET = Path(__file__).resolve().parent.parent / "var" / "models" / "spacy-de"
BUILD_VERSION = "1"


def build(target: Path) -> Path:
    nlp = spacy.blank("de")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "kommunalcampus_de"
    nlp.meta["version"] = f"0.0.{BUILD_VERSION}"
    nlp.meta["description"] = "spacy.blank('de') + lookup lemmatizer (spacy-lookups-data)"
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    (target / "BUILD_INFO.json").write_text(json.dumps({"build_version": BUILD_VERSION, "spacy": spacy.__version__}))
    return target


def is_built(target: Path) -> bool:
    info = target / "BUILD_INFO.json"
    if not info.exists():
        return False
    data = json.loads(info.read_text())
    return data.get("build_version") == BUILD_VERSION and data.get("spacy") == spacy.__version__


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else DEFAULT_TARGET
    if is_built(target):
        print(f"spaCy pipeline already built: {target}")
        return 0
    build(target)
    nlp = spacy.load(target)
    sample = " ".join(f"{t.text}/{t.lemma_}" for t in nlp("Ich arbeite in den Bürgerbüros"))
    print(f"spaCy pipeline built: {target} ({sample})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
