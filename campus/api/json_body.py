"""Read request bodies ourselves: size-limited while streaming, JSON parsed safely, models validated in German.

Routes read the raw request instead of letting FastAPI parse it: an oversized
body is refused while streaming (413) before it is held in memory, malformed
JSON gets a 400 naming the problem, and wrong types are reported per field in
German and English (422). ``openapi_body`` puts the model's schema back into
the OpenAPI docs.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from campus.api.errors import BodyInvalid
from campus.store.errors import problem, validation_errors

Model = TypeVar("Model", bound=BaseModel)
MAX_JSON_BYTES = 1_000_000
JSON_TYPES = ("application/json",)


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_bytes(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is larger than ``limit`` (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise problem("body_too_large", "body", 413, kilobytes=limit // 1000)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise problem("body_too_large", "body", 413, kilobytes=limit // 1000)
    return bytes(body)


def parse_json(raw: bytes, field: str = "body") -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise problem("invalid_json", field, 400, detail=str(exc)) from exc
    except RecursionError as exc:  # nested deeper than the parser goes ("[[[[…"): malformed for us, never a 500
        raise problem("invalid_json", field, 400, detail="nesting too deep") from exc


async def read_json_body(request: Request, limit: int = MAX_JSON_BYTES,
                         content_types: tuple[str, ...] = JSON_TYPES) -> Any:
    """The request body as JSON, refusing wrong content types, oversized and malformed bodies."""
    if content_type(request) not in content_types:
        raise problem("not_json", "body", 415)
    return parse_json(await read_bytes(request, limit))


async def parse_body(request: Request, model: type[Model], limit: int) -> Model:
    raw = await read_json_body(request, limit)
    if not isinstance(raw, dict):
        raise problem("not_an_object", "body")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise BodyInvalid(validation_errors(exc)) from exc


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, defs) for value in node]
    return node


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads ``model`` from the raw body (nested models inlined)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": _inline(schema, defs)}}}}
