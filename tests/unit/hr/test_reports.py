"""HR's k-anonymous results: cells of at least k people, gaps on the same cells, results only after closing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from campus.hr.campaigns import close_campaign
from campus.hr.invitation_flow import (
    mark_completed,
    mark_declined,
    mark_started,
)
from campus.hr.reports import below_target, campaign_report, gap_cells, release_cells
from campus.learners.privacy import erase_learner
from campus.store.settings import get_settings
from tests.unit.hr.campaign_kit import NOW, learner, people, running


@pytest.mark.parametrize(("counts", "expected"), [
    ({2: 4}, None),
    ({2: 5}, [((2,), 5)]),
    ({1: 5, 2: 6}, [((1,), 5), ((2,), 6)]),
    ({1: 6, 2: 1}, [((0, 1, 2, 3, 4), 7)]),  # a residue of 1 would be total minus the rest: merged away
    ({0: 1, 1: 5, 2: 7, 4: 2}, [((0, 1, 3, 4), 8), ((2,), 7)]),
    ({0: 5, 3: 5, 4: 5}, [((0,), 5), ((3,), 5), ((4,), 5)]),
    ({0: 2, 2: 2, 4: 2}, [((0, 1, 2, 3, 4), 6)]),
])
def test_cells_never_hold_fewer_than_k_people(counts, expected) -> None:
    cells = release_cells(counts, 5)
    if expected is None:
        assert cells is None
        return
    assert [(c.levels, c.count) for c in cells] == expected
    assert all(c.count >= 5 for c in cells) and sum(c.count for c in cells) == sum(counts.values())


def test_gaps_use_the_same_cells_as_levels() -> None:
    cells = release_cells({0: 1, 1: 5, 2: 7, 3: 6, 4: 2}, 5)
    assert [(c.levels, c.count) for c in cells] == [((0, 1, 4), 8), ((2,), 7), ((3,), 6)]
    assert gap_cells(cells, target=3) == [{"gaps": [0], "count": 6}, {"gaps": [0, 2, 3], "count": 8},
                                          {"gaps": [1], "count": 7}]
    assert below_target(cells, 3) is None  # the merged cell holds levels below and at the target
    clean = release_cells({1: 5, 3: 6, 4: 5}, 5)
    assert below_target(clean, 3) == 5 and gap_cells(clean, 3) == [{"gaps": [0], "count": 11},
                                                                   {"gaps": [2], "count": 5}]


def participate(session: Session, tokens: list[str], levels: list[dict[str, int]], now: datetime) -> list[str]:
    ids = []
    for n, (token, lv) in enumerate(zip(tokens, levels, strict=False)):
        learner_id = learner(session, f"participant-{token[:8]}-{n}", lv)
        assert mark_started(session, token, learner_id, now=now).ok
        mark_completed(session, learner_id, now=now)
        ids.append(learner_id)
    return ids


def test_results_only_after_closing_and_only_for_groups_of_five(session) -> None:
    k = get_settings().campaign_min_group_size
    campaign, tokens = running(session, people(12))
    levels = [{"e_akte": 1, "data_protection": 2}] * 5 + [{"e_akte": 3}] * 5 + [{"e_akte": 2, "data_protection": 0}]
    ids = participate(session, tokens, levels, NOW)
    mark_declined(session, tokens[11], now=NOW)

    live = campaign_report(session, campaign, k)
    assert live["results_available"] is False and live["competencies"] == [] and "läuft noch" in live["notice"]
    assert live["counts"] == {"total": 12, "pending": 0, "invited": 0, "started": 0, "completed": 11, "declined": 1}

    close_campaign(session, campaign, now=NOW + timedelta(days=1))
    report = campaign_report(session, campaign, k)
    assert report["results_available"] and report["participants"] == 11
    e_akte, data_protection = report["competencies"]
    # levels 1 (5 people) and 3 (5) stand alone; level 2 (1 person) would be derivable, so level 1 joins it
    assert e_akte["levels"] == [{"levels": [0, 1, 2, 4], "count": 6}, {"levels": [3], "count": 5}]
    assert e_akte["gaps"] == [{"gaps": [0], "count": 5}, {"gaps": [0, 1, 2, 3], "count": 6}]
    assert e_akte["answers"] == 11 and e_akte["below_target"] is None and e_akte["target_level"] == 3
    assert data_protection["answers"] == 6 and data_protection["levels"] == [{"levels": [0, 1, 2, 3, 4], "count": 6}]
    assert data_protection["notice"] and "zusammengefasst" in data_protection["notice"]
    assert "P-000" not in str(report) and not any(i in str(report) for i in ids)

    # erasing a participant afterwards does not change the frozen results (no differencing)
    erase_learner(session, "socketio", f"participant-{tokens[0][:8]}-0")
    assert campaign_report(session, campaign, k)["competencies"] == report["competencies"]


def test_fewer_than_five_participants_give_counts_and_a_notice_only(session) -> None:
    campaign, tokens = running(session, people(5))
    participate(session, tokens[:3], [{"e_akte": 2}] * 3, NOW)
    me = learner(session, "twice", {"e_akte": 4})
    for token in tokens[3:5]:  # one person opening two links counts once: 5 invitations, 4 people
        mark_started(session, token, me, now=NOW)
    mark_completed(session, me, now=NOW)
    close_campaign(session, campaign, now=NOW + timedelta(days=1))
    report = campaign_report(session, campaign, 5)
    assert report["counts"]["completed"] == 5 and report["participants"] is None
    assert report["competencies"] == [] and "Weniger als 5" in report["notice"]
