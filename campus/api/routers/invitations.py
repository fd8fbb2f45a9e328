"""The invitee's side of a campaign invitation, reachable with the signed token only.

No API key: the token is the authorisation, and it reveals nothing but the
campaign (name, message, deadline, where to start). The answer never says
whether this person started, finished or declined, so whoever holds a link
cannot read someone's participation from it. Declining is a POST (from the
page's button), so mail scanners that open links never decline for anyone.
"""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import HTMLResponse

from campus.api.deps import SessionDep
from campus.hr.invitation_flow import InvitationCheck, InvitationInfo, invitation_from_token, mark_declined
from campus.hr.tokens import link_for
from campus.store.clock import format_moment
from campus.store.settings import get_settings
from campus.store.texts import texts

api_router = APIRouter(prefix="/invitations", tags=["invitation"])
page_router = APIRouter(tags=["invitation"])

PROBLEM_STATUS = {"malformed": 400, "forged": 400, "unknown": 404, "expired": 410, "not_started": 409}
Token = Annotated[str, Path(min_length=1, max_length=100)]
NO_TRACE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _checked(check: InvitationCheck) -> InvitationInfo:
    if not check.ok:
        raise HTTPException(PROBLEM_STATUS.get(check.problem or "", 400),
                            detail={"problem": check.problem, "message_de": check.message_de}, headers=NO_TRACE)
    assert check.invitation is not None  # a check without a problem carries its invitation
    return check.invitation


def _public(info: InvitationInfo, token: str) -> dict[str, Any]:
    return {"campaign": info.campaign_name, "role_title": info.role_title, "message": info.message,
            "deadline": info.deadline.isoformat(), "deadline_text": format_moment(info.deadline),
            "channel": info.channel, "link": link_for(info.channel, token)}


@api_router.get("/{token}", responses={400: {}, 404: {}, 409: {}, 410: {}})
def invitation(token: Token, session: SessionDep) -> dict[str, Any]:
    """What the invitation is about and where to start (no participation status)."""
    return _public(_checked(invitation_from_token(session, token)), token)


@api_router.post("/{token}/decline", responses={400: {}, 404: {}, 409: {}, 410: {}})
def decline(token: Token, session: SessionDep) -> dict[str, str]:
    """Decline the invitation; the answer is the same whatever its state was."""
    _checked(mark_declined(session, token))
    session.commit()
    return {"message_de": texts("campaigns")["token"]["decline_received"]}


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    document = (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{margin:0;font-family:system-ui,sans-serif;line-height:1.6;color:#1a1f29}"
        "header{padding:20px 24px;background:#1d3f72;color:#fff}main{max-width:640px;padding:8px 24px 40px}"
        "a,button{font-size:1rem}a.start{display:inline-block;padding:10px 16px;background:#1d3f72;color:#fff;"
        "text-decoration:none;border-radius:6px}button{padding:8px 14px}"
        ":focus-visible{outline:3px solid #1d3f72;outline-offset:2px}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1></header>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return HTMLResponse(document, status_code=status_code, headers=NO_TRACE)


def _error_page(check: InvitationCheck) -> HTMLResponse:
    page = texts("campaigns")["page"]
    return _page(page["error_title"], f"<p>{html.escape(check.message_de or '')}</p>",
                 PROBLEM_STATUS.get(check.problem or "", 400))


@page_router.get("/einladung/{token}", response_class=HTMLResponse, include_in_schema=False)
def invitation_page(token: Token, session: SessionDep) -> HTMLResponse:
    check = invitation_from_token(session, token)
    if not check.ok:
        return _error_page(check)
    page, info = texts("campaigns")["page"], check.invitation
    assert info is not None  # a check without a problem carries its invitation
    start = page["start_telegram"] if info.channel == "telegram" else page["start_widget"]
    privacy = page["privacy"].format(min_group_size=get_settings().campaign_min_group_size)
    intro = page["intro"].format(campaign=info.campaign_name, deadline=format_moment(info.deadline))
    href = html.escape(link_for(info.channel, token), quote=True)
    body = "\n".join([
        f"<p>{html.escape(intro)}</p>",
        "".join(f"<p>{html.escape(line)}</p>" for line in info.message.splitlines() if line.strip()),
        f'<p><a class="start" href="{href}">{html.escape(start)}</a></p>',
        f'<p>{html.escape(privacy)} <a href="/datenschutz">{html.escape(page["privacy_link"])}</a></p>',
        f"<h2>{html.escape(page['decline_heading'])}</h2>",
        f'<form method="post" action="/einladung/{html.escape(token, quote=True)}/ablehnen">'
        f'<button type="submit">{html.escape(page["decline_button"])}</button></form>',
    ])
    return _page(page["title"], body)


@page_router.post("/einladung/{token}/ablehnen", response_class=HTMLResponse, include_in_schema=False)
def decline_page(token: Token, session: SessionDep) -> HTMLResponse:
    check = mark_declined(session, token)
    if not check.ok:
        return _error_page(check)
    session.commit()
    wording = texts("campaigns")
    return _page(wording["page"]["title"], f"<p>{html.escape(wording['token']['decline_received'])}</p>")
