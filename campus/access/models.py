"""Tables of machine access: API keys for providers, the board, HR and admins.

JSON columns hold small, always-read-together structures; anything queried or joined on gets its
own column or table. All tables share one metadata (``SQLModel.metadata``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from campus.store.clock import utcnow


class ApiKey(SQLModel, table=True):
    """An API key for providers, board members, HR and admins; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(index=True, unique=True)
    prefix: str  # first characters, so a key can be recognised in lists without revealing it
    role: str  # provider | board | hr | admin
    provider_id: str | None = Field(default=None, foreign_key="provider.id")
    org: str | None = None
    label: str = ""
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
