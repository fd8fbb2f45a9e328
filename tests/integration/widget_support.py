"""Shared helpers for the widget's browser tests: Debian's Chromium via Playwright, chat steps, checks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 120_000  # a busy 2-core machine; never a measure of speed
GUESS = "Habe ich Sie richtig verstanden"


@contextlib.contextmanager
def chromium() -> Iterator:
    import playwright.sync_api as playwright_api  # in requirements/app.txt: a missing one fails, never skips
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing; `make test` installs it")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or DESKTOP, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # uncaught exceptions in the page, checked by the tests
    return page


def wait_for_widget(page) -> None:
    """The widget is built, styled and open."""
    page.wait_for_selector("#kc-root:not(.kc-loading) #kc-widget:not([hidden])")


def wait_connected(page) -> None:
    page.wait_for_function("() => window.KommunalCampusWidget && window.KommunalCampusWidget.connected()")


def bot_count(page) -> int:
    return page.locator("#kc-messages .kc-msg.kc-bot").count()


def wait_for_bot(page, texts: list[str], before: int) -> str:
    """Wait until a bot message after the first `before` contains one of `texts`; returns the new bot text."""
    page.wait_for_function(
        """([texts, before]) => {
            const bots = [...document.querySelectorAll('#kc-messages .kc-msg.kc-bot')].slice(before);
            return bots.some(b => texts.some(t => b.textContent.includes(t)));
        }""",
        arg=[texts, before],
    )
    return "\n".join(page.locator("#kc-messages .kc-msg.kc-bot").all_inner_texts()[before:])


def _answer(page, act, expect: str) -> str:
    before = bot_count(page)
    act()
    reply = wait_for_bot(page, [expect, GUESS], before)
    if expect not in reply:  # only guessed: confirm with the button, as a learner would
        return click(page, "Ja, stimmt", expect)
    return reply


def send(page, text: str, expect: str) -> str:
    """Type `text` into the input, press Enter, wait for a bot message containing `expect`."""
    def act() -> None:
        page.fill("#kc-input", text)
        page.press("#kc-input", "Enter")
    return _answer(page, act, expect)


def click(page, title: str, expect: str) -> str:
    """Click the active answer button `title`, wait for a bot message containing `expect`."""
    button = page.locator("#kc-messages .kc-msg.kc-bot button.kc-button:not([disabled])", has_text=title).last
    return _answer(page, button.click, expect)


def no_horizontal_overflow(page) -> dict:
    """Widths that must not exceed the viewport (the page) or their own box (the message list)."""
    return page.evaluate("""() => {
        const doc = document.documentElement, list = document.querySelector('#kc-messages');
        const widest = Math.max(0, ...[...document.querySelectorAll('#kc-root *')]
            .filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect().right));
        return {viewport: window.innerWidth, docScroll: doc.scrollWidth, bodyScroll: document.body.scrollWidth,
                listScroll: list.scrollWidth, listClient: list.clientWidth, widest: Math.ceil(widest)};
    }""")


CONTRAST_JS = """() => {
    // WCAG 2.x relative luminance and contrast of every visible text in the widget
    const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
        const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
        return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
    const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    const lum = c => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
    const blend = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
                                   b: top.b * top.a + under.b * (1 - top.a), a: 1});
    const background = el => {
        const layers = [];
        for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
        }
        let bg = {r: 255, g: 255, b: 255, a: 1};  // the page under the widget
        for (const c of layers.reverse()) bg = blend(c, bg);
        return bg;
    };
    const out = [];
    for (const el of document.querySelectorAll('#kc-root *')) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || !el.getClientRects().length) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.opacity === '0') continue;
        const fg = parse(style.color), bg = background(el);
        const l1 = lum(blend(fg, bg)), l2 = lum(bg);
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        const rgb = c => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
        out.push({text: el.textContent.trim().slice(0, 40), cls: el.className, ratio: Math.round(ratio * 100) / 100,
                  color: style.color, background: rgb(bg)});
    }
    return out;
}"""


def contrast_report(page) -> list[dict]:
    """Contrast ratio of every visible element in the widget that holds text of its own."""
    return page.evaluate(CONTRAST_JS)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path
