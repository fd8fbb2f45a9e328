"""The MOOChub JSON:API envelope and the value shapes inside a course resource (v3, v2 tolerated).

A document's ``data`` is a list of course resources, one resource or
``null``; anything that is not such a document is rejected as a whole with a
``ValueError`` worded in German and English. The helpers below read the
loosely typed values of a resource (a list or a single object, a
MultilingualLabel or a plain string) without ever failing on junk.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from campus.catalogue.feeds.moochub.issues import message

COURSE_TYPES = frozenset({"Course", "courses"})  # v3, v2
# Languages whose labels are preferred after the course's own languages.
FALLBACK_LANGUAGES = ("de", "en")


class DocumentError(ValueError):
    """A whole-document error; its text is "German / English", and each language is kept on its own too."""

    def __init__(self, german: str, english: str) -> None:
        super().__init__(f"{german} / {english}")
        self.message_de = german
        self.message_en = english


def document_error(key: str, **values: Any) -> DocumentError:
    """A whole-document error (a ``document.*`` key), German and English in one message ("de / en")."""
    german, english = message(key, **values)
    return DocumentError(german, english)


def course_resources(doc: Any) -> list[Any]:
    """The resources in ``doc["data"]`` (not yet checked to be courses)."""
    if not isinstance(doc, dict):
        raise document_error("document.not_an_object", kind=type(doc).__name__)
    if "data" not in doc:
        errors = doc.get("errors")
        if isinstance(errors, list) and errors:
            titles = "; ".join(
                str(e.get("title") or e.get("detail") or e) if isinstance(e, dict) else str(e) for e in errors
            )
            raise document_error("document.reports_errors", titles=titles)
        raise document_error("document.no_data")
    data = doc["data"]
    if data is None:
        return []
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise document_error("document.invalid_data", kind=type(data).__name__)


def entries(value: Any) -> Iterable[tuple[int, Any]]:
    """(position, entry) of a list; a single object counts as a list of one (v2 and sloppy feeds)."""
    if isinstance(value, list):
        return enumerate(value)
    if isinstance(value, dict):
        return [(0, value)]
    return []


def dicts(value: Any) -> list[dict[str, Any]]:
    """The objects among :func:`entries`."""
    return [v for _, v in entries(value) if isinstance(v, dict)]


def series(value: Any) -> list[Any]:
    """A list attribute that v2 gave as a single value (e.g. one date-time string)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def labels(value: Any, languages: list[str]) -> list[str]:
    """Texts of a MOOChub MultilingualLabel (or a plain string), preferred languages first."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    ranked: list[tuple[int, int, str]] = []
    preference = [*languages, *FALLBACK_LANGUAGES]
    for position, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            lang = str(item.get("inLanguage") or "").split("-")[0].lower()
            rank = preference.index(lang) if lang in preference else len(preference)
            ranked.append((rank, position, item["name"].strip()))
        elif isinstance(item, str) and item.strip():
            ranked.append((len(preference), position, item.strip()))
    ranked.sort()
    result: list[str] = []
    for _, _, text in ranked:
        if text not in result:
            result.append(text)
    return result


def entry_label(entry: Any, languages: list[str]) -> str:
    """How an entry (skill, alignment, course reference) is named in an issue: its name, code or URL."""
    if isinstance(entry, str):
        return entry.strip()
    if isinstance(entry, dict):
        names = labels(entry.get("name"), languages)
        if names:
            return names[0]
        for key in ("shortCode", "targetUrl"):
            if isinstance(entry.get(key), str) and entry[key].strip():
                return str(entry[key]).strip()
    return "?"
