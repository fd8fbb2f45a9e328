"""Read a size-limited JSON body into a pydantic model, with German and English errors naming the field.

The HR endpoints read the raw request (like the provider endpoints) instead
of letting FastAPI parse it: an oversized body is refused while streaming
(413), malformed JSON gets the same 400 as everywhere else in the API, and
wrong types are reported per field in German (422). ``openapi_body`` puts the
model's schema back into the OpenAPI docs.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError

from campus.api.routers.provider_modules import read_json_body
from campus.store.errors import DomainError, problem, validation_errors

Model = TypeVar("Model", bound=BaseModel)


def http_error(exc: DomainError) -> HTTPException:
    """One problem, in the same list shape as field validation errors (``detail: [{field, message_de, …}]``)."""
    return HTTPException(exc.status_code, detail=[exc.as_dict()])


async def parse_body(request: Request, model: type[Model], limit: int) -> Model:
    raw = await read_json_body(request, limit)
    if not isinstance(raw, dict):
        raise http_error(problem("not_an_object", "body"))
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise HTTPException(422, detail=validation_errors(exc)) from exc


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
