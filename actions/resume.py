"""Slot events that put a paused interview back where the learner left it."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.interview_form import advance


def resumed_events(paused: dict[str, Any]) -> list[dict[str, Any]]:
    state = dict(paused)
    current = state.pop("current", None)
    events = advance(state)
    if current:
        events = [e for e in events if e["name"] != "current_step"] + [SlotSet("current_step", current)]
    return [SlotSet("has_paused_interview", False), SlotSet("awaiting_confirmation", False), *events]
