"""The learning plan in the chat: thin adapters from intents to ``plan_engine``."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.common import Events, channel_of, entities_of, labels
from campus.catalogue.models import Module
from campus.learners.identity import find_learner
from campus.learners.interview.answers import gives_no_reason
from campus.learners.plan_view import ItemView, PlanView, details_text, load_view, resolve_item, texts, why_text
from campus.learners.plans import current_plan
from campus.learners.prices import budget_note
from campus.store.db import session_scope
from campus.store.settings import get_settings
from campus.store.wording import month_label
from plan_engine.paths import path_numbers
from plan_engine.planner import PlanOutcome
from plan_engine.replan import PlanError, accept_item, on_module_completed, postpone_item, reject_item
from plan_engine.texts import messages

log = logging.getLogger(__name__)


def _entity_values(tracker: Tracker, name: str) -> list[str]:
    return [str(e["value"]) for e in entities_of(tracker) if e.get("entity") == name and e.get("value") is not None]


def _item_buttons(item: ItemView) -> list[dict[str, str]]:
    b = texts()["buttons"]
    position = f'{{"item_position": "{item.position}"}}'
    return [{"title": b["details"], "payload": f"/module_details{position}"},
            {"title": b["accept"], "payload": f"/accept_item{position}"},
            {"title": b["reject"], "payload": f"/reject_item{position}"}]


def _which_item(dispatcher: CollectingDispatcher, view: PlanView, intent: str) -> None:
    wording = texts()
    dispatcher.utter_message(text=wording["which_item"], buttons=[
        {"title": wording["item_button"].format(position=i.position, title=i.module.title),
         "payload": f'/{intent}{{"item_position": "{i.position}"}}'}
        for i in view.items])


def _changes_text(session: Session, outcome: PlanOutcome, skip: int | None) -> str:
    """What a change did to the rest of the plan ("„X“ kam hinzu"), or that it stayed as it was."""
    t = texts()
    diff = outcome.diff or {}
    added = [m for m in diff.get("added", []) if m != skip]
    removed = [m for m in diff.get("removed", []) if m != skip]
    if not outcome.changed or not (added or removed):
        return str(t["plan_unchanged"])
    words = messages()["changes"]
    modules = {m: session.get(Module, m) for m in added + removed}

    def quoted(ids: list[int]) -> str:
        return str(words["title_joiner"]).join(str(words["quoted"]).format(title=_title(modules[m], m)) for m in ids)

    parts = ([words["added"].format(titles=quoted(added))] if added else []) + \
        ([words["removed"].format(titles=quoted(removed))] if removed else [])
    return str(t["plan_changed"]).format(changes=str(words["joiner"]).join(parts))


def _title(module: Module | None, module_id: int) -> str | int:
    return module.title if module is not None else module_id


class PlanAction:
    """Finds the learner and the item the message means, then handles the request in one transaction.

    Requests about one item (``needs_item``) implement ``handle_item``, the
    others ``handle``. A mixin, not an ``Action``: rasa-sdk registers every
    Action subclass it finds.
    """

    intent = ""
    needs_item = True

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        return await asyncio.to_thread(self._run_sync, dispatcher, tracker)

    def _run_sync(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        with session_scope() as session:
            learner = find_learner(session, channel_of(tracker), tracker.sender_id)
            view = load_view(session, learner.id) if learner else None
            if learner is None or view is None or not view.items:
                self._empty(dispatcher, learner is not None, view)
                return []
            item = None
            if self.needs_item:
                item = resolve_item(view, _entity_values(tracker, "item_position"),
                                    _entity_values(tracker, "competency"), tracker.get_slot("focus_item"))
                if item is None:
                    _which_item(dispatcher, view, self.intent)
                    return []
            try:
                if item is None:
                    return self.handle(session, dispatcher, tracker, learner.id, view)
                return self.handle_item(session, dispatcher, tracker, learner.id, view, item)
            except PlanError as error:
                dispatcher.utter_message(text=error.message_de)
                return []

    def _empty(self, dispatcher: CollectingDispatcher, learner_known: bool, view: PlanView | None) -> None:
        t = texts()
        if not learner_known or view is None:
            dispatcher.utter_message(text=t["no_learner"], buttons=[{"title": t["buttons"]["start_interview"],
                                                                     "payload": "/start_interview"}])
        elif not view.consent:
            dispatcher.utter_message(text=t["no_consent"])
        else:
            dispatcher.utter_message(text=t["no_plan"])

    def handle(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, learner_id: str,
               view: PlanView) -> Events:
        raise NotImplementedError

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, learner_id: str,
                    view: PlanView, item: ItemView) -> Events:
        raise NotImplementedError


class ActionShowPlan(PlanAction, Action):
    needs_item = False

    def name(self) -> str:
        return "action_show_plan"

    def handle(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, learner_id: str,
               view: PlanView) -> Events:
        t = texts()
        version = view.plan.version if view.plan is not None else 0  # a view with items always has its plan
        dispatcher.utter_message(text=t["intro"].format(version=version, count=len(view.items)))
        most = get_settings().plan_max_learning_units
        units = [int(entry.module.learning_units) for entry in view.items]
        paths = path_numbers(units, most)
        for n, entry in enumerate(view.items):
            if paths[-1] > 1 and (n == 0 or paths[n - 1] != paths[n]):  # a year's plan: where each path starts
                in_path = sum(u for u, p in zip(units, paths, strict=True) if p == paths[n])
                dispatcher.utter_message(text=t["path_header"].format(number=paths[n], units=in_path, max=most))
            dispatcher.utter_message(text=entry.card(), buttons=_item_buttons(entry))
        note = budget_note(view.who)
        for text in ([note] if note else []) + list(view.plan.warnings if view.plan is not None else []):
            dispatcher.utter_message(text=text)  # the budget kept, and what it left out
        dispatcher.utter_message(text=" ", buttons=[{"title": t["buttons"]["next"], "payload": "/next_step"}])
        return []


class ActionModuleDetails(PlanAction, Action):
    intent = "module_details"

    def name(self) -> str:
        return "action_module_details"

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                    learner_id: str, view: PlanView, item: ItemView) -> Events:
        b = texts()["buttons"]
        position = f'{{"item_position": "{item.position}"}}'
        dispatcher.utter_message(text=details_text(session, item), buttons=[
            {"title": b["why"], "payload": f"/why_module{position}"},
            {"title": b["accept"], "payload": f"/accept_item{position}"},
            {"title": b["postpone"], "payload": f"/postpone_item{position}"},
            {"title": b["reject"], "payload": f"/reject_item{position}"}])
        return [SlotSet("focus_item", str(item.position))]


class ActionWhyModule(PlanAction, Action):
    intent = "why_module"

    def name(self) -> str:
        return "action_why_module"

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                    learner_id: str, view: PlanView, item: ItemView) -> Events:
        dispatcher.utter_message(text=why_text(item))
        return [SlotSet("focus_item", str(item.position))]


def _apply(session: Session, dispatcher: CollectingDispatcher, item: ItemView, message: str,
           change: Callable[[], PlanOutcome], **values: Any) -> Events:
    outcome = change()
    dispatcher.utter_message(text=texts()[message].format(title=item.module.title, **values) + " "
                             + _changes_text(session, outcome, item.module.id))
    return [SlotSet("focus_item", None)]


class ActionAcceptItem(PlanAction, Action):
    intent = "accept_item"

    def name(self) -> str:
        return "action_accept_item"

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                    learner_id: str, view: PlanView, item: ItemView) -> Events:
        return _apply(session, dispatcher, item, "accepted",
                      lambda: accept_item(session, learner_id, item.item.module_id), month=item.month)


class ActionRejectItem(PlanAction, Action):
    """Remembers the item; the reason form asks why, then ActionSaveRejectionReason replans."""

    intent = "reject_item"

    def name(self) -> str:
        return "action_reject_item"

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                    learner_id: str, view: PlanView, item: ItemView) -> Events:
        return [SlotSet("focus_item", str(item.position)), SlotSet("rejection_reason", None)]


class ActionSaveRejectionReason(PlanAction, Action):
    intent = "reject_item"

    def name(self) -> str:
        return "action_save_rejection_reason"

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                    learner_id: str, view: PlanView, item: ItemView) -> Events:
        reason = str(tracker.get_slot("rejection_reason") or "").strip()
        if gives_no_reason(reason):
            reason = ""
        events = _apply(session, dispatcher, item, "rejected",
                        lambda: reject_item(session, learner_id, item.item.module_id, reason[:500] or None))
        if reason:
            dispatcher.utter_message(text=texts()["rejected_reason_thanks"])
        return [*events, SlotSet("rejection_reason", None)]


class ActionPostponeItem(PlanAction, Action):
    intent = "postpone_item"

    def name(self) -> str:
        return "action_postpone_item"

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                    learner_id: str, view: PlanView, item: ItemView) -> Events:
        outcome = postpone_item(session, learner_id, item.item.module_id)
        moved = next((r for r in outcome.items if r.module_id == item.module.id), None)
        month = month_label(moved.planned_month) if moved and moved.planned_month else item.month
        dispatcher.utter_message(text=texts()["postponed"].format(title=item.module.title, month=month) + " "
                                 + _changes_text(session, outcome, item.module.id))
        return [SlotSet("focus_item", None)]


class ActionNextStep(PlanAction, Action):
    needs_item = False

    def name(self) -> str:
        return "action_next_step"

    def handle(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, learner_id: str,
               view: PlanView) -> Events:
        t = texts()
        upcoming = sorted((i for i in view.items if i.item.status != "postponed"),
                          key=lambda i: (i.item.planned_month or "9999-99", i.position))
        if not upcoming:
            dispatcher.utter_message(text=t["next_none"])
            return []
        first = upcoming[0]
        dispatcher.utter_message(text=t["next"].format(title=first.module.title, month=first.month,
                                                       format=first.format_label, hours=first.hours),
                                 buttons=_item_buttons(first))
        return [SlotSet("focus_item", str(first.position))]


class ActionMarkCompleted(PlanAction, Action):
    intent = "mark_completed"

    def name(self) -> str:
        return "action_mark_completed"

    def handle_item(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                    learner_id: str, view: PlanView, item: ItemView) -> Events:
        t = texts()
        outcome = on_module_completed(session, learner_id, item.item.module_id)
        plan = current_plan(session, learner_id) if outcome.changed else None
        raised = (plan.trigger_detail or {}).get("levels", {}) if plan is not None else {}
        if not raised:
            raised = {c["id"]: int(c["level_to"]) for c in item.module.competencies}
        names = labels()
        levels = t["completed_level_joiner"].join(t["completed_level"].format(label=names.get(cid, cid), level=level)
                           for cid, level in raised.items())
        level_text = t["completed_levels"].format(levels=levels) if levels else t["completed_no_levels"]
        dispatcher.utter_message(text=t["completed"].format(title=item.module.title, levels=level_text) + " "
                                 + _changes_text(session, outcome, item.module.id))
        return [SlotSet("focus_item", None)]
