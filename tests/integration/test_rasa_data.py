"""`rasa data validate` must pass on the committed domain and training data."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rasa_data_validate() -> None:
    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "rasa"), "data", "validate", "--domain", "bot/domain",
         "--data", "data/nlu", "data/rules", "data/stories", "--config", "config.yml", "--fail-on-warnings"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
