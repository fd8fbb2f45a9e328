"""Serves the demo page with the embedded chat widget and the widget's static files."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from campus.settings import get_settings

router = APIRouter(tags=["widget"])
WIDGET_DIR = get_settings().root / "web_widget"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page() -> HTMLResponse:
    settings = get_settings()
    page = (WIDGET_DIR / "index.html").read_text(encoding="utf-8")
    rasa_url = settings.public_rasa_url or settings.rasa_url
    return HTMLResponse(page.replace("__RASA_URL__", rasa_url))
