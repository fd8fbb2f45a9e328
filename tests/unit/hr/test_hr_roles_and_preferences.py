"""Organisation role profiles copied from global ones, and the modules HR prefers for the learners they apply to."""

from __future__ import annotations

import pytest

from campus.catalogue.models import Module, RoleProfile
from campus.hr.invitation_flow import (
    mark_declined,
    mark_started,
)
from campus.hr.module_preferences import (
    ModulePreferencesIn,
    learners_for_role_profile,
    preferred_modules_for,
    set_preferences,
)
from campus.hr.role_profiles import RoleProfileUpdate, update_org_profile
from campus.store.errors import DomainError
from tests.unit.hr.campaign_kit import NOW, ORG, TARGETS, learner, org_profile, people, running


def test_org_role_profiles_copy_the_global_one_and_check_their_targets(session) -> None:
    profile = org_profile(session)
    assert profile.org == ORG and profile.targets == TARGETS and profile.id != "sb"
    update_org_profile(session, ORG, profile.id, RoleProfileUpdate(targets=[
        {"competency": "ai_basics", "level": 4, "weight": 0.5}]))
    assert session.get(RoleProfile, profile.id).targets == [{"competency": "ai_basics", "level": 4, "weight": 0.5}]
    for targets, message in (([{"competency": "kochen", "level": 1}], "kochen"),
                             ([{"competency": "e_akte", "level": 1}, {"competency": "e_akte", "level": 2}], "e_akte")):
        with pytest.raises(DomainError, match=message):
            update_org_profile(session, ORG, profile.id, RoleProfileUpdate.model_validate({"targets": targets}))
    with pytest.raises(DomainError) as caught:
        update_org_profile(session, "anderstadt", profile.id, RoleProfileUpdate(title="X"))
    assert caught.value.status_code == 404
    assert session.get(RoleProfile, "sb").targets == TARGETS  # the global one is untouched


def test_preferred_modules_follow_the_campaigns_a_learner_took_part_in(session) -> None:
    campaign, tokens = running(session, people(3))
    prefs = ModulePreferencesIn.model_validate({"modules": [{"module_id": 2, "kind": "recommended"},
                                                            {"module_id": 1, "kind": "assigned"}]})
    set_preferences(session, ORG, campaign.role_profile_id, prefs)
    for bad in ([{"module_id": 3}], [{"module_id": 99}], [{"module_id": 1}, {"module_id": 1}]):
        with pytest.raises(DomainError):
            set_preferences(session, ORG, campaign.role_profile_id,
                            ModulePreferencesIn.model_validate({"modules": bad}))
    with pytest.raises(DomainError):
        set_preferences(session, "anderstadt", campaign.role_profile_id, prefs)

    taker, decliner, stranger = learner(session, "t"), learner(session, "d"), learner(session, "x")
    mark_started(session, tokens[0], taker, now=NOW)
    mark_started(session, tokens[1], decliner, now=NOW)
    mark_declined(session, tokens[1], now=NOW)
    assert preferred_modules_for(session, taker) == [1, 2]  # assigned first
    assert preferred_modules_for(session, decliner) == [] and preferred_modules_for(session, stranger) == []
    assert learners_for_role_profile(session, campaign.role_profile_id) == [taker]

    session.get(Module, 1).status = "withdrawn"
    session.flush()
    assert preferred_modules_for(session, taker) == [2]
