"""Tables of HR: registered organisations, their role profiles, module preferences, campaigns and invitations.

JSON columns hold small, always-read-together structures; anything queried or joined on gets its
own column or table. All tables share one metadata (``SQLModel.metadata``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from campus.store.clock import utcnow


class OrgRoleProfile(SQLModel, table=True):
    """Bookkeeping for an organisation's own role profile (HR).

    The profile itself is a ``RoleProfile`` row with ``org`` set, so the
    interview and the plan engine use it exactly like a global one; this row
    records which global profile it was copied from and its edit history count.
    """

    role_profile_id: str = Field(foreign_key="roleprofile.id", primary_key=True)
    org: str = Field(index=True)
    based_on: str | None = None  # the global RoleProfile id it was copied from
    revision: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class HrModulePreference(SQLModel, table=True):
    """A module HR recommends or assigns for an organisation's role profile (a strong plan preference)."""

    role_profile_id: str = Field(foreign_key="roleprofile.id", primary_key=True)
    module_id: int = Field(foreign_key="module.id", primary_key=True)
    org: str = Field(index=True)
    kind: str = "recommended"  # recommended | assigned
    created_at: datetime = Field(default_factory=utcnow)


class Campaign(SQLModel, table=True):
    """An HR interview campaign: one org role profile, a list of invitees, a message, start and deadline."""

    id: int | None = Field(default=None, primary_key=True)
    org: str = Field(index=True)
    name: str
    role_profile_id: str = Field(foreign_key="roleprofile.id", index=True)
    message: str
    starts_at: datetime
    deadline: datetime
    status: str = Field(default="draft", index=True)  # draft | running | closed
    # the role profile's targets when the campaign started, so later edits do not change its results
    targets: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    # the anonymised results, computed once when the campaign closes (never recomputed: no differencing)
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by_key_id: int | None = Field(default=None, foreign_key="apikey.id")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    closed_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """One invitee of a campaign.

    HR's employee reference and the delivery address are personal data: both
    are stored encrypted, the address only until the invitation no longer needs
    delivering. ``ref_hash`` (keyed) finds duplicates without decrypting.
    The link to a learner lives in ``InvitationLearner`` so that erasing the
    learner removes it without touching HR's counts.
    """

    __table_args__ = (UniqueConstraint("campaign_id", "ref_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    public_id: str = Field(index=True, unique=True)  # random; the signed token carries it
    ref_hash: str
    ref_sealed: str
    channel: str  # widget | telegram
    address_sealed: str | None = None
    address_kind: str | None = None  # email | telegram
    status: str = Field(default="pending", index=True)  # pending | invited | started | completed | declined
    status_at: datetime = Field(default_factory=utcnow)
    reminded_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class InvitationEvent(SQLModel, table=True):
    """Status history of an invitation (invited → started → completed / declined)."""

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", index=True)
    status: str
    at: datetime = Field(default_factory=utcnow)


class InvitationLearner(SQLModel, table=True):
    """Which learner took up an invitation (set when the conversation starts from the signed link)."""

    invitation_id: int = Field(foreign_key="invitation.id", primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    linked_at: datetime = Field(default_factory=utcnow)


class InvitationDelivery(SQLModel, table=True):
    """An invitation or reminder message for an invitee who is not (yet) a learner.

    ``Outbox`` needs a learner; before the invitee opens the link there is
    none, only the address HR gave. A relay (e-mail) reads pending rows, the
    address comes from the invitation (decrypted only for sending).
    """

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", index=True)
    kind: str  # invitation | reminder
    channel: str  # email | telegram
    text: str
    status: str = Field(default="pending", index=True)  # pending | sent | failed | cancelled
    due_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class Organisation(SQLModel, table=True):
    """A municipal administration (municipality, city, county …) registered with the platform.

    ``member`` says whether it belongs to the cooperative: its employees get
    the modules at the member price. ``synonyms`` are other names people use
    for it ("Musterstadt", "Stadtverwaltung Musterstadt"), so an interview
    answer can be matched to it. ``yearly_budget_eur`` is what HR allows
    *each* of its learners to spend per year on continuing education (None:
    no limit): a per-learner cap, not a pool, because the platform sees
    plans, not bookings or invoices, and a cap per person is enforceable
    in every plan without HR seeing anyone's plan. A learner's own budget
    may be lower; the plan keeps to the lower of the two.
    """

    id: str = Field(primary_key=True)  # slug, the ``org`` of HR keys and campaigns
    name: str
    kind: str = "municipality"  # municipality | city | county | district | association | state_agency | other
    region: str | None = None
    member: bool = False
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    yearly_budget_eur: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
