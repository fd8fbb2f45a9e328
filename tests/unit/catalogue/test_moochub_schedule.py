"""MOOChub mapping: course mode → format and place, dates, workload × duration → hours, units and parts."""

from __future__ import annotations

import pytest

from tests.unit.catalogue.moochub_support import course, document, run


@pytest.mark.parametrize(
    ("start", "end", "field", "kept"),
    [
        (["kein Datum"], ["2026-01-10T10:00:00Z"], "attributes.startDate[0]", 0),
        (["2026-01-01T10:00:00Z"], ["2026-13-40T10:00:00Z"], "attributes.endDate[0]", 0),
        (["2026-01-01T10:00:00Z", "2026-02-01T10:00:00Z"], ["2026-01-10T10:00:00Z"], "attributes.endDate[1]", 1),
        (["2026-01-01"], ["2025-12-31"], "attributes.endDate[0]", 0),
    ],
)
def test_unparseable_unpaired_or_reversed_dates_are_dropped(start, end, field, kept) -> None:
    result = run(document(course(startDate=start, endDate=end)))
    assert len(result.modules) == 1 and len(result.modules[0]["dates"]) == kept
    assert field in [i.field for i in result.issues if not i.fatal]


@pytest.mark.parametrize(
    ("modes", "fmt"),
    [
        (["online"], "online"),
        (["asynchronous"], "online"),
        (["onsite"], "presence"),
        (["onsite", "synchronous"], "presence"),
        (["synchronous", "asynchronous"], "online"),
        (["online", "onsite"], "blended"),
        (["blended"], "blended"),
    ],
)
def test_course_mode_maps_to_format(modes: list[str], fmt: str) -> None:
    extra = {"contentLocation": {"name": "Rathaus", "address": {"city": "Kassel"}}}
    module = run(document(course(courseMode=modes, **extra))).modules[0]
    assert module["format"] == fmt
    if fmt == "presence":
        assert module["parts"] == [{"kind": "presence_workshop", "hours": 16.0, "weeks": None}]
        assert (module["region"], module["locations"]) == (None, ["Kassel"])


@pytest.mark.parametrize("modes", [None, [], ["synchronous"], ["MOOC-Plattform"]])
def test_missing_or_unclear_course_mode_defaults_to_online_with_an_issue(modes) -> None:
    result = run(document(course(courseMode=modes)))
    assert result.modules[0]["format"] == "online"
    assert {i.field for i in result.issues} == {"attributes.courseMode"}


def test_blended_without_item_durations_has_no_parts() -> None:
    result = run(document(course(courseMode=["blended"])))
    assert result.modules[0]["parts"] == []
    assert "attributes.hasPart" in [i.field for i in result.issues]


@pytest.mark.parametrize(
    ("workload", "duration", "hours", "units"),
    [
        ({"timeValue": 2, "timeUnit": "h/day"}, "P5D", 10.0, 1),
        ({"timeValue": 10, "timeUnit": "h/month"}, "P3M", 30.0, 4),
        ({"timeValue": 5, "timeUnit": "h/week"}, "P1M", 21.7, 3),
        ({"timeValue": 3, "timeUnit": "h/week"}, "PT6H", 6.0, 1),  # a one-day event: the duration is the workload
        ({"timeValue": 40, "timeUnit": "h/week"}, "P6W", 240.0, 20),  # 30 units capped at 20
    ],
)
def test_workload_times_duration(workload, duration, hours, units) -> None:
    module = run(document(course(workload=workload, duration=duration))).modules[0]
    assert (module["duration_hours"], module["learning_units"]) == (hours, units)


def test_workload_uses_date_span_or_learning_items_when_duration_is_missing() -> None:
    dated = course(duration=None, startDate=["2026-03-02T08:00:00Z"], endDate=["2026-03-30T08:00:00Z"])
    result = run(document(dated))
    assert result.modules[0]["duration_hours"] == 32.0  # 8 h/week × 4 weeks
    assert "attributes.duration" in [i.field for i in result.issues]
    items = [
        {"type": "Video", "identifier": "https://example.org/i/1", "name": "Einführung", "duration": "PT1H30M"},
        {"type": "Quiz", "identifier": "https://example.org/i/2", "name": "Test", "duration": "PT30M"},
    ]
    result = run(document(course(workload=None, duration=None, hasPart=items)))
    assert result.modules[0]["duration_hours"] == 2.0
    assert result.modules[0]["category"] == "Bonusmodul"
