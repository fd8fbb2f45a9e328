"""Admin: register education providers and issue their keys (no seed file to edit).

``POST /admin/providers`` stores the provider and, unless ``issue_key`` is
false, its first provider key in one transaction; the key is in the
response only this once. Further keys (one per system that pushes modules)
come from ``POST /admin/providers/{id}/keys``; keys are listed and
deactivated under ``/admin/keys``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from campus.access.keys import key_view
from campus.api.auth import AdminKey
from campus.api.deps import SessionDep
from campus.api.json_body import openapi_body, parse_body
from campus.catalogue.providers import (
    SLUG,
    ProviderIn,
    ProviderUpdate,
    get_provider,
    issue_provider_key,
    list_providers,
    provider_view,
    register_provider,
    update_provider,
)
from campus.store.texts import text

router = APIRouter(prefix="/admin/providers", tags=["admin"])

MAX_BODY_BYTES = 8_000
ProviderId = Annotated[str, Path(min_length=2, max_length=63, pattern=SLUG)]


class ProviderKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: StrictStr = Field(default="", max_length=200)


@router.get("", summary=text("admin.summaries.list_providers"))
def list_all(_: AdminKey, session: SessionDep) -> list[dict[str, Any]]:
    return [provider_view(row) for row in list_providers(session)]


@router.post("", status_code=201, summary=text("admin.summaries.register_provider"),
             openapi_extra=openapi_body(ProviderIn), responses={400: {}, 409: {}, 413: {}, 415: {}, 422: {}})
async def register(request: Request, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    """Register a provider; the response carries its first key (``key``), shown only this once."""
    data = await parse_body(request, ProviderIn, MAX_BODY_BYTES)
    row, plain = register_provider(session, data)
    return {**provider_view(row), "key": plain}


@router.get("/{provider_id}", responses={404: {}})
def read(provider_id: ProviderId, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    return provider_view(get_provider(session, provider_id))


@router.patch("/{provider_id}", summary=text("admin.summaries.update_provider"),
              openapi_extra=openapi_body(ProviderUpdate), responses={400: {}, 404: {}, 413: {}, 415: {}, 422: {}})
async def update(provider_id: ProviderId, request: Request, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    data = await parse_body(request, ProviderUpdate, MAX_BODY_BYTES)
    return provider_view(update_provider(session, provider_id, data))


@router.post("/{provider_id}/keys", status_code=201, summary=text("admin.summaries.provider_key"),
             openapi_extra=openapi_body(ProviderKeyIn), responses={400: {}, 404: {}, 413: {}, 415: {}, 422: {}})
async def new_key(provider_id: ProviderId, request: Request, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    """Another key for the provider; the response carries it (``key``), shown only this once."""
    data = await parse_body(request, ProviderKeyIn, MAX_BODY_BYTES)
    plain, row = issue_provider_key(session, provider_id, data.label)
    return {**key_view(row), "key": plain}
