"""Serves the chat widget: its demo page, its static files (mounted in main) and its configuration.

The widget loads ``/widget/config.json`` from wherever ``widget.js`` came from: the
socket.io URL of Rasa, the link to the privacy page and every German text the
widget shows itself (``data/texts/widget.yml``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from campus.store.settings import get_settings
from campus.store.texts import text, texts

router = APIRouter(tags=["widget"])
WIDGET_DIR = get_settings().root / "web_widget"
LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def widget_texts() -> dict[str, str]:
    return {str(key): str(value) for key, value in texts("widget")["texts"].items()}


def public_rasa_url(request: Request) -> str:
    """Rasa's public URL; a loopback host is replaced by the host the page was served from.

    So a widget opened from another machine (http://campus.intern:8000/) talks to
    http://campus.intern:5005 instead of its own localhost.
    """
    settings = get_settings()
    configured = urlsplit(settings.public_rasa_url or settings.rasa_url)
    host = configured.hostname or ""
    if host in LOOPBACK and request.url.hostname and request.url.hostname not in LOOPBACK:
        netloc = request.url.hostname if ":" not in request.url.hostname else f"[{request.url.hostname}]"
        if configured.port:
            netloc = f"{netloc}:{configured.port}"
        configured = configured._replace(netloc=netloc)
    return urlunsplit(configured).rstrip("/")


@router.get("/widget/config.json", summary=text("api.summaries.widget_config"))
def widget_config(request: Request) -> JSONResponse:
    config: dict[str, Any] = {
        "rasaUrl": public_rasa_url(request),
        "socketPath": "/socket.io/",
        "privacyUrl": str(request.url_for("privacy_page")),
        "texts": widget_texts(),
    }
    # Public and the same for everyone: any intranet page may embed the widget.
    return JSONResponse(config, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"})


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page() -> HTMLResponse:
    return HTMLResponse((WIDGET_DIR / "index.html").read_text(encoding="utf-8"))
