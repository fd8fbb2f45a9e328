"""German wording for HR campaigns, read from ``data/texts/campaigns.yml``.

Errors reuse :class:`campus.module_store.RecordError` (field + German and
English message + HTTP status), so every HR endpoint answers like the
provider and board endpoints do.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import ValidationError

from campus.module_store import RecordError
from campus.settings import get_settings


@lru_cache
def texts() -> dict[str, Any]:
    path = get_settings().data_dir / "texts" / "campaigns.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def problem(key: str, field: str, status_code: int = 422, **values: Any) -> RecordError:
    """The error ``errors.<key>`` as an exception the routers turn into a response."""
    entry = texts()["errors"][key]
    return RecordError(field, entry["de"].format(**values), entry["en"].format(**values), status_code)


def validation_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """pydantic's errors with the field path and a German message for each."""
    german = texts()["validation"]
    template = texts()["errors"]["invalid_value"]
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "") or "body"
        detail_de = german.get(err["type"], german["value_error"])
        out.append({
            "field": field,
            "message_de": template["de"].format(name=field, detail=detail_de),
            "message_en": template["en"].format(name=field, detail=err["msg"]),
        })
    return out


def aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a time zone; all stored ones are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().campaign_timezone)


def format_moment(moment: datetime) -> str:
    """``31.03.2027, 23:59 Uhr`` in the administration's time zone."""
    local = aware(moment).astimezone(local_zone())
    return texts()["date_format"].format(day=local.day, month=local.month, year=local.year, hour=local.hour,
                                         minute=local.minute)
