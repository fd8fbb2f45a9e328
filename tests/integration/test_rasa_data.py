"""`rasa data validate` must pass on the committed domain and training data.

Responses that only custom actions send are reported by Rasa as "not used
in any story or rule"; those are accepted when an action really sends them,
every other warning fails the test.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
NO_EXAMPLES = re.compile(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU training data")
# sent only by buttons and links ("/confirm_delete_my_data", "/accept_invitation{...}"), never typed
PAYLOAD_ONLY_INTENTS = {"confirm_delete_my_data", "accept_invitation"}
# responses an action picks by name at run time (f"utter_link_{problem}") or a form asks (utter_ask_<slot>)
DYNAMIC_PREFIXES = ("utter_answer_", "utter_level_", "utter_number_", "utter_link_", "utter_ask_")


def test_rasa_data_validate(rasa_venv: Path) -> None:
    result = subprocess.run(
        [str(rasa_venv / "rasa"), "data", "validate", "--domain", "bot/domain",
         "--data", "data/nlu", "data/rules", "data/stories", "--config", "config.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    action_code = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line:
            continue
        unused = UNUSED.search(line)
        if unused and (f'"{unused.group(1)}"' in action_code or unused.group(1).startswith(DYNAMIC_PREFIXES)):
            continue
        missing = NO_EXAMPLES.search(line)
        if missing and missing.group(1) in PAYLOAD_ONLY_INTENTS:
            continue
        problems.append(line)
    assert not problems, "\n".join(problems)
