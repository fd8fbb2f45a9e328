"""The approved catalogue published as MOOChub v3, so other platforms read ours as we read theirs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["catalogue"])
