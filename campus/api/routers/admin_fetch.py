"""Admin: the intranet hosts feed URLs may point at (public hosts need no entry)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
