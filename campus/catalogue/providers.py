"""Education providers: register, update, list them and issue their API keys, without editing a seed file.

A provider is the scope of its modules and of its provider keys. Registering
one is a user action of an admin and one transaction: the provider and its
first key are written together, so a provider never exists without a way
for it to log in (unless the admin asks for no key), and a refused request
leaves nothing behind. Seeded providers (``data/seed/providers.yml``) are
ordinary providers; the seed only states the fields it knows and never
overwrites a contact an admin set.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from sqlmodel import Session, col, select

from campus.access.keys import create_key
from campus.access.models import ApiKey
from campus.catalogue.models import Provider
from campus.store.errors import problem

PROVIDER_KINDS = ("university", "ihk", "private", "public_academy", "association", "other")
ProviderKind = Literal["university", "ihk", "private", "public_academy", "association", "other"]
SLUG = r"^[a-z0-9][a-z0-9_-]{1,62}$"
# an address to write to, not a full RFC 5322 check: one @, no spaces, a dot in the domain
EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"


class ProviderIn(BaseModel):
    """A new provider; ``issue_key`` (default) returns its first provider key, shown once."""

    model_config = ConfigDict(extra="forbid")

    id: StrictStr = Field(pattern=SLUG, description="Kennung (Kleinbuchstaben, Ziffern, _ und -)")
    name: StrictStr = Field(min_length=2, max_length=200)
    kind: ProviderKind = "other"
    contact: StrictStr = Field(max_length=254, pattern=EMAIL)
    region: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    issue_key: StrictBool = True
    key_label: StrictStr = Field(default="", max_length=200)


class ProviderUpdate(BaseModel):
    """The fields to change; a field left out stays as it is (``region: null`` removes the region)."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(default=None, min_length=2, max_length=200)
    kind: ProviderKind | None = None
    contact: StrictStr | None = Field(default=None, max_length=254, pattern=EMAIL)
    region: StrictStr | None = Field(default=None, min_length=1, max_length=100)


REQUIRED_ON_UPDATE = ("name", "kind", "contact")


def provider_view(row: Provider) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "region": row.region, "contact": row.contact,
            "created_at": row.created_at.isoformat()}


def list_providers(session: Session) -> list[Provider]:
    return list(session.exec(select(Provider).order_by(col(Provider.id))).all())


def get_provider(session: Session, provider_id: str) -> Provider:
    row = session.get(Provider, provider_id)
    if row is None:
        raise problem("provider_not_found", "provider_id", 404, id=provider_id)
    return row


def register_provider(session: Session, data: ProviderIn) -> tuple[Provider, str | None]:
    """Store the provider and (unless ``issue_key`` is false) its first key; one transaction.

    Returns the row and the plain key (None without a key), which is never
    stored: only its hash is.
    """
    if session.get(Provider, data.id) is not None:
        raise problem("provider_exists", "id", 409, id=data.id)
    row = Provider(id=data.id, name=data.name.strip(), kind=data.kind, contact=data.contact.strip(),
                   region=data.region.strip() if data.region else None)
    session.add(row)
    session.flush()
    plain = create_key(session, "provider", provider_id=row.id, label=data.key_label)[0] if data.issue_key else None
    session.commit()
    return row, plain


def update_provider(session: Session, provider_id: str, data: ProviderUpdate) -> Provider:
    """Change the given fields (one transaction); name, kind and contact cannot be removed."""
    row = get_provider(session, provider_id)
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    if not changes:
        raise problem("empty_update", "body")
    for name in REQUIRED_ON_UPDATE:
        if name in changes and changes[name] is None:
            raise problem("field_not_nullable", name, name=name)
    for name, value in changes.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    session.add(row)
    session.commit()
    return row


def issue_provider_key(session: Session, provider_id: str, label: str = "") -> tuple[str, ApiKey]:
    """Another key for the provider (e.g. one per system that pushes modules); one transaction."""
    get_provider(session, provider_id)
    plain, key = create_key(session, "provider", provider_id=provider_id, label=label)
    session.commit()
    return plain, key


def seed_provider(session: Session, item: dict[str, Any]) -> Provider:
    """A provider from the seed file (in the caller's transaction): created, or its seeded fields updated.

    Fields the seed does not state (the contact, usually) keep what an admin set.
    """
    row = session.get(Provider, item["id"]) or Provider(id=item["id"], name=item["name"], kind=item["kind"])
    row.name, row.kind = item["name"], item["kind"]
    for name in ("region", "contact"):
        if name in item:
            setattr(row, name, item[name])
    session.add(row)
    return row
