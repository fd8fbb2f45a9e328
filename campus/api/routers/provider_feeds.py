"""Provider feeds: register the MOOChub feed URL, pull it on demand, read the run reports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["provider"])
