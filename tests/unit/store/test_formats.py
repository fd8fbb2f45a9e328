"""Reading feed formats: HTML → text, ISO 8601 durations and date-times, the German calendar date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from campus.store.formats import (
    DAYS_PER_MONTH,
    as_utc,
    german_local_date,
    html_to_text,
    iso_duration_days,
    one_line,
    parse_datetime,
    shorten,
    tidy,
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<p>Gr&uuml;&szlig;e &amp; mehr</p>", "Grüße & mehr"),
        ("<p>Eins</p><p>Zwei</p>", "Eins\n\nZwei"),
        ("Zeile<br>neue Zeile<br/>dritte", "Zeile\nneue Zeile\ndritte"),
        ("<ul><li>A</li><li><b>B</b> b</li></ul>", "- A\n- B b"),
        ("<p>Text</p>\\n<p>weiter</p>\\n", "Text\n\nweiter"),
        ("<div>sichtbar<script>var x = '<p>';</script><style>p{}</style></div>", "sichtbar"),
        ("Kein HTML &ndash; nur Text\nmit Zeilen", "Kein HTML – nur Text\nmit Zeilen"),
        ("<p>  viel   \n  Leerraum&nbsp;hier </p>", "viel Leerraum hier"),
        ("Kosten < 100 € & mehr", "Kosten < 100 € & mehr"),
    ],
)
def test_html_to_text(raw: str, text: str) -> None:
    assert html_to_text(raw) == text


def test_html_table_cells_are_separated_and_empty_list_items_dropped() -> None:
    assert html_to_text("<table><tr><td>A</td><td>B</td></tr></table><ul><li></li></ul>") == "A B"


def test_one_line_and_tidy() -> None:
    assert one_line("  Datenschutz\n in  der&nbsp;Verwaltung ") == "Datenschutz in der Verwaltung"
    assert tidy("a \t b\r\n\n\n\n-\nc  ") == "a b\n\nc"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("kurz", 10, "kurz"),
        ("eins zwei drei vier", 12, "eins zwei…"),  # cut at the last space
        ("abcdefghijklmnop", 8, "abcdefg…"),  # no space: hard cut
        ("a bcdefghijklmnop", 8, "a bcdef…"),  # the space is too early to cut there
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("P2W", 14.0),
        ("P5D", 5.0),
        ("PT6H", 0.25),
        ("PT1H30M", 1.5 / 24),
        ("P1M", DAYS_PER_MONTH),
        ("P1Y", 365.25),
        ("P1DT12H", 1.5),
        (" P0.5W ", 3.5),
        ("PT90S", 90 / 86400),
    ],
)
def test_iso_duration_days(value: str, days: float) -> None:
    assert iso_duration_days(value) == pytest.approx(days)


@pytest.mark.parametrize("value", ["P", "PT", "P1H", "2W", "P1W2D3", "", None, 14, ["P2W"]])
def test_iso_duration_days_rejects_what_is_no_duration(value: object) -> None:
    assert iso_duration_days(value) is None


def test_parse_datetime() -> None:
    assert parse_datetime("2026-03-02T08:00:00Z") == datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
    assert parse_datetime(" 2026-03-02T08:00:00+02:00 ") == datetime(
        2026, 3, 2, 8, tzinfo=timezone(timedelta(hours=2))
    )
    assert parse_datetime("2026-03-02") == datetime(2026, 3, 2)
    for junk in ("kein Datum", "2026-13-40T10:00:00Z", "", "   ", None, 20260302):
        assert parse_datetime(junk) is None


def test_as_utc_reads_naive_times_as_utc() -> None:
    assert as_utc(datetime(2026, 1, 1, 12)) == datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    moment = as_utc(datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=1))))
    assert (moment, moment.tzinfo) == (datetime(2026, 1, 1, 11, tzinfo=timezone.utc), timezone.utc)


@pytest.mark.parametrize(
    ("moment", "local"),
    [
        ("2025-09-28T22:00:00Z", date(2025, 9, 29)),  # CEST: +2
        ("2025-12-31T23:30:00Z", date(2026, 1, 1)),  # CET: +1
        ("2025-12-31T22:30:00Z", date(2025, 12, 31)),
        ("2025-03-29T22:59:00Z", date(2025, 3, 29)),  # still CET: 23:59 local
        ("2025-03-30T22:30:00Z", date(2025, 3, 31)),  # summer time since 30 March 01:00 UTC
        ("2025-10-25T22:30:00Z", date(2025, 10, 26)),  # last hours of summer time
        ("2025-10-26T22:30:00Z", date(2025, 10, 26)),  # winter time again: 23:30 local
        ("2026-06-01T23:00:00-05:00", date(2026, 6, 2)),  # any zone: 04:00 UTC, 06:00 in Germany
        ("2026-06-01T23:00:00", date(2026, 6, 1)),  # naive: already local
    ],
)
def test_german_local_date_follows_the_eu_summer_time_rule(moment: str, local: date) -> None:
    parsed = parse_datetime(moment)
    assert parsed is not None
    assert german_local_date(parsed) == local
