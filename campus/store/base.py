"""Tables the store itself needs, on the one metadata every domain's tables share."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Meta(SQLModel, table=True):
    """Key/value facts about the store itself (seed hash, replanning watermark)."""

    key: str = Field(primary_key=True)
    value: str
