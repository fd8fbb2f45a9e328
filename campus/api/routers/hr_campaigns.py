"""HR: interview campaigns of the key's organisation, their invitations and their anonymised results.

There is no per-person view of participation or answers: HR sees whom it
invited (and the links it hands over itself), progress as counts, and the
results as k-anonymous distributions once the campaign is closed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from campus.api.auth import HrKey, HrOrg
from campus.api.deps import SessionDep
from campus.api.json_body import openapi_body, parse_body
from campus.hr.campaigns import (
    CampaignIn,
    campaign_view,
    close_for_org,
    create_campaign,
    get_campaign,
    invitation_list,
    list_campaigns,
    start_campaign,
)
from campus.hr.reports import campaign_report
from campus.store.settings import get_settings

router = APIRouter(prefix="/hr/campaigns", tags=["hr"])

MAX_BODY_BYTES = 1_000_000
CampaignId = Annotated[int, Path(ge=1, le=2**62)]


@router.post("", status_code=201, openapi_extra=openapi_body(CampaignIn),
             responses={400: {}, 404: {}, 413: {}, 415: {}, 422: {}})
async def create(request: Request, key: HrKey, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    """Create a campaign as a draft with its invitees; nothing is sent before ``…/start``."""
    data = await parse_body(request, CampaignIn, MAX_BODY_BYTES)
    campaign = create_campaign(session, org, data, key_id=key.id)
    return campaign_view(session, campaign)


@router.get("")
def list_all(org: HrOrg, session: SessionDep) -> list[dict[str, Any]]:
    return [campaign_view(session, c) for c in list_campaigns(session, org)]


@router.get("/{campaign_id}", responses={404: {}})
def read(campaign_id: CampaignId, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    return campaign_view(session, get_campaign(session, org, campaign_id))


@router.post("/{campaign_id}/start", responses={404: {}, 409: {}, 422: {}})
def start(campaign_id: CampaignId, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    """Issue the invitations: signed links valid until the deadline, messages queued for given addresses."""
    campaign = start_campaign(session, org, campaign_id)
    return campaign_view(session, campaign)


@router.post("/{campaign_id}/close", responses={404: {}})
def close(campaign_id: CampaignId, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    """End the campaign now: links stop working, results are computed once and frozen."""
    campaign = close_for_org(session, org, campaign_id)
    return campaign_view(session, campaign)


@router.get("/{campaign_id}/invitations", responses={404: {}})
def invitations(campaign_id: CampaignId, org: HrOrg, session: SessionDep) -> list[dict[str, Any]]:
    """Whom you invited and, for invitees without an address, the link to hand over (no participation status)."""
    return invitation_list(session, get_campaign(session, org, campaign_id))


@router.get("/{campaign_id}/report", responses={404: {}})
def report(campaign_id: CampaignId, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    """Counts per status; after closing, per competency the k-anonymous distribution of levels and gaps."""
    campaign = get_campaign(session, org, campaign_id)
    return campaign_report(session, campaign, get_settings().campaign_min_group_size)
