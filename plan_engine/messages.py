"""The German message that tells a learner what changed in their plan (wording in ``data/texts/plan_messages.yml``)."""

from __future__ import annotations

from collections.abc import Mapping

from plan_engine.texts import messages


def update_text(trigger: str, diff: Mapping[str, list[int]], titles: Mapping[int, str],
                module_title: str | None = None, reordered: bool = False) -> str:
    texts = messages()
    parts = texts["changes"]

    def quoted(ids: list[int]) -> str:
        return str(parts["title_joiner"].join(parts["quoted"].format(title=titles.get(m, str(m))) for m in ids))

    changes: list[str] = []
    if diff.get("added"):
        changes.append(parts["added"].format(titles=quoted(diff["added"])))
    if diff.get("removed"):
        changes.append(parts["removed"].format(titles=quoted(diff["removed"])))
    if not changes or reordered:
        changes.append(parts["reordered"])
    template = texts["updates"].get(trigger) if module_title or trigger == "profile_changed" else None
    return str((template or texts["updates"]["default"]).format(title=module_title or "",
                                                               changes=parts["joiner"].join(changes)))
