"""Admin: create, list and deactivate API keys (like ``python -m campus.cli.keys``, over HTTP).

A key is shown once, when it is created; lists show only its prefix. Each
key is scoped: a provider key to one provider, an HR key to one organisation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlmodel import col, select

from campus.access.keys import create_key
from campus.access.models import ApiKey
from campus.api.auth import AdminKey
from campus.api.deps import SessionDep
from campus.api.json_body import http_error, openapi_body, parse_body
from campus.catalogue.models import Provider
from campus.store.errors import problem

router = APIRouter(prefix="/admin/keys", tags=["admin"])

MAX_BODY_BYTES = 8_000
KeyId = Annotated[int, Path(ge=1, le=2**62)]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["provider", "board", "hr", "admin"]
    provider_id: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    org: StrictStr | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    label: StrictStr = Field(default="", max_length=200)


def _view(row: ApiKey) -> dict[str, Any]:
    return {"id": row.id, "prefix": row.prefix, "role": row.role, "provider_id": row.provider_id, "org": row.org,
            "label": row.label, "active": row.active, "created_at": row.created_at.isoformat()}


@router.get("")
def list_keys(_: AdminKey, session: SessionDep) -> list[dict[str, Any]]:
    return [_view(row) for row in session.exec(select(ApiKey).order_by(col(ApiKey.id))).all()]


@router.post("", status_code=201, openapi_extra=openapi_body(KeyIn), responses={400: {}, 413: {}, 422: {}})
async def new_key(request: Request, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    """Create a key; the response carries the plain key, shown only this once."""
    data = await parse_body(request, KeyIn, MAX_BODY_BYTES)
    if (data.provider_id and data.role != "provider") or (data.org and data.role != "hr"):
        raise http_error(problem("key_scope_mismatch", "role"))
    if data.role == "provider" and (not data.provider_id or session.get(Provider, data.provider_id) is None):
        raise http_error(problem("key_needs_provider", "provider_id"))
    if data.role == "hr" and not data.org:
        raise http_error(problem("key_needs_org", "org"))
    plain, row = create_key(session, data.role, data.provider_id, data.org, data.label)
    view = {**_view(row), "key": plain}
    session.commit()
    return view


@router.delete("/{key_id}", responses={404: {}, 409: {}})
def deactivate(key_id: KeyId, key: AdminKey, session: SessionDep) -> dict[str, Any]:
    """Deactivate a key (kept for the audit trail of board decisions)."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise http_error(problem("key_not_found", "key_id", 404, id=key_id))
    if row.id == key.id:
        raise http_error(problem("own_key", "key_id", 409))
    row.active = False
    session.add(row)
    session.commit()
    return _view(row)
