"""Reading the plain data formats that outside feeds use: HTML fragments, ISO 8601 durations and date-times.

Feeds (MOOChub today) describe courses in HTML and give times as ISO 8601
strings; these helpers turn them into text, days and dates without any
knowledge of the feed. They are pure: no network, no clock and no time-zone
database, so the calendar date in Germany is computed with the EU summer-time
rule (last Sunday of March to last Sunday of October, 01:00 UTC).
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
# The official MOOChub examples carry a literal backslash-n next to tags ("</p>\\n"); treat it as whitespace.
_LITERAL_NEWLINE = re.compile(r"(?:\\n)+(?=\s*(?:<|$))|(?<=>)(?:\\n)+")


def html_to_text(value: str) -> str:
    """Plain text from an HTML fragment: tags removed, entities unescaped, paragraphs kept."""
    value = _LITERAL_NEWLINE.sub(" ", value)
    if not _TAG.search(value):
        return tidy(html.unescape(value))
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    return tidy("".join(extractor.parts))


def one_line(text: str) -> str:
    """A title-like text: entities unescaped and all whitespace (newlines too) collapsed to single spaces."""
    return " ".join(html.unescape(text).split())


def tidy(text: str) -> str:
    """Spaces collapsed per line, lone list dashes dropped, at most one empty line between paragraphs."""
    lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in text.replace("\r", "").split("\n")]
    lines = [line for line in lines if line not in ("-",)]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at a word boundary when one is near, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def iso_duration_days(value: object) -> float | None:
    """An ISO 8601 duration in days (month = 1/12 year, year = 365.25 days), or None."""
    if not isinstance(value, str):
        return None
    match = _ISO_DURATION.match(value.strip())
    if not match:
        return None
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return (
        years * DAYS_PER_YEAR + months * DAYS_PER_MONTH + weeks * 7 + days
        + hours / 24 + minutes / 1440 + seconds / 86400
    )


def parse_datetime(value: object) -> datetime | None:
    """An ISO 8601 date or date-time (``Z`` accepted for UTC), or None if ``value`` is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def as_utc(moment: datetime) -> datetime:
    """An aware UTC time; a naive one is taken as UTC (feeds' times are compared, not shown)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def german_local_date(moment: datetime) -> date:
    """The calendar date in Germany (CET/CEST by the EU rule) of a date-time; naive values are taken as local."""
    if moment.tzinfo is None:
        return moment.date()
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    summer_start = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time()) + timedelta(hours=1)
    summer_end = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time()) + timedelta(hours=1)
    offset = 2 if summer_start <= utc < summer_end else 1
    return (utc + timedelta(hours=offset)).date()


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)  # March and October both have 31 days
    return last - timedelta(days=(last.weekday() + 1) % 7)


class _TextExtractor(HTMLParser):
    """Collects an HTML fragment's text, turning block tags into paragraph breaks and list items into dashes."""

    _BLOCK = frozenset({
        "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table", "tr",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt", "dd", "hr", "figure", "figcaption",
    })
    _SKIP = frozenset({"script", "style", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))
