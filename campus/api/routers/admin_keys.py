"""Admin: create, list and deactivate API keys (like ``python -m campus.cli.keys``, over HTTP).

A key is shown once, when it is created; lists show only its prefix. Each
key is scoped: a provider key to one provider, an HR key to one organisation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from campus.access.keys import deactivate_key, issue_key, key_view, list_keys
from campus.api.auth import AdminKey
from campus.api.deps import SessionDep
from campus.api.json_body import openapi_body, parse_body

router = APIRouter(prefix="/admin/keys", tags=["admin"])

MAX_BODY_BYTES = 8_000
KeyId = Annotated[int, Path(ge=1, le=2**62)]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["provider", "board", "hr", "admin"]
    provider_id: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    org: StrictStr | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    label: StrictStr = Field(default="", max_length=200)


@router.get("")
def list_all(_: AdminKey, session: SessionDep) -> list[dict[str, Any]]:
    return [key_view(row) for row in list_keys(session)]


@router.post("", status_code=201, openapi_extra=openapi_body(KeyIn), responses={400: {}, 413: {}, 422: {}})
async def new_key(request: Request, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    """Create a key; the response carries the plain key, shown only this once."""
    data = await parse_body(request, KeyIn, MAX_BODY_BYTES)
    plain, row = issue_key(session, data.role, data.provider_id, data.org, data.label)
    return {**key_view(row), "key": plain}


@router.delete("/{key_id}", responses={404: {}, 409: {}})
def deactivate(key_id: KeyId, key: AdminKey, session: SessionDep) -> dict[str, Any]:
    """Deactivate a key (kept for the audit trail of board decisions)."""
    return key_view(deactivate_key(session, key_id, key.id))
