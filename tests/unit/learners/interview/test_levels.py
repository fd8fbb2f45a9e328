import pytest

from campus.learners.interview.levels import parse_level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("0", 0), ("4", 4), ("3 – Fortgeschritten", 3), ("Stufe 2", 2), ("drei", 3), ("null", 0),
        ("damit kenne ich mich gut aus", 3), ("sehr gut", 4), ("nicht so gut", 1), ("ein bisschen", 1),
        ("Keine Ahnung", 0), ("Ich bin Expertin", 4), ("geht so", 2), ("Grundkenntnisse", 1),
    ],
)
def test_understood_levels(text: str, level: int) -> None:
    answer = parse_level(text)
    assert answer.ok and answer.level == level


@pytest.mark.parametrize("text", ["5", "-1", "17", "2.5", "fünf", "zehn"])
def test_out_of_range(text: str) -> None:
    answer = parse_level(text)
    assert answer.level is None and answer.problem == "out_of_range"


@pytest.mark.parametrize("text", ["", "   ", None, "🙂🙂", "Banane", "x" * 10_000])
def test_not_understood(text) -> None:
    answer = parse_level(text)
    assert answer.level is None and answer.problem == "not_understood"
