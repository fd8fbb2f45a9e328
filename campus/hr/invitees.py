"""The people HR invites: the input model and every check that runs before a campaign is stored.

An address is optional (without one HR hands the link over itself); given
ones are normalised so duplicates are found whatever the spelling.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from campus.store.errors import problem
from campus.store.settings import get_settings
from campus.store.texts import text

EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
TELEGRAM_HANDLE = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$")
CheckedInvitee = tuple["InviteeIn", str, str | None, str | None]


class InviteeIn(BaseModel):
    """One person to invite: HR's own reference (e.g. personnel number), the channel, optionally an address.

    Without an address HR hands the link over itself (``GET …/invitations``).
    """

    model_config = ConfigDict(extra="forbid")

    employee_ref: StrictStr = Field(min_length=1, max_length=64)
    channel: Literal["widget", "telegram"] = "widget"
    address: StrictStr | None = Field(default=None, max_length=254,
                                      description=text("api.fields.invitee_address"))


def address_kind(address: str) -> str | None:
    if EMAIL.match(address):
        return "email"
    if TELEGRAM_HANDLE.match(address):
        return "telegram"
    return None


def normalised_address(address: str, kind: str) -> str:
    return address.strip().lower() if kind == "email" else "@" + address.strip().lstrip("@").lower()


def check_invitees(invitees: list[InviteeIn]) -> list[tuple[InviteeIn, str, str | None, str | None]]:
    """(invitee, normalised reference, address kind, normalised address) for each, after all checks."""
    settings = get_settings()
    if not invitees:
        raise problem("no_invitees", "invitees")
    if len(invitees) > settings.campaign_max_invitees:
        raise problem("too_many_invitees", "invitees", max=settings.campaign_max_invitees, count=len(invitees))
    checked = []
    for index, invitee in enumerate(invitees):
        ref = invitee.employee_ref.strip()
        if not ref:
            raise problem("blank_ref", f"invitees.{index}.employee_ref")
        if invitee.channel == "telegram" and not settings.telegram_bot_username:
            raise problem("telegram_not_configured", f"invitees.{index}.channel")
        kind = normalised = None
        if invitee.address is not None and invitee.address.strip():
            kind = address_kind(invitee.address.strip())
            if kind is None:
                raise problem("bad_address", f"invitees.{index}.address")
            normalised = normalised_address(invitee.address, kind)
        checked.append((invitee, ref, kind, normalised))
    refs = [ref.casefold() for _, ref, _, _ in checked]
    duplicates = sorted({checked[i][1] for i, ref in enumerate(refs) if refs.count(ref) > 1})
    if duplicates:
        raise problem("duplicate_invitees", "invitees", refs=", ".join(duplicates[:20]))
    addresses = [a for _, _, _, a in checked]
    repeated = [str(i) for i, a in enumerate(addresses) if a is not None and addresses.count(a) > 1]
    if repeated:
        raise problem("duplicate_addresses", "invitees", rows=", ".join(repeated[:20]))
    return checked
