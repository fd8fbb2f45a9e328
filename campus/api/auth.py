"""API-key authentication and role checks as FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Security, status
from fastapi.security import APIKeyHeader

from campus.api.deps import SessionDep
from campus.auth import find_key
from campus.models import ApiKey

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Ihr API-Schlüssel / your API key")


def current_key(session: SessionDep, key: Annotated[str | None, Security(api_key_header)]) -> ApiKey:
    row = find_key(session, key or "")
    if row is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Fehlender oder ungültiger API-Schlüssel (Header X-API-Key) / missing or invalid API key",
        )
    return row


def require_role(*roles: str):
    def check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        admin_may = key.role == "admin" and "provider" not in roles  # admins never act as a provider
        if key.role not in roles and not admin_may:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"Diese Funktion ist der Rolle {' / '.join(roles)} vorbehalten / requires role {roles}",
            )
        return key

    return check


ProviderKey = Annotated[ApiKey, Depends(require_role("provider"))]
BoardKey = Annotated[ApiKey, Depends(require_role("board"))]
