"""How, when, where and how long: ``courseMode``, dates, duration and workload → format, dates, hours, parts, place.

Decisions the schema leaves open: hours = workload × course length (the ISO
``duration``, else the first start/end span, else the summed durations of the
``hasPart`` learning items, else :data:`DEFAULT_HOURS` with an issue: real
feeds such as KI-Campus's carry no workload at all, and the board checks it);
a duration of hours only (``PT6H``) is itself the workload; learning units =
max(1, round half up(hours / 8)); an online course is one ``online_prep``
part (the MOOC), a presence course one
``presence_workshop``, a blended course is split by its online items' durations.
Online courses are nationwide; others take the city of ``contentLocation``.
Dates are paired by position and reported as German calendar dates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from campus.catalogue.feeds.moochub.document import dicts, series
from campus.catalogue.feeds.moochub.issues import CourseSkipped, IssueLog
from campus.store.formats import DAYS_PER_MONTH, as_utc, german_local_date, iso_duration_days, parse_datetime, tidy

HOURS_PER_LEARNING_UNIT = 8
DEFAULT_HOURS = 8.0  # one learning unit, as the store assumes for a module without hours
MAX_DATES = 50
MAX_LEARNING_UNITS = 20
MAX_HOURS = 1000
MAX_PART_HOURS = 500
MAX_WEEKS = 52
NATIONWIDE = "bundesweit"

_UNIT_DAYS = {"h/day": 1.0, "h/week": 7.0, "h/month": DAYS_PER_MONTH}
_TIMING_MODES = ("synchronous", "asynchronous")  # say when, not where
_MODE_FORMAT = {
    "online": "online",
    "onsite": "presence",
    "blended": "blended",
    # tolerated v2 / free-text spellings
    "mooc": "online",
    "spoc": "online",
    "self-paced": "online",
    "on-site": "presence",
    "presence": "presence",
    "in-person": "presence",
    "hybrid": "blended",
}


@dataclass
class Window:
    """One run of the course, as given (time zones kept for the German calendar date)."""

    start: datetime
    end: datetime

    def as_dates(self) -> dict[str, str]:
        return {"start": german_local_date(self.start).isoformat(), "end": german_local_date(self.end).isoformat()}


@dataclass
class Schedule:
    """The template fields that follow from the course's form and time."""

    format: str
    windows: list[Window]
    length_days: float | None  # the course's length, if the provider gave one
    hours: float
    learning_units: int
    parts: list[dict[str, Any]]
    region: str | None
    locations: list[str]


def map_schedule(attrs: dict[str, Any], log: IssueLog) -> Schedule:
    """Format, dates, hours, learning units, parts and place, in this order (issues follow it)."""
    fmt = course_format(attrs, log)
    windows = course_dates(attrs, log)
    length_days = course_length_days(attrs, log)
    hours = course_hours(attrs, length_days, windows, log)
    units = learning_units(hours, log)
    parts = course_parts(attrs, fmt, hours, length_days, log)
    region, locations = course_place(attrs, fmt, log)
    return Schedule(fmt, windows, length_days, hours, units, parts, region, locations)


def course_format(attrs: dict[str, Any], log: IssueLog) -> str:
    raw = attrs.get("courseMode")
    modes = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    formats: set[str] = set()
    timing: set[str] = set()
    for mode in modes:
        key = mode.strip().lower() if isinstance(mode, str) else None
        if key in _TIMING_MODES:
            timing.add(key)
            continue
        mapped = _MODE_FORMAT.get(key) if key else None
        if mapped is None:
            log.warn("attributes.courseMode", "schedule.unknown_mode", mode=mode)
        else:
            formats.add(mapped)
    if "blended" in formats or {"online", "presence"} <= formats:
        return "blended"
    if "presence" in formats:
        return "presence"
    if "online" in formats or timing == {"asynchronous"} or timing == set(_TIMING_MODES):
        return "online"
    log.warn("attributes.courseMode", "schedule.synchronous_only" if timing else "schedule.no_mode")
    return "online"


def course_dates(attrs: dict[str, Any], log: IssueLog) -> list[Window]:
    """``startDate[i]`` with ``endDate[i]``; unpaired, unreadable, reversed and repeated runs are dropped."""
    starts = series(attrs.get("startDate"))
    ends = series(attrs.get("endDate"))
    windows: list[Window] = []
    for position in range(max(len(starts), len(ends))):
        number = position + 1
        if position >= len(starts):
            log.warn(f"attributes.startDate[{position}]", "schedule.start_unpaired", number=number)
            continue
        if position >= len(ends):
            log.warn(f"attributes.endDate[{position}]", "schedule.end_unpaired", number=number)
            continue
        start, end = parse_datetime(starts[position]), parse_datetime(ends[position])
        if start is None or end is None:
            bad = "startDate" if start is None else "endDate"
            value = starts[position] if start is None else ends[position]
            log.warn(f"attributes.{bad}[{position}]", "schedule.bad_date", value=value, number=number)
            continue
        if german_local_date(end) < german_local_date(start) or as_utc(end) < as_utc(start):
            log.warn(f"attributes.endDate[{position}]", "schedule.end_before_start",
                     end=ends[position], start=starts[position], number=number)
            continue
        window = Window(start, end)
        if any(w.as_dates() == window.as_dates() for w in windows):
            continue
        windows.append(window)
    if len(windows) > MAX_DATES:
        log.warn("attributes.startDate", "schedule.too_many_dates", limit=MAX_DATES)
        windows = windows[:MAX_DATES]
    return windows


def course_length_days(attrs: dict[str, Any], log: IssueLog) -> float | None:
    duration = attrs.get("duration")
    parsed = iso_duration_days(duration)
    if parsed is not None and parsed > 0:
        return parsed
    if duration not in (None, ""):
        log.warn("attributes.duration", "schedule.bad_duration", value=duration)
    return None


def course_hours(attrs: dict[str, Any], length_days: float | None, windows: list[Window], log: IssueLog) -> float:
    """Total hours, rounded to 0.1 (:data:`DEFAULT_HOURS` if they cannot be told); skips above the maximum."""
    duration = attrs.get("duration")
    hours: float | None = None
    if isinstance(duration, str) and duration.strip().startswith("PT") and length_days is not None:
        # a course that lasts hours, not days: its length is its workload
        hours = length_days * 24
    workload = attrs.get("workload")
    if hours is None and workload is not None:
        hours = _workload_hours(workload, length_days, windows, log)
    if hours is None:
        online = learning_item_hours(attrs)
        if online > 0:
            hours = online
            log.warn("attributes.workload", "schedule.hours_from_items")
    if hours is None or round(hours, 1) <= 0:
        log.warn("attributes.workload", "schedule.no_hours", hours=f"{DEFAULT_HOURS:g}")
        hours = DEFAULT_HOURS
    hours = round(hours, 1)
    if hours > MAX_HOURS:
        raise CourseSkipped("attributes.workload", "schedule.too_many_hours", hours=hours, limit=MAX_HOURS)
    return hours


def _workload_hours(workload: Any, length_days: float | None, windows: list[Window], log: IssueLog) -> float | None:
    """``workload`` (hours per day, week or month) over the course length, or None if it cannot be applied."""
    value = workload.get("timeValue") if isinstance(workload, dict) else None
    unit = workload.get("timeUnit") if isinstance(workload, dict) else None
    if not (
        isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf
        and isinstance(unit, str) and unit in _UNIT_DAYS
    ):
        log.warn("attributes.workload", "schedule.bad_workload")
        return None
    span = length_days
    if span is None and windows:
        span = (as_utc(windows[0].end) - as_utc(windows[0].start)).total_seconds() / 86400
        if span > 0:
            log.warn("attributes.duration", "schedule.span_from_dates")
        else:
            span = None
    if span is None:
        log.warn("attributes.duration", "schedule.no_span")
        return None
    return float(value) * span / _UNIT_DAYS[unit]


def learning_item_hours(attrs: dict[str, Any]) -> float:
    """Summed durations of the ``hasPart`` learning items, except ``other`` items (e.g. a presence day)."""
    total = 0.0
    for item in dicts(attrs.get("hasPart")):
        if item.get("type") == "other":
            continue
        days = iso_duration_days(item.get("duration"))
        if days:
            total += days * 24
    return total


def learning_units(hours: float, log: IssueLog) -> int:
    units = max(1, math.floor(hours / HOURS_PER_LEARNING_UNIT + 0.5))
    if units > MAX_LEARNING_UNITS:
        log.warn("attributes.workload", "schedule.units_capped", units=units, limit=MAX_LEARNING_UNITS)
        units = MAX_LEARNING_UNITS
    return units


def course_parts(
    attrs: dict[str, Any], fmt: str, hours: float, length_days: float | None, log: IssueLog
) -> list[dict[str, Any]]:
    weeks = None
    if length_days is not None and length_days >= 7:
        weeks = min(MAX_WEEKS, max(1, math.floor(length_days / 7 + 0.5)))
    if fmt == "online":
        parts: list[dict[str, Any]] = [{"kind": "online_prep", "hours": hours, **({"weeks": weeks} if weeks else {})}]
    elif fmt == "presence":
        parts = [{"kind": "presence_workshop", "hours": hours}]
    else:
        online = round(learning_item_hours(attrs), 1)
        if not 0 < online < hours:
            log.warn("attributes.hasPart", "schedule.no_split")
            return []
        parts = [
            {"kind": "online_prep", "hours": online},
            {"kind": "presence_workshop", "hours": round(hours - online, 1)},
        ]
    if any(p["hours"] > MAX_PART_HOURS for p in parts):
        log.warn("attributes.workload", "schedule.part_too_long", limit=MAX_PART_HOURS)
        return []
    return parts


def course_place(attrs: dict[str, Any], fmt: str, log: IssueLog) -> tuple[str | None, list[str]]:
    """(region, locations): nationwide online; otherwise the venue's city and a region left to the review."""
    if fmt == "online":
        return NATIONWIDE, []
    location = attrs.get("contentLocation")
    address = location.get("address") if isinstance(location, dict) else None
    city = address.get("city") if isinstance(address, dict) else None
    locations = [tidy(city)] if isinstance(city, str) and city.strip() else []
    if not locations:
        log.warn("attributes.contentLocation", "schedule.no_city")
    log.warn("attributes.contentLocation", "schedule.no_region")
    return None, locations
