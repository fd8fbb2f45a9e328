"""The FastAPI application: catalogue API, health, and the chat widget."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from campus.api import errors
from campus.api.jobs import lifespan
from campus.api.routers import (
    admin_fetch,
    admin_keys,
    admin_organisations,
    admin_providers,
    board,
    catalogue,
    hr_campaigns,
    hr_roles,
    invitations,
    moochub_export,
    privacy,
    provider_feeds,
    provider_modules,
    search,
    widget,
)
from campus.store.db import get_engine
from campus.store.texts import text

app = FastAPI(lifespan=lifespan, title=text("api.title"), description=text("api.description"), version="0.1.0")
errors.install(app)
app.include_router(search.router, prefix="/api")  # before /modules/{id}
app.include_router(catalogue.router, prefix="/api")
app.include_router(provider_modules.router, prefix="/api")
app.include_router(board.router, prefix="/api")
app.include_router(hr_roles.router, prefix="/api")
app.include_router(hr_campaigns.router, prefix="/api")
app.include_router(admin_keys.router, prefix="/api")
app.include_router(admin_providers.router, prefix="/api")
app.include_router(admin_organisations.router, prefix="/api")
app.include_router(admin_fetch.router, prefix="/api")
app.include_router(provider_feeds.router, prefix="/api")
app.include_router(moochub_export.router, prefix="/api")
app.include_router(invitations.api_router, prefix="/api")
app.include_router(invitations.page_router)
app.include_router(widget.router)
app.include_router(privacy.router)
app.mount("/widget", StaticFiles(directory=widget.WIDGET_DIR), name="widget")


@app.get("/health", tags=["health"])
def health() -> dict[str, str]:
    get_engine()  # fails loudly if the store is unreachable
    return {"status": "ok"}
