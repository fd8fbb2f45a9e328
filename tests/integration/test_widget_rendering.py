"""The widget in real Chromium against a scripted stand-in for Rasa's socket.io channel.

Playwright answers the widget's WebSocket itself (engine.io v4 / socket.io v5
framing), so these tests can send exactly the bot messages they need: hostile
markup, plan items, a dropped connection that stays down while the learner
types. The page, widget files and configuration come from the real API.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.widget_support import (
    PHONE,
    chromium,
    contrast_report,
    new_page,
    no_horizontal_overflow,
    screenshot,
    wait_connected,
    wait_for_widget,
)

pytestmark = pytest.mark.integration

PLAN = [
    "Vielen Dank für Ihre Angaben! Ihr Profil ist gespeichert. Diese 3 Module passen am besten zu Ihnen:",
    "1. **E-Akte in der Praxis** – 87 % Übereinstimmung. Schließt die Lücke in „E-Akte“ (Stufe 1 → 3).",
    "2. **Onlinezugangsgesetz kompakt** – 74 % Übereinstimmung. Passt zu Ihrem Interesse an digitalen Anträgen.",
    "3. **Datenschutz im Bürgerbüro** – 61 % Übereinstimmung. Vertieft Ihre Kenntnisse im Datenschutz.",
    "• Verwaltungsdigitalisierung für Führungskräfte – 58 % Übereinstimmung (Intensivmodul, online, 16 Std.)",
]
HOSTILE = (
    '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Das ist **wichtig** und '
    "[böse](javascript:window.__xss=3) sowie [gut](https://example.org/kurs?id=1) und www.example.org. "
    "Ein sehr langes Wort: Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellungsbetrieb."
)


class FakeRasa:
    """Rasa's socket.io channel as far as the widget uses it, answering over Playwright's WebSocket route."""

    def __init__(self) -> None:
        self.session_id = "fake-session-1"
        self.requests: list[dict] = []  # session_request payloads
        self.uttered: list[dict] = []  # user_uttered payloads
        self.refuse = False  # close every new connection at once (the server is "down")
        self.hold = False  # receive user messages but do not answer yet
        self.routes: list = []
        self.connections = 0

    # engine.io / socket.io framing
    def handle(self, ws) -> None:
        self.connections += 1
        if self.refuse:
            ws.close()
            return
        self.routes.append(ws)
        ws.on_message(lambda message: self.on_message(ws, message))
        ws.send("0" + json.dumps({"sid": f"eio{self.connections}", "upgrades": [], "pingInterval": 25000,
                                  "pingTimeout": 60000, "maxPayload": 1000000}))

    def emit(self, ws, event: str, data) -> None:
        ws.send("42" + json.dumps([event, data]))

    def on_message(self, ws, message) -> None:
        if not isinstance(message, str):
            return
        if message == "2":
            ws.send("3")
        elif message.startswith("40"):
            ws.send("40" + json.dumps({"sid": f"sock{self.connections}"}))
        elif message.startswith("42"):
            event, data = json.loads(message[2:])[:2]
            if event == "session_request":
                self.requests.append(data)
                self.emit(ws, "session_confirm", (data or {}).get("session_id") or self.session_id)
            elif event == "user_uttered":
                self.uttered.append(data)
                if not self.hold:
                    self.reply(ws, data["message"])

    def reply(self, ws, message: str) -> None:
        if message == "plan":
            for text in PLAN:
                buttons = [{"title": "Details", "payload": "/details"}, {"title": "Annehmen", "payload": "/accept"}]
                self.emit(ws, "bot_uttered", {"text": text, "quick_replies": buttons if "**" in text else []})
        elif message == "hostile":
            self.emit(ws, "bot_uttered", {
                "text": HOSTILE,
                "quick_replies": [
                    {"title": "<b>Ja</b>", "payload": "/affirm"},
                    {"title": "Link", "type": "web_url", "url": "javascript:window.__xss=4"},
                ],
                "attachment": {"type": "image", "payload": {"src": "javascript:window.__xss=5"}},
            })
        elif message == "frage":
            self.emit(ws, "bot_uttered", {"text": "Führen Sie Mitarbeitende?", "buttons": [
                {"title": "Ja", "payload": "/affirm"}, {"title": "Nein", "payload": "/deny"}]})
        else:
            self.emit(ws, "bot_uttered", {"text": f"Sie schrieben: {message}"})

    def drop(self) -> None:
        """The server closes every open connection."""
        for ws in self.routes:
            ws.close()
        self.routes.clear()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def fake():
    return FakeRasa()


@pytest.fixture
def open_widget(platform, browser, fake):
    """Opens the demo page with the widget talking to `fake` (long-polling to the real Rasa is blocked)."""
    pages = []

    def opener(viewport=None):
        page = new_page(browser, viewport)
        page.route_web_socket(f"ws://127.0.0.1:{platform.rasa_port}/socket.io/**", fake.handle)
        page.route(f"http://127.0.0.1:{platform.rasa_port}/**", lambda route: route.abort())
        page.goto(f"http://127.0.0.1:{platform.api_port}/")
        wait_for_widget(page)
        wait_connected(page)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.context.close()


def last_bot(page):
    return page.locator("#kc-messages .kc-msg.kc-bot").last


def wait_text(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('#kc-messages').textContent.includes(t)", arg=text)


def say(page, text: str) -> None:
    before = page.locator("#kc-messages .kc-msg.kc-bot").count()
    page.fill("#kc-input", text)
    page.press("#kc-input", "Enter")
    page.wait_for_function("n => document.querySelectorAll('#kc-messages .kc-msg.kc-bot').length > n", arg=before)


def test_bot_text_is_escaped_and_only_http_links_survive(open_widget, fake) -> None:
    page = open_widget()
    say(page, "hostile")
    bubble = last_bot(page)
    assert page.evaluate("window.__xss") is None
    assert bubble.locator("img, script").count() == 0
    assert "<img src=x" in bubble.inner_text() and "<script>" in bubble.inner_text()  # shown as text
    assert bubble.locator("strong").all_inner_texts() == ["wichtig"]
    links = bubble.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == ["https://example.org/kurs?id=1", "https://www.example.org/"]
    assert all(links.nth(i).get_attribute("rel") == "noopener noreferrer" for i in range(links.count()))
    assert "böse" in bubble.inner_text() and "javascript:" in bubble.inner_text()  # not a link
    buttons = bubble.locator("button.kc-button")
    assert buttons.first.inner_text() == "<b>Ja</b>" and bubble.locator("button b").count() == 0
    # a web_url button with a javascript: address is no link; clicking it sends its title as text
    assert bubble.locator("a.kc-button-link").count() == 0
    # the org from data-org travels as metadata with every message
    assert fake.uttered[-1]["metadata"] == {"org": "musterstadt"}
    assert fake.uttered[-1]["session_id"] == fake.session_id
    assert page.js_errors == []


def test_plan_items_are_cards_with_match_percent(open_widget) -> None:
    page = open_widget()
    say(page, "plan")
    page.wait_for_function("() => document.querySelectorAll('#kc-messages .kc-plan-card').length === 4")
    cards = page.locator("#kc-messages .kc-plan-card")
    assert cards.locator(".kc-plan-title").all_inner_texts() == [
        "E-Akte in der Praxis", "Onlinezugangsgesetz kompakt", "Datenschutz im Bürgerbüro",
        "Verwaltungsdigitalisierung für Führungskräfte"]
    assert cards.locator(".kc-plan-percent").all_inner_texts() == [
        "87 % Übereinstimmung", "74 % Übereinstimmung", "61 % Übereinstimmung", "58 % Übereinstimmung"]
    assert cards.locator(".kc-plan-pos").all_inner_texts() == ["1.", "2.", "3."]
    widths = page.evaluate("""() => [...document.querySelectorAll('.kc-meter')].map(
        m => Math.round(100 * m.firstChild.getBoundingClientRect().width / m.getBoundingClientRect().width))""")
    assert [abs(w - p) <= 2 for w, p in zip(widths, [87, 74, 61, 58], strict=True)] == [True] * 4
    assert "Stufe 1 → 3" in cards.first.locator(".kc-plan-detail").inner_text()
    assert "Intensivmodul, online, 16 Std." in cards.last.inner_text()
    # actions on plan items stay usable after further answers; a question's buttons retire once answered
    assert cards.first.locator("button.kc-button").all_inner_texts() == ["Details", "Annehmen"]
    say(page, "frage")
    page.locator("#kc-messages button.kc-button:not([disabled])", has_text="Ja").last.click()
    wait_text(page, "Sie schrieben: /affirm")
    assert page.locator("#kc-messages .kc-plan button.kc-button:not([disabled])").count() == 6
    assert page.locator("#kc-messages .kc-msg:not(.kc-plan) button.kc-button:not([disabled])").count() == 0
    cards.nth(1).locator("button", has_text="Annehmen").click()
    wait_text(page, "Sie schrieben: /accept")
    assert page.js_errors == []


def test_typing_indicator_while_waiting(open_widget, fake) -> None:
    page = open_widget()
    assert page.is_hidden("#kc-typing")
    fake.hold = True
    page.fill("#kc-input", "Hallo")
    page.press("#kc-input", "Enter")
    page.wait_for_selector("#kc-typing:not([hidden])")
    assert "schreibt" in page.inner_text("#kc-typing")
    fake.hold = False
    fake.reply(fake.routes[-1], "Hallo")
    page.wait_for_selector("#kc-typing[hidden]", state="attached")
    assert "Sie schrieben: Hallo" in last_bot(page).inner_text()


def test_dropped_connection_queues_messages_and_reconnects_to_the_same_session(open_widget, fake) -> None:
    page = open_widget()
    say(page, "erste Nachricht")
    fake.refuse = True
    fake.drop()
    page.wait_for_selector("#kc-connection-notice[data-kind=offline]:not([hidden])")
    assert "unterbrochen" in page.inner_text("#kc-connection-notice")
    assert page.get_attribute("#kc-status", "data-state") == "reconnecting"
    sent = len(fake.uttered)
    page.fill("#kc-input", "während der Unterbrechung")
    page.press("#kc-input", "Enter")
    pending = page.locator("#kc-messages .kc-msg.kc-user.kc-pending")
    assert pending.count() == 1 and "sobald die Verbindung" in pending.inner_text()
    screenshot(page, "widget-server-down-desktop.png")
    fake.refuse = False  # the server is back; socket.io's next attempt gets through
    page.wait_for_selector("#kc-connection-notice[data-kind=online]:not([hidden])")
    page.wait_for_function("() => !document.querySelector('#kc-messages .kc-pending')")
    assert "Sie schrieben: während der Unterbrechung" in last_bot(page).inner_text()
    assert [u["message"] for u in fake.uttered[sent:]] == ["während der Unterbrechung"]
    # the reconnect asked for the same session, so Rasa keeps the same conversation
    assert fake.requests[0]["session_id"] is None and len(fake.requests) >= 2
    assert all(r["session_id"] == fake.session_id for r in fake.requests[1:])


def test_history_and_unsent_messages_survive_a_reload(open_widget, fake) -> None:
    page = open_widget()
    say(page, "frage")
    assert page.locator("#kc-messages button.kc-button:not([disabled])").count() == 2
    page.reload()
    wait_for_widget(page)
    wait_connected(page)
    texts = page.locator("#kc-messages .kc-msg").all_inner_texts()
    assert len(texts) == 2 and texts[0] == "frage" and "Führen Sie Mitarbeitende?" in texts[1]
    assert fake.requests[-1]["session_id"] == fake.session_id
    # the open question's buttons still work after the reload
    page.locator("#kc-messages button.kc-button", has_text="Nein").click()
    wait_text(page, "Sie schrieben: /deny")
    assert page.locator("#kc-messages button.kc-button:not([disabled])").count() == 0  # answered: retired
    assert page.locator("#kc-messages .kc-user").all_inner_texts()[-1] == "Nein"


def test_keyboard_only_focus_order_enter_and_escape(open_widget, fake) -> None:
    page = open_widget()
    say(page, "frage")
    page.focus("#kc-input")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "kc-send"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # from the input back into the log: the newest answer button first
    assert page.evaluate("document.activeElement.textContent") == "Nein"
    outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    assert outline[0] != "none" and outline[1] >= 2, outline
    page.keyboard.press("Enter")
    wait_text(page, "Sie schrieben: /deny")
    assert page.evaluate("document.activeElement.id") == "kc-input"
    # Escape closes the panel and returns focus to the launcher; Enter there reopens it
    page.keyboard.press("Escape")
    assert page.is_hidden("#kc-widget") and page.evaluate("document.activeElement.id") == "kc-launcher"
    assert page.get_attribute("#kc-launcher", "aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.is_visible("#kc-widget") and page.evaluate("document.activeElement.id") == "kc-input"
    # every control has a German name
    for selector in ("#kc-input", "#kc-send", "#kc-close", "#kc-restart", "#kc-launcher"):
        assert page.get_attribute(selector, "aria-label"), selector
    assert page.get_attribute("#kc-messages", "aria-live") == "polite"
    assert page.get_attribute("#kc-messages", "role") == "log"
    assert page.get_attribute("#kc-send", "aria-label") == "Nachricht senden"


def test_phone_layout_and_contrast_of_every_state(open_widget, fake) -> None:
    page = open_widget(PHONE)
    for text in ("hostile", "plan", "frage"):
        say(page, text)
    page.fill("#kc-input", "https://example.org/" + "sehr-lange-adresse-" * 8)
    page.press("#kc-input", "Enter")
    fake.refuse = True
    fake.drop()
    page.wait_for_selector("#kc-connection-notice[data-kind=offline]:not([hidden])")
    page.fill("#kc-input", "noch nicht gesendet")
    page.press("#kc-input", "Enter")
    widths = no_horizontal_overflow(page)
    assert widths["docScroll"] <= widths["viewport"] and widths["bodyScroll"] <= widths["viewport"], widths
    assert widths["listScroll"] <= widths["listClient"] and widths["widest"] <= widths["viewport"], widths
    box = page.locator("#kc-widget").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.locator("#kc-input").bounding_box()["y"] + 44 <= PHONE["height"]  # input on screen
    screenshot(page, "widget-states-phone.png")
    report = contrast_report(page)
    texts = " ".join(r["text"] for r in report)
    for expected in ("Übereinstimmung", "unterbrochen", "sobald die Verbindung", "Ja", "Datenschutz", "KommunalCampus"):
        assert expected in texts, expected
    low = [r for r in report if r["ratio"] < 4.5]
    assert low == [], low
