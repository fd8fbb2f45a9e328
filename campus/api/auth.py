"""API-key authentication and role checks as FastAPI dependencies.

Refusals are domain errors like any other (one response shape): 401 without
a valid key, 403 for a key of another role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Security, status
from fastapi.security import APIKeyHeader

from campus.access.keys import find_key
from campus.access.models import ApiKey
from campus.api.deps import SessionDep
from campus.store.errors import problem
from campus.store.texts import text

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description=text("api.key_header"))


def current_key(session: SessionDep, key: Annotated[str | None, Security(api_key_header)]) -> ApiKey:
    row = find_key(session, key or "")
    if row is None:
        raise problem("missing_key", "X-API-Key", status.HTTP_401_UNAUTHORIZED)
    return row


def require_role(*roles: str) -> Callable[[ApiKey], ApiKey]:
    def check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        admin_may = key.role == "admin" and "provider" not in roles  # admins never act as a provider
        if key.role not in roles and not admin_may:
            raise problem("role_required", "X-API-Key", status.HTTP_403_FORBIDDEN, roles=" / ".join(roles))
        return key

    return check


def hr_key(key: Annotated[ApiKey, Depends(require_role("hr"))]) -> ApiKey:
    """An HR key with its one organisation.

    Admin keys are refused here although ``require_role`` lets them act as
    board: HR data belongs to exactly one organisation, and an admin key has
    none. An admin creates an HR key for the organisation instead.
    """
    if key.role != "hr" or not key.org:
        raise problem("hr_needs_org", "X-API-Key", status.HTTP_403_FORBIDDEN)
    return key


def hr_org(key: Annotated[ApiKey, Depends(hr_key)]) -> str:
    """The organisation every HR route is scoped to."""
    return key.org or ""


ProviderKey = Annotated[ApiKey, Depends(require_role("provider"))]
BoardKey = Annotated[ApiKey, Depends(require_role("board"))]
AdminKey = Annotated[ApiKey, Depends(require_role("admin"))]
HrKey = Annotated[ApiKey, Depends(hr_key)]
HrOrg = Annotated[str, Depends(hr_org)]
