"""Provider ingest: the module template, single create/update/withdraw, bulk JSONL, MOOChub import.

Modules may come without competencies (real feeds never name ours): the
platform tags them from their text, in every door alike.

A provider key sees and changes only its own modules. Every write ends in
board review (status ``submitted``); the board decides what is recommended.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlmodel import Session

from campus.api.auth import ProviderKey
from campus.api.deps import SessionDep
from campus.api.errors import BodyInvalid
from campus.api.jobs import sync_plans
from campus.api.json_body import content_type, parse_json, read_bytes, read_json_body
from campus.catalogue.feeds.fetch import allowed_hosts
from campus.catalogue.feeds.sources import BodySource, DocumentSource, FeedSource
from campus.catalogue.modules import own_module, provider_modules, withdraw_module
from campus.catalogue.template import ModuleIn
from campus.store.db import get_engine
from campus.store.errors import DomainError, problem
from campus.store.settings import get_settings
from embeddings.encoder import get_encoder
from embeddings.feed_pull import PullTools, run_pull, url_source
from embeddings.index import get_module_index
from embeddings.ingest import Ingestor, IngestSummary, RecordResult
from embeddings.tagging import get_tagger

router = APIRouter(tags=["provider"])

MAX_BULK_BYTES = 200_000_000
MAX_LINE_BYTES = 200_000
MAX_MOOCHUB_BYTES = 20_000_000
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")
MOOCHUB_TYPES = ("application/json", "application/vnd.api+json")


def _ingest(provider_id: str, batch: list[tuple[int, object]]) -> list[RecordResult]:
    with Session(get_engine(), expire_on_commit=False) as session:
        return _ingestor(provider_id, session).ingest_batch(batch)


def _ingestor(provider_id: str, session: Session) -> Ingestor:
    return Ingestor(session, provider_id, get_encoder(), index=get_module_index(), tagger=get_tagger())


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
    return provider_modules(session, key.provider_id or "")


@router.post("/provider/modules", status_code=201, responses={422: {}, 409: {}, 413: {}, 415: {}})
async def create_or_update_module(request: Request, key: ProviderKey) -> JSONResponse:
    """Create a module, or a new version if the external id exists (idempotent)."""
    record = await read_json_body(request)
    [result] = await run_in_threadpool(_ingest, key.provider_id or "", [(1, record)])
    return _single_result(result)


@router.put("/provider/modules/{external_id}", responses={404: {}, 422: {}, 409: {}})
async def update_module(external_id: str, request: Request, key: ProviderKey, session: SessionDep) -> JSONResponse:
    record = await read_json_body(request)
    if isinstance(record, dict):
        record.setdefault("external_id", external_id)
        if record["external_id"] != external_id:
            raise problem("external_id_mismatch", "external_id")
    own_module(session, key.provider_id or "", external_id)
    [result] = await run_in_threadpool(_ingest, key.provider_id or "", [(1, record)])
    return _single_result(result)


@router.delete("/provider/modules/{external_id}", responses={404: {}})
def withdraw(external_id: str, key: ProviderKey, session: SessionDep,
             background: BackgroundTasks) -> dict[str, Any]:
    module = withdraw_module(session, key.provider_id or "", external_id)
    background.add_task(sync_plans)  # plans that contain the module are rebuilt without it
    return {"module_id": module.id, "external_id": external_id, "status": module.status}


def _parse_line(raw: bytes) -> object:
    try:
        return parse_json(raw, field="record")
    except DomainError as exc:
        return exc  # a bad line becomes an error record, not a failed request


def _overlong() -> DomainError:
    return problem("line_too_large", "record", kilobytes=MAX_LINE_BYTES // 1000)


async def _lines(request: Request) -> AsyncIterator[tuple[int, object]]:
    """Parse a JSONL stream incrementally; a bad line becomes an error record, not a failed request."""
    buffer = bytearray()
    line_no = 0
    total = 0
    skipping = False  # inside a line that was already reported as too long
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BULK_BYTES:
            raise problem("upload_too_large", "body", 413, megabytes=MAX_BULK_BYTES // 1_000_000)
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
    if content_type(request) not in JSONL_TYPES:
        raise problem("not_jsonl", "body", 415)
    with Session(get_engine(), expire_on_commit=False) as session:
        ingestor = await run_in_threadpool(_ingestor, key.provider_id or "", session)
        # batches one after the other: storing one while encoding the next measured slower on two cores (the
        # encoder's threads and the writes compete), bench/index_scale.py
        results: list[RecordResult] = []
        batch: list[tuple[int, object]] = []
        async for record in _lines(request):
            batch.append(record)
            if len(batch) >= get_settings().feed_batch_size:
                results.extend(await run_in_threadpool(ingestor.ingest_batch, batch))
                batch = []
        if batch:
            results.extend(await run_in_threadpool(ingestor.ingest_batch, batch))
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


def _import_moochub(provider_id: str, payload: Any) -> dict[str, Any]:
    """The same run as a feed pull (paging a URL too), recorded as an upload: it never withdraws anything."""
    tools = PullTools.real()
    source: FeedSource
    if isinstance(payload, bytes):
        source = BodySource(payload)
    elif isinstance(payload, dict) and set(payload) == {"url"} and isinstance(payload["url"], str):
        with Session(get_engine()) as session:
            allowed = allowed_hosts(session)
        source = url_source(payload["url"], allowed, tools)
    else:
        source = DocumentSource(payload)
    return run_pull(provider_id, source, "upload", tools)


def upload_answer(run: dict[str, Any]) -> dict[str, Any]:
    """The run as this route has always answered (modules, errors, mapping issues), plus the run's report."""
    report = run["report"]
    courses = report["courses"]
    stored = [c for c in courses if c.get("mapped")]
    return {
        "run_id": run["id"], "status": run["status"], "courses_mapped": len(stored),
        **{key: report[key] for key in ("created", "updated", "unchanged", "rejected")},
        "error": sum(1 for c in stored if c["status"] == "rejected"),
        "modules": [{"external_id": c["external_id"], "module_id": c.get("module_id"),
                     "outcome": "error" if c["status"] == "rejected" else c["status"],
                     "competencies": c.get("competencies", []), "near_duplicates": c.get("near_duplicates", [])}
                    for c in stored],
        "errors": [{"external_id": c["external_id"], **e} for c in stored if c["status"] == "rejected"
                   for e in c["errors"]],
        "mapping_issues": [
            {"course_index": c["position"] - 1, "external_id": c["external_id"], **issue}
            for c in courses
            for issue in [*c.get("issues", []), *({**e, "fatal": True} for e in c["errors"] if not c.get("mapped"))]
        ],
        "courses": courses,
    }


@router.post("/provider/moochub", responses={413: {}, 415: {}, 422: {}})
async def import_moochub(request: Request, key: ProviderKey, background: BackgroundTasks) -> dict[str, Any]:
    """Import a MOOChub v3 document, or JSON Lines of MOOChub courses or AMB records; or ``{"url": ...}``.

    The URL is fetched like a registered feed: public http(s) addresses, or
    intranet hosts an admin allowed. The run and its report are kept
    (``GET /api/provider/feed/runs/{run_id}``).
    """
    payload: Any
    if content_type(request) in JSONL_TYPES:  # MOOChub course resources or AMB records, one per line
        payload = await read_bytes(request, MAX_MOOCHUB_BYTES)
    else:
        payload = await read_json_body(request, MAX_MOOCHUB_BYTES, MOOCHUB_TYPES)
    run = await run_in_threadpool(_import_moochub, key.provider_id or "", payload)
    if run["status"] == "failed":
        raise BodyInvalid([{k: e[k] for k in ("field", "message_de", "message_en")} for e in run["report"]["errors"]])
    background.add_task(sync_plans)
    return upload_answer(run)
