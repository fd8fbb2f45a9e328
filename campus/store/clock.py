"""The platform's one clock and its rules for times without a zone.

Stored times are UTC. SQLite hands them back without a zone, so ``aware``
reads a naive time as UTC. Times that people type (HR's campaign start and
deadline) are meant in the administration's local time, so ``from_local``
reads a naive time in ``campaign_timezone``. Everything else compares aware
times only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from campus.store.settings import get_settings
from campus.store.texts import texts


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored time (naive means UTC) as an aware UTC time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().campaign_timezone)


def from_local(moment: datetime) -> datetime:
    """A time a person gave (naive means the administration's local time) as an aware UTC time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment.astimezone(timezone.utc)


def format_moment(moment: datetime) -> str:
    """``31.03.2027, 23:59 Uhr`` in the administration's time zone."""
    local = aware(moment).astimezone(local_zone())
    return str(texts("formats")["date_format"]).format(day=local.day, month=local.month, year=local.year,
                                                       hour=local.hour, minute=local.minute)
