"""Admin: register education providers and issue their keys (no seed file to edit)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
