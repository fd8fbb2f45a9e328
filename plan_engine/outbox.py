"""Tell learners that their plan changed: one German message per channel, queued for the channels to deliver.

The plan engine only writes rows (status ``pending``); the widget, the
Telegram bridge and the dashboard pick them up, so a channel that is down
never blocks a replan. Wording lives in ``data/texts/plan_messages.yml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from campus.models import ChannelIdentity, Outbox
from plan_engine.texts import messages

FALLBACK_CHANNEL = "dashboard"


def update_text(trigger: str, diff: Mapping[str, list[int]], titles: Mapping[int, str],
                module_title: str | None = None, reordered: bool = False) -> str:
    texts = messages()
    parts = texts["changes"]

    def quoted(ids: list[int]) -> str:
        return parts["title_joiner"].join(parts["quoted"].format(title=titles.get(m, str(m))) for m in ids)

    changes = []
    if diff.get("added"):
        changes.append(parts["added"].format(titles=quoted(diff["added"])))
    if diff.get("removed"):
        changes.append(parts["removed"].format(titles=quoted(diff["removed"])))
    if not changes or reordered:
        changes.append(parts["reordered"])
    template = texts["updates"].get(trigger) if module_title or trigger == "profile_changed" else None
    return (template or texts["updates"]["default"]).format(title=module_title or "",
                                                           changes=parts["joiner"].join(changes))


def channels_of(session: Session, learner_id: str) -> list[str]:
    found = session.exec(select(ChannelIdentity.channel).where(ChannelIdentity.learner_id == learner_id)).all()
    return sorted(set(found)) or [FALLBACK_CHANNEL]


def enqueue(session: Session, learner_id: str, text: str, payload: dict[str, Any],
            channels: list[str] | None = None) -> list[Outbox]:
    rows = [Outbox(learner_id=learner_id, channel=channel, text=text, payload=payload)
            for channel in (channels or channels_of(session, learner_id))]
    session.add_all(rows)
    return rows
