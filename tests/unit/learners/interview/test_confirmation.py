"""Yes / no / something else, in reply to "Habe ich Sie richtig verstanden …?"."""

from __future__ import annotations

import pytest

from campus.learners.interview.answers import confirmation_verdict


@pytest.mark.parametrize("text", ["Ja", "ja genau", "Stimmt", "das stimmt so", "Ja, richtig verstanden", "passt",
                                  "OK", "jawohl!"])
def test_plain_yes(text: str) -> None:
    assert confirmation_verdict(text) is True


@pytest.mark.parametrize("text", ["Nein", "nee", "stimmt nicht", "Das ist falsch", "nein, das passt nicht",
                                  "leider nicht"])
def test_plain_no(text: str) -> None:
    assert confirmation_verdict(text) is False


@pytest.mark.parametrize("text", ["Nein, eher Stufe 1", "ja aber eher 2", "Ich arbeite in der Kämmerei", "", "🙂"])
def test_anything_else_is_a_new_answer(text: str) -> None:
    assert confirmation_verdict(text) is None
