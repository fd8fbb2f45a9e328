"""Domain errors: what went wrong with which field, in German and English, and the HTTP status it means.

Every domain raises :class:`DomainError`; the API turns it into one response
shape (``{"detail": [{"field", "message_de", "message_en"}]}``) in one
exception handler, and the chat never shows one unhandled. The wording lives
in ``data/texts/errors.yml`` (``problem``), so no message is written in Python.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from campus.store.settings import get_settings
from campus.store.texts import read_yaml, texts


class DomainError(ValueError):
    """A problem with one field of a request or record, worded for the person who sent it."""

    def __init__(self, field: str, message_de: str, message_en: str, status_code: int = 422) -> None:
        super().__init__(message_en)
        self.field = field
        self.message_de = message_de
        self.message_en = message_en
        self.status_code = status_code

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message_de": self.message_de, "message_en": self.message_en}


def error_texts() -> dict[str, Any]:
    """Every error's wording: ``data/texts/errors.yml`` and the per-area ``data/texts/errors_<area>.yml``.

    Areas keep their own file so that one area's messages are read (and
    edited) together; a key may be defined only once across the files.
    """
    merged: dict[str, Any] = dict(texts("errors")["errors"])
    for path in sorted((get_settings().data_dir / "texts").glob("errors_*.yml")):
        for key, entry in (read_yaml(path) or {}).get("errors", {}).items():
            if key in merged:
                raise ValueError(f"error text {key!r} is defined twice ({path.name})")
            merged[str(key)] = entry
    return merged


def message_pair(key: str, **values: Any) -> tuple[str, str]:
    """The German and English wording of the error ``key``."""
    entry = error_texts()[key]
    return str(entry["de"]).format(**values), str(entry["en"]).format(**values)


def problem(key: str, field: str, status_code: int = 422, **values: Any) -> DomainError:
    """The error ``errors.<key>`` for ``field``, ready to raise."""
    german, english = message_pair(key, **values)
    return DomainError(field, german, english, status_code)


def validation_errors(exc: ValidationError, prefix: str = "", root: str = "body") -> list[dict[str, str]]:
    """pydantic's errors with the field path and a German message for each (``root`` when there is no path)."""
    german = texts("errors")["validation"]
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "") or root
        detail_de = german.get(err["type"], german["value_error"])
        message_de, _ = message_pair("invalid_value", name=field, detail=detail_de)
        _, message_en = message_pair("invalid_value", name=field, detail=err["msg"])
        out.append({"field": field, "message_de": message_de, "message_en": message_en})
    return out
