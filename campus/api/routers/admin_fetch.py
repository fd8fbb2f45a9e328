"""Admin: the intranet hosts feed URLs may point at (public hosts need no entry).

Everything not on this list that resolves to a loopback, private, link-local
or otherwise internal address is refused before any connection
(``campus.catalogue.feeds.fetch``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from campus.api.auth import AdminKey
from campus.api.deps import SessionDep
from campus.api.json_body import openapi_body, parse_body
from campus.catalogue.feeds.allowlist import allow_host, allowed_view, disallow_host, list_allowed

router = APIRouter(prefix="/admin/fetch/allowed-hosts", tags=["admin"])

MAX_BODY_BYTES = 4_000
HostName = Annotated[str, Path(min_length=1, max_length=255)]


class AllowedHostIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    host: StrictStr = Field(min_length=1, max_length=255)
    note: StrictStr = Field(default="", max_length=500)


@router.get("")
def list_hosts(_: AdminKey, session: SessionDep) -> list[dict[str, Any]]:
    return [allowed_view(row) for row in list_allowed(session)]


@router.post("", status_code=201, openapi_extra=openapi_body(AllowedHostIn), responses={400: {}, 413: {}, 422: {}})
async def add_host(request: Request, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    """Allow feeds from an intranet host (a host name or IP address, without scheme, port or path)."""
    data = await parse_body(request, AllowedHostIn, MAX_BODY_BYTES)
    return allowed_view(allow_host(session, data.host, data.note))


@router.delete("/{host}", responses={404: {}})
def remove_host(host: HostName, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    disallow_host(session, host)
    return {"host": host, "removed": True}
