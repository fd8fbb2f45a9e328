"""`rasa test core` on the test stories: the dialogue wiring of the interview and its digressions.

``--e2e`` makes Rasa classify each story's user text and compare intent and entities with the story's,
so the stories also show the NLU understands texts it was not trained on (tests/stories/test_interview.yml).
"""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rasa_test_stories(tmp_path, rasa_venv: Path, trained_rasa_model: Path) -> None:
    result = subprocess.run(
        [str(rasa_venv / "rasa"), "test", "core", "--e2e", "--model", str(trained_rasa_model),
         "--stories", "tests/stories", "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2", "HOME": str(tmp_path),
             "KC_ACTION_URL": "http://127.0.0.1:9/webhook", "KC_TRACKER_DB": str(tmp_path / "t.db")},
    )
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + details
