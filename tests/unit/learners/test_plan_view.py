"""Which plan item a chat message means, and the card line the widget renders."""

from __future__ import annotations

import re

from campus.catalogue.models import Module
from campus.learners.models import Plan, PlanItem
from campus.learners.plan_view import ItemView, PlanView, resolve_item, why_text
from campus.learners.prices import Membership


def view(n: int = 3, who: Membership = Membership()) -> PlanView:
    topics = ["e_akte", "data_protection", "ai_basics", "ozg_basics", "gis"]
    items = [
        ItemView(p, PlanItem(plan_id=1, position=p, module_id=p, match_percent=90 - 10 * p,
                             reasons=[f"Grund {p}"], planned_month="2027-03", status="proposed"),
                 Module(id=p, provider_id="x", external_id=str(p), title=f"Modul {p}", description="d",
                        category="Basismodul", competencies=[{"id": topics[p - 1], "level_from": 0, "level_to": 2}],
                        duration_hours=8, format="online", price_member_eur=300, price_non_member_eur=1450),
                 who)
        for p in range(1, n + 1)
    ]
    return PlanView(Plan(learner_id="L", version=2, trigger="t"), items, True)


def test_explicit_position_wins_then_topic_then_focus() -> None:
    plan = view()
    assert resolve_item(plan, ["2"], ["e_akte"], "3").position == 2
    assert resolve_item(plan, ["last"], [], None).position == 3
    assert resolve_item(plan, [], ["data_protection"], "3").position == 2
    assert resolve_item(plan, [], [], "3").position == 3
    assert resolve_item(plan, ["7"], [], None) is None  # no such item: the bot asks which one
    assert resolve_item(plan, [], [], None) is None
    assert resolve_item(view(1), [], [], None).position == 1  # only one item: no need to ask


def test_card_has_the_plan_line_format_with_the_price_that_applies_and_why_names_reasons() -> None:
    item = view().items[0]
    assert re.match(r"^1\. \*\*Modul 1\*\* – 80 % Übereinstimmung\. März 2027 · online, 8 Std\. · 1\.450 € · "
                    r"Basismodul$", item.card())
    assert "Grund 1" in why_text(item) and "80 %" in why_text(item)
    member = view(who=Membership("musterstadt", "Stadt Musterstadt", member=True)).items[0]
    assert " · 300 € Mitgliedspreis · Basismodul" in member.card()
