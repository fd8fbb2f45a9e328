"""The hand-off point for a relay that delivers invitation and reminder messages to addresses.

An invitee who has not opened the link is no learner yet, so their messages
wait in ``InvitationDelivery`` instead of the ``Outbox``. A relay (an e-mail
sender on the administration's network) asks for the due rows, gets the
address decrypted only for that moment, and reports back. No relay exists
yet: this is the hand-off the production profile's SMTP delivery (issue 16)
will call; until then only tests call it, and invitations to addresses wait.
Rows whose address is gone (the person started, declined, or the campaign
closed) are not handed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from campus.hr.campaigns import ADDRESS_PURPOSE
from campus.hr.models import Invitation, InvitationDelivery
from campus.store.clock import utcnow
from campus.store.ids import stored_id
from campus.store.sealed import unseal


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: int
    kind: str  # invitation | reminder
    channel: str  # email | telegram
    address: str
    text: str


def due_deliveries(session: Session, now: datetime, limit: int = 100) -> list[DueDelivery]:
    """Pending rows that are due, oldest first, each with its decrypted address."""
    rows = session.exec(
        select(InvitationDelivery, Invitation)
        .join(Invitation, col(Invitation.id) == col(InvitationDelivery.invitation_id))
        .where(InvitationDelivery.status == "pending", col(InvitationDelivery.due_at) <= now)
        .order_by(col(InvitationDelivery.due_at), col(InvitationDelivery.id)).limit(limit)
    ).all()
    out = []
    for delivery, invitation in rows:
        address = unseal(ADDRESS_PURPOSE, invitation.address_sealed)
        if address:
            out.append(DueDelivery(stored_id(delivery.id), delivery.kind, delivery.channel, address, delivery.text))
    return out


def mark_delivered(session: Session, delivery_id: int, error: str | None = None, now: datetime | None = None) -> None:
    """The relay's report: sent (no error) or failed with the reason."""
    row = session.get(InvitationDelivery, delivery_id)
    if row is None:
        raise LookupError(f"invitation delivery {delivery_id} does not exist")
    row.attempts += 1
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", now or utcnow(), None
    else:
        row.status, row.last_error = "failed", error[:500]
    session.add(row)
