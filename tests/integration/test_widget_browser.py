"""The widget in real headless Chromium against the real stack: demo page → widget → socket.io → Rasa → actions.

One interview, walked through in order by the tests of this module on one page:
typing and clicking, a button pressed with the keyboard only, a reload in the
middle, a dropped network connection, the plan cards at the end, then the same
page at 360 px. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.widget_support import (
    DESKTOP,
    PHONE,
    chromium,
    click,
    contrast_report,
    new_page,
    no_horizontal_overflow,
    screenshot,
    send,
    wait_connected,
    wait_for_bot,
    wait_for_widget,
)

pytestmark = pytest.mark.integration
LEVEL_Q = "Wie schätzen Sie Ihre Kenntnisse"
PERCENT = re.compile(r"^(\d{1,3}) % Übereinstimmung$")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def page(platform, browser):
    page = new_page(browser, DESKTOP)
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    page.frames_sent = sent
    page.goto(f"http://127.0.0.1:{platform.api_port}/")
    wait_for_widget(page)
    wait_connected(page)
    yield page
    page.context.close()


def visible_history(page) -> list[str]:
    return page.locator("#kc-messages .kc-msg").all_inner_texts()


def test_notice_links_to_the_german_privacy_page(page, browser, platform) -> None:
    notice = page.inner_text("#kc-notice")
    assert "Einwilligung" in notice and "anonymisierte" in notice and "„Meine Daten löschen“" in notice
    href = page.get_attribute("#kc-privacy-link", "href")
    assert href == f"http://127.0.0.1:{platform.api_port}/datenschutz"
    privacy = new_page(browser, PHONE)
    try:
        privacy.goto(href)
        body = privacy.inner_text("body")
        assert privacy.get_attribute("html", "lang") == "de"
        assert "Datenschutz" in privacy.inner_text("h1")
        for promise in ("Nur wenn Sie zustimmen", "mindestens 5 Personen", "„Meine Daten löschen“",
                        "„Einwilligung widerrufen“", "Neu beginnen"):
            assert promise in body, promise
        widths = privacy.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
    finally:
        privacy.context.close()


def test_interview_by_typing_clicking_and_keyboard(page) -> None:
    greeting = send(page, "Hallo", "In welcher Verwaltung")
    assert "Weiterbildungsassistent" in greeting
    send(page, "Stadt Musterstadt, Bürgeramt", "Welche Tätigkeit")
    click(page, "Sachbearbeitung Bürgerbüro", "Führen Sie Mitarbeitende")
    # keyboard only: from the input, Shift+Tab reaches the newest answer buttons; Enter presses one
    page.focus("#kc-input")
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == "Nein":
            break
    focused = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return {tag: e.tagName, cls: e.className, text: e.textContent, outline: s.outlineStyle,
                width: parseFloat(s.outlineWidth)}; }""")
    assert focused["tag"] == "BUTTON" and "kc-button" in focused["cls"] and focused["text"] == "Nein", focused
    assert focused["outline"] != "none" and focused["width"] >= 2, focused  # visible focus
    before = page.locator("#kc-messages .kc-msg.kc-bot").count()
    page.keyboard.press("Enter")
    wait_for_bot(page, ["wichtigsten Aufgaben"], before)
    assert page.locator("#kc-messages .kc-user").all_inner_texts()[-1] == "Nein"
    send(page, "Ich bearbeite Meldeangelegenheiten und stelle Ausweise aus", LEVEL_Q)
    click(page, "2 – Anwendungskenntnisse", LEVEL_Q)
    # every message went out with the organisation from data-org
    uttered = [json.loads(f[2:]) for f in page.frames_sent if f.startswith('42["user_uttered"')]
    assert uttered and all(u[1].get("metadata") == {"org": "musterstadt"} for u in uttered)


def test_reload_mid_interview_continues_the_same_conversation(page) -> None:
    session = page.evaluate("KommunalCampusWidget.sessionId()")
    history = visible_history(page)
    assert LEVEL_Q in history[-1]
    page.reload()
    wait_for_widget(page)
    wait_connected(page)
    assert page.evaluate("KommunalCampusWidget.sessionId()") == session
    assert visible_history(page) == history
    # the bot still waits for the second level: same learner, same conversation
    reply = send(page, "damit kenne ich mich gut aus", LEVEL_Q)
    assert "In welcher Verwaltung" not in reply


def test_dropped_connection_queues_the_answer_and_reconnects(page) -> None:
    session = page.evaluate("KommunalCampusWidget.sessionId()")
    page.context.set_offline(True)
    try:
        page.wait_for_selector("#kc-connection-notice[data-kind=offline]:not([hidden])")
        assert "unterbrochen" in page.inner_text("#kc-connection-notice")
        before = page.locator("#kc-messages .kc-msg.kc-bot").count()
        page.fill("#kc-input", "1")
        page.press("#kc-input", "Enter")
        pending = page.locator("#kc-messages .kc-user.kc-pending")
        assert pending.count() == 1 and "sobald die Verbindung" in pending.inner_text()
        screenshot(page, "widget-offline-desktop.png")
    finally:
        page.context.set_offline(False)
    wait_for_bot(page, ["vertiefen"], before)
    assert page.locator("#kc-messages .kc-pending").count() == 0
    assert page.get_attribute("#kc-status", "data-state") == "connected"
    assert page.evaluate("KommunalCampusWidget.sessionId()") == session


def test_interview_ends_with_plan_cards(page) -> None:
    click(page, "Neues lernen", "Welche Themen interessieren Sie")
    send(page, "Mich interessiert vor allem Datenschutz", "berufliches Ziel")
    click(page, "Keine Veränderung", "Wie lernen Sie am liebsten")
    click(page, "Online", "Stunden pro Monat")
    send(page, "8", "im Jahr höchstens kosten")
    send(page, "kein Budget", "Ab wann")
    send(page, "sofort", "Profil speichern")
    click(page, "Ja, speichern", "Stimmt das so")
    reply = click(page, "Ja, stimmt", "Module passen am besten")
    count = int(re.search(r"Diese (\d+) Module passen", reply).group(1))
    assert count >= 1
    page.wait_for_function("n => document.querySelectorAll('#kc-messages .kc-plan-card').length >= n", arg=count)
    cards = page.locator("#kc-messages .kc-plan-card")
    assert cards.count() == count, visible_history(page)[-count - 2:]
    percents = [int(PERCENT.match(t).group(1)) for t in cards.locator(".kc-plan-percent").all_inner_texts()]
    assert len(percents) == count and all(0 <= p <= 100 for p in percents)  # in plan order, not by percent
    assert cards.locator(".kc-plan-pos").all_inner_texts() == [f"{i}." for i in range(1, count + 1)]
    assert all(t.strip() for t in cards.locator(".kc-plan-title").all_inner_texts())
    assert all(t.strip() for t in cards.locator(".kc-plan-detail").all_inner_texts())  # the reasons
    assert "**" not in page.inner_text("#kc-messages")  # bold markers rendered, not shown
    # every message the learner sent (typed, clicked, queued while offline, across the reload) went out once
    uttered = [json.loads(f[2:])[1]["message"] for f in page.frames_sent if f.startswith('42["user_uttered"')]
    assert len(uttered) == page.locator("#kc-messages .kc-user").count(), uttered
    cards.first.scroll_into_view_if_needed()
    screenshot(page, "widget-plan-desktop.png")


def test_phone_layout_has_no_horizontal_scroll_and_enough_contrast(page) -> None:
    page.set_viewport_size(PHONE)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    widths = no_horizontal_overflow(page)
    assert widths["docScroll"] <= widths["viewport"] and widths["bodyScroll"] <= widths["viewport"], widths
    assert widths["listScroll"] <= widths["listClient"] and widths["widest"] <= widths["viewport"], widths
    panel = page.locator("#kc-widget").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    page.locator("#kc-messages .kc-plan-card").first.scroll_into_view_if_needed()
    screenshot(page, "widget-plan-phone.png")
    report = contrast_report(page)
    # something was measured: the header, the buttons, the plan card and the bot's questions
    measured = {cls for r in report for cls in str(r["cls"]).split()}
    assert {"kc-title", "kc-button", "kc-plan-title"} <= measured, sorted(measured)
    assert any(r["text"].startswith(LEVEL_Q) for r in report), [r["text"] for r in report]
    low = [r for r in report if r["ratio"] < 4.5]
    assert low == [], low
    assert page.js_errors == []
