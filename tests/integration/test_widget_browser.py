"""The same conversation in a real browser: demo page → widget → socket.io → Rasa."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def page(platform):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing; `make test` installs it")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{platform.api_port}/")
        yield page
        context.close()
        browser.close()


def bot_count(page) -> int:
    return page.locator("#kc-messages .kc-msg.kc-bot").count()


def wait_for_bot_text(page, text: str, before: int) -> None:
    page.wait_for_function(
        """([text, before]) => {
            const bots = [...document.querySelectorAll('#kc-messages .kc-msg.kc-bot')].slice(before);
            return bots.some(b => b.textContent.includes(text));
        }""",
        arg=[text, before],
    )


def send(page, text: str, expect: str) -> None:
    before = bot_count(page)
    page.fill("#kc-input", text)
    page.keyboard.press("Enter")
    wait_for_bot_text(page, expect, before)


def click(page, title: str, expect: str) -> None:
    before = bot_count(page)
    page.locator("#kc-messages .kc-msg.kc-bot .kc-button", has_text=title).last.click()
    wait_for_bot_text(page, expect, before)


def test_widget_interview_to_plan(page) -> None:
    expect_levels = "Wie schätzen Sie Ihre Kenntnisse"
    send(page, "Hallo", "In welcher Verwaltung")
    send(page, "Stadt Musterstadt", "Welche Tätigkeit üben Sie aus")
    click(page, "Sachbearbeitung Bürgerbüro", "Führen Sie Mitarbeitende")
    click(page, "Nein", "wichtigsten Aufgaben")
    send(page, "Meldewesen und Ausweise", expect_levels)
    click(page, "2 – Anwendungskenntnisse", expect_levels)
    send(page, "damit kenne ich mich gut aus", expect_levels)
    click(page, "1 – Grundkenntnisse", "vertiefen")
    click(page, "Neues lernen", "Welche Themen interessieren Sie")
    send(page, "Ich möchte Anträge online anbieten und Papierakten digitalisieren", "berufliches Ziel")
    click(page, "Keine Veränderung", "Wie lernen Sie am liebsten")
    click(page, "Online", "Stunden pro Monat")
    send(page, "8", "Ab wann")
    send(page, "sofort", "Profil speichern")
    click(page, "Ja, speichern", "Stimmt das so")
    click(page, "Ja, stimmt", "Übereinstimmung")
    page.wait_for_function(
        "() => document.querySelectorAll('#kc-messages .kc-msg.kc-bot').length > 0 && "
        "[...document.querySelectorAll('#kc-messages .kc-msg.kc-bot')].filter("
        "b => /\\d+ % Übereinstimmung/.test(b.textContent)).length >= 5"
    )
    items = [t for t in page.locator("#kc-messages .kc-msg.kc-bot").all_inner_texts() if "Übereinstimmung" in t]
    assert len(items) == 5
    assert all(re.search(r"\d{1,3} % Übereinstimmung", t) for t in items)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-plan.png"), full_page=True)
    # the user's button clicks show as the user's own bubbles
    assert "Sachbearbeitung Bürgerbüro" in page.locator("#kc-messages .kc-msg.kc-user").all_inner_texts()
