"""One place where the API turns errors into responses, so every route answers in the same shape.

Domain errors (``DomainError``), request-validation errors of path and query
parameters and the few HTTP-level refusals all come back as
``{"detail": [{"field", "message_de", "message_en"}, ...]}`` with their status
code, German first because German administrations read them, English for
integrators. Routers never catch a domain error themselves.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from campus.store.errors import DomainError, message_pair
from campus.store.texts import texts


class BodyInvalid(DomainError):
    """Several field errors of one request body at once (the response lists them all)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        first = errors[0] if errors else {"field": "body", "message_de": "", "message_en": ""}
        super().__init__(first["field"], first["message_de"], first["message_en"], 422)
        self.errors = errors


def domain_error_response(exc: DomainError) -> JSONResponse:
    details = exc.errors if isinstance(exc, BodyInvalid) else [exc.as_dict()]
    return JSONResponse(status_code=exc.status_code, content={"detail": details})


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return domain_error_response(exc)


async def on_request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Path and query parameters (bodies are read and validated by ``json_body``), in the same German wording."""
    assert isinstance(exc, RequestValidationError)
    german = texts("errors")["validation"]
    details = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if p not in ("", "path", "query", "header")) or "request"
        detail_de = german.get(str(err.get("type")), german["value_error"])
        message_de, _ = message_pair("invalid_value", name=field, detail=detail_de)
        _, message_en = message_pair("invalid_value", name=field, detail=str(err.get("msg", "")))
        details.append({"field": field, "message_de": message_de, "message_en": message_en})
    return JSONResponse(status_code=422, content={"detail": details})


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_request_validation_error)


