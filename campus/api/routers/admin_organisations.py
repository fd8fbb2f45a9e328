"""Admin: member organisations (municipalities, counties) and their cooperative membership."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
