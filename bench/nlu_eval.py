"""NLU quality: intent F1 (and entity F1 where entities exist) by k-fold cross-validation.

Runs ``rasa test nlu --cross-validation`` with the project's config on the
project's NLU data in the Rasa venv and prints the macro/weighted F1 per
fold average from Rasa's reports.

    .venv/bin/python bench/nlu_eval.py --folds 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="kc-nlu-eval-"))
    cmd = [str(ROOT / ".venv-rasa/bin/rasa"), "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
           "--cross-validation", "--folds", str(args.folds), "--out", str(out), "--domain", "bot/domain"]
    print("Kreuzvalidierung läuft:", " ".join(cmd[1:]), flush=True)
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        return result.returncode
    intent_report = json.loads((out / "intent_report.json").read_text())
    print(f"\nIntents ({args.folds}-fach-Kreuzvalidierung, Testteile):")
    for key in ("macro avg", "weighted avg"):
        row = intent_report[key]
        print(f"  {key:<13} Präzision {row['precision']:.3f}  Recall {row['recall']:.3f}  F1 {row['f1-score']:.3f}")
    worst = sorted(
        ((name, row["f1-score"]) for name, row in intent_report.items()
         if isinstance(row, dict) and "f1-score" in row and not name.endswith("avg")),
        key=lambda item: item[1],
    )[:5]
    print("  schwächste Intents: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in worst))
    entity_files = list(out.glob("*Extractor_report.json")) + list(out.glob("DIETClassifier_report.json"))
    for path in entity_files:
        report = json.loads(path.read_text())
        if "weighted avg" in report and report["weighted avg"].get("support"):
            extractor = path.stem.removesuffix("_report")
            # per entity type: an extractor that only knows competencies must not be scored on item positions
            per_type = [f"{name} F1 {row['f1-score']:.3f} (P {row['precision']:.3f}, R {row['recall']:.3f})"
                        for name, row in sorted(report.items())
                        if isinstance(row, dict) and "f1-score" in row and not name.endswith("avg")
                        and (row["precision"] or row["recall"])]
            print(f"Entitäten ({extractor}): " + "; ".join(per_type))
    if not any(json.loads(p.read_text()).get("weighted avg", {}).get("support") for p in entity_files):
        print("Entitäten: keine annotierten Entitäten in den Trainingsdaten (Entity-F1 nicht messbar).")
    print(f"Berichte: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
