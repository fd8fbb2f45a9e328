"""Every action the domain names is served by the action server, and the package registers cleanly."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[3]
BUILT_IN = {"action_deactivate_loop", "action_listen", "action_restart", "action_default_fallback",
            "action_two_stage_fallback", "action_back", "action_session_start"}


def test_domain_actions_are_all_registered(prepared_store) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    named = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        named |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("actions") or [])
    forms = {f"validate_{f}" for path in (ROOT / "bot" / "domain").glob("*.yml")
             for f in (yaml.safe_load(path.read_text(encoding="utf-8")).get("forms") or {})}
    missing = (named - BUILT_IN) - set(executor.actions)
    assert not missing, f"actions in the domain without an implementation: {sorted(missing)}"
    assert (forms & named) <= set(executor.actions)
