"""Provider ingest: the module template, single create/update/withdraw, bulk JSONL, MOOChub import.

A provider key sees and changes only its own modules. Every write ends in
board review (status ``submitted``); the board decides what is recommended.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlmodel import Session, select

from campus.api.auth import ProviderKey
from campus.api.deps import SessionDep
from campus.api.jobs import sync_plans
from campus.catalogue.models import Module
from campus.catalogue.modules import find_module, withdraw_module
from campus.catalogue.template import ModuleIn
from campus.store.db import get_engine
from campus.store.errors import DomainError
from embeddings.encoder import get_encoder
from embeddings.index import get_module_index
from embeddings.ingest import Ingestor, IngestSummary, RecordResult

router = APIRouter(tags=["provider"])

MAX_JSON_BYTES = 1_000_000
MAX_BULK_BYTES = 200_000_000
MAX_LINE_BYTES = 200_000
BULK_BATCH = 128


def _error(status_code: int, message_de: str, message_en: str, field: str | None = None) -> HTTPException:
    detail: dict[str, Any] = {"message_de": message_de, "message_en": message_en}
    if field:
        detail["field"] = field
    return HTTPException(status_code, detail=detail)


async def read_json_body(
    request: Request, limit: int = MAX_JSON_BYTES, content_types: tuple[str, ...] = ("application/json",)
) -> Any:
    """The request body as JSON, refusing wrong content types, oversized and malformed bodies."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in content_types:
        raise _error(415, "Bitte senden Sie JSON (Content-Type: application/json).",
                     "Please send JSON (Content-Type: application/json).")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _error(413, f"Die Anfrage ist größer als {limit // 1000} kB.", f"Request larger than {limit // 1000} kB.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _error(413, f"Die Anfrage ist größer als {limit // 1000} kB.",
                         f"Request larger than {limit // 1000} kB.")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _error(400, f"Ungültiges JSON: {exc}", f"Invalid JSON: {exc}") from exc


def _ingest(provider_id: str, batch: list[tuple[int, object]]) -> list[RecordResult]:
    with Session(get_engine(), expire_on_commit=False) as session:
        return Ingestor(session, provider_id, get_encoder(), index=get_module_index()).ingest_batch(batch)


def _single_result(result: RecordResult) -> JSONResponse:
    if result.outcome == "error":
        code = 409 if any(e["field"] == "content" for e in result.errors) else 422
        return JSONResponse(status_code=code, content={"errors": result.errors})
    code = status.HTTP_201_CREATED if result.outcome == "created" else status.HTTP_200_OK
    return JSONResponse(status_code=code, content={
        "module_id": result.module_id, "external_id": result.external_id, "version": result.version,
        "outcome": result.outcome, "status": "submitted" if result.outcome != "unchanged" else None,
        "near_duplicates": result.duplicates,
    })


@router.get("/module-template/schema", tags=["catalogue"])
def module_template_schema() -> dict[str, Any]:
    """JSON Schema of the standardised module template (also in the OpenAPI docs as ModuleIn)."""
    return ModuleIn.model_json_schema()


@router.get("/provider/modules")
def list_own_modules(key: ProviderKey, session: SessionDep) -> list[dict[str, Any]]:
    modules = session.exec(select(Module).where(Module.provider_id == key.provider_id).order_by(Module.id)).all()
    return [
        {"module_id": m.id, "external_id": m.external_id, "title": m.title, "version": m.version,
         "status": m.status, "review_reason": m.review_reason}
        for m in modules
    ]


@router.post("/provider/modules", status_code=201, responses={422: {}, 409: {}, 413: {}, 415: {}})
async def create_or_update_module(request: Request, key: ProviderKey) -> JSONResponse:
    """Create a module, or a new version if the external id exists (idempotent)."""
    record = await read_json_body(request)
    [result] = await run_in_threadpool(_ingest, key.provider_id, [(1, record)])
    return _single_result(result)


@router.put("/provider/modules/{external_id}", responses={422: {}, 409: {}})
async def update_module(external_id: str, request: Request, key: ProviderKey) -> JSONResponse:
    record = await read_json_body(request)
    if isinstance(record, dict):
        record.setdefault("external_id", external_id)
        if record["external_id"] != external_id:
            raise _error(422, "external_id im Pfad und im Inhalt stimmen nicht überein.",
                         "external_id in path and body differ.", "external_id")
    with Session(get_engine()) as session:
        if find_module(session, key.provider_id, external_id) is None:
            raise _error(404, f"Modul „{external_id}“ existiert bei Ihrem Anbieterkonto nicht.",
                         f"Module '{external_id}' does not exist for your provider account.", "external_id")
    [result] = await run_in_threadpool(_ingest, key.provider_id, [(1, record)])
    return _single_result(result)


@router.delete("/provider/modules/{external_id}")
def withdraw(external_id: str, key: ProviderKey, session: SessionDep,
             background: BackgroundTasks) -> dict[str, Any]:
    try:
        module = withdraw_module(session, key.provider_id, external_id)
    except DomainError as exc:
        raise _error(exc.status_code, exc.message_de, exc.message_en, exc.field) from exc
    session.commit()
    background.add_task(sync_plans)  # plans that contain the module are rebuilt without it
    return {"module_id": module.id, "external_id": external_id, "status": module.status}


def _parse_line(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return DomainError("record", f"Ungültiges JSON: {exc}", f"Invalid JSON: {exc}")


def _overlong() -> DomainError:
    return DomainError("record", f"Zeile ist größer als {MAX_LINE_BYTES // 1000} kB.",
                       f"Line larger than {MAX_LINE_BYTES // 1000} kB.")


async def _lines(request: Request) -> AsyncIterator[tuple[int, object]]:
    """Parse a JSONL stream incrementally; a bad line becomes an error record, not a failed request."""
    buffer = bytearray()
    line_no = 0
    total = 0
    skipping = False  # inside a line that was already reported as too long
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BULK_BYTES:
            raise _error(413, f"Die Datei ist größer als {MAX_BULK_BYTES // 1_000_000} MB.",
                         f"Upload larger than {MAX_BULK_BYTES // 1_000_000} MB.")
        buffer.extend(chunk)
        while (newline := buffer.find(b"\n")) >= 0:
            raw = bytes(buffer[:newline]).strip()
            del buffer[: newline + 1]
            if skipping:
                skipping = False
                continue
            line_no += 1
            if raw:
                yield line_no, _overlong() if len(raw) > MAX_LINE_BYTES else _parse_line(raw)
        if not skipping and len(buffer) > MAX_LINE_BYTES:
            line_no += 1
            yield line_no, _overlong()
            skipping = True
        if skipping:
            buffer.clear()
    if buffer.strip() and not skipping:
        line_no += 1
        yield line_no, _parse_line(bytes(buffer).strip())


@router.post("/provider/modules/bulk", responses={413: {}, 415: {}})
async def bulk_upload(request: Request, key: ProviderKey) -> dict[str, Any]:
    """JSONL upload (one module per line), streamed and stored in batches, with a per-line report."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
        raise _error(415, "Bitte senden Sie JSON Lines (Content-Type: application/x-ndjson).",
                     "Please send JSON Lines (Content-Type: application/x-ndjson).")
    results: list[RecordResult] = []
    batch: list[tuple[int, object]] = []
    async for record in _lines(request):
        batch.append(record)
        if len(batch) >= BULK_BATCH:
            results.extend(await run_in_threadpool(_ingest, key.provider_id, batch))
            batch = []
    if batch:
        results.extend(await run_in_threadpool(_ingest, key.provider_id, batch))
    return {
        "received": len(results),
        **IngestSummary(results).counts(),
        "errors": [
            {"line": r.line, "external_id": r.external_id, **err} for r in results if r.outcome == "error"
            for err in r.errors
        ],
        "near_duplicates": [
            {"line": r.line, "external_id": r.external_id, "module_id": r.module_id, "similar_to": r.duplicates}
            for r in results if r.duplicates
        ],
    }


MAX_MOOCHUB_BYTES = 20_000_000


def _private_url(url: str) -> bool:
    """Only documents on the local network: the platform never calls out to third parties."""
    import ipaddress
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 80)
    except OSError:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_private or ipaddress.ip_address(info[4][0]).is_loopback
               for info in infos)


async def _fetch_moochub(url: str) -> Any:
    import httpx

    if not _private_url(url):
        raise _error(422, "Nur URLs im lokalen Netz sind erlaubt (http/https).",
                     "Only URLs on the local network are allowed (http/https).", "url")
    try:
        async with httpx.AsyncClient(timeout=30, follow_redirects=False) as client:
            async with client.stream("GET", url, headers={"Accept": "application/vnd.api+json"}) as response:
                if response.status_code != 200:
                    raise _error(422, f"Die URL antwortet mit Status {response.status_code}.",
                                 f"The URL answered with status {response.status_code}.", "url")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_MOOCHUB_BYTES:
                        raise _error(413, "Das Dokument ist größer als 20 MB.", "Document larger than 20 MB.", "url")
    except httpx.HTTPError as exc:
        raise _error(422, f"Die URL ist nicht erreichbar: {exc}", f"The URL is not reachable: {exc}", "url") from exc
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _error(422, f"Die URL liefert kein gültiges JSON: {exc}", f"The URL returned invalid JSON: {exc}",
                     "url") from exc


def _map_moochub(doc: Any, provider_id: str) -> Any:
    from campus.catalogue.feeds.moochub import map_moochub_document
    from embeddings.framework_matchers import competency_lookup

    return map_moochub_document(doc, provider_id, competency_lookup())


@router.post("/provider/moochub", responses={413: {}, 415: {}, 422: {}})
async def import_moochub(request: Request, key: ProviderKey) -> dict[str, Any]:
    """Import a MOOChub v3 (JSON:API) course list: as the request body, or ``{"url": ...}`` on the local network."""
    payload = await read_json_body(request, MAX_MOOCHUB_BYTES, ("application/json", "application/vnd.api+json"))
    if isinstance(payload, dict) and set(payload) == {"url"} and isinstance(payload["url"], str):
        payload = await _fetch_moochub(payload["url"])
    try:
        mapping = await run_in_threadpool(_map_moochub, payload, key.provider_id)
    except ValueError as exc:
        raise _error(422, f"Kein MOOChub-v3-Dokument: {exc}", f"Not a MOOChub v3 document: {exc}") from exc
    results = await run_in_threadpool(_ingest, key.provider_id, list(enumerate(mapping.modules, start=1)))
    return {
        "courses_mapped": len(mapping.modules),
        **IngestSummary(results).counts(),
        "modules": [{"external_id": r.external_id, "module_id": r.module_id, "outcome": r.outcome,
                     "near_duplicates": r.duplicates} for r in results],
        "errors": [{"external_id": r.external_id, **e} for r in results for e in r.errors],
        "mapping_issues": [
            {"course_index": i.index, "external_id": i.external_id, "field": i.field, "fatal": i.fatal,
             "message_de": i.message_de, "message_en": i.message_en}
            for i in mapping.issues
        ],
    }
