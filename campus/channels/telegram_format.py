"""Rasa's texts as Telegram messages: safe HTML, split at Telegram's length limit.

Rasa responses use a little Markdown (``**fett**``). Telegram's own Markdown
modes reject unescaped special characters that ordinary German text is full
of, so we send HTML: everything escaped, ``**…**`` turned into ``<b>…</b>``.

A Telegram message holds at most 4096 characters after entity parsing, counted
in UTF-16 code units. Longer texts are split where a reader expects a break:
at a paragraph, else a line, else a sentence, else a word; bold spans that
cross a cut are closed and reopened, so every chunk is valid HTML on its own.
Buttons belong under the last chunk.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from campus.store.texts import texts

TELEGRAM_LIMIT = 4096  # characters of message text after entity parsing (UTF-16 code units)

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'“”»«)\]]*\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Styled:
    """Plain text plus the character ranges that are bold."""

    text: str
    bold: tuple[tuple[int, int], ...] = ()


def parse_markdown(text: str) -> Styled:
    """``**bold**`` becomes a bold range; unmatched asterisks stay as they are."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    length = 0
    for match in _BOLD.finditer(text):
        before = text[position:match.start()]
        plain.append(before)
        length += len(before)
        inner = match.group(1)
        spans.append((length, length + len(inner)))
        plain.append(inner)
        length += len(inner)
        position = match.end()
    plain.append(text[position:])
    return Styled("".join(plain), tuple(spans))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, start: int, limit: int) -> int:
    """The largest end index such that text[start:end] has at most `limit` UTF-16 code units."""
    end = min(len(text), start + limit)  # a code point is at least one unit
    while utf16_len(text[start:end]) > limit:
        end -= max(1, (utf16_len(text[start:end]) - limit) // 2)
    return end


def _cut(window: str) -> int:
    """Where to end a chunk inside `window` (relative index): the most natural break that keeps it fairly full."""
    half = len(window) // 2
    for separator in ("\n\n", "\n"):
        found = window.rfind(separator)
        if found >= half:
            return found
    for pattern, least in ((_SENTENCE_END, half), (_SPACE, 1)):
        ends = [m.end() for m in pattern.finditer(window) if m.end() < len(window)]
        if ends and ends[-1] >= least:
            return ends[-1]
    return len(window)  # one endless word: cut hard


def split_ranges(text: str, limit: int = TELEGRAM_LIMIT) -> list[tuple[int, int]]:
    """(start, end) ranges of `text` that each fit `limit`, cut at natural breaks, whitespace trimmed."""
    ranges: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text):
            break
        end = _fitting_prefix(text, start, limit)
        if end < len(text):
            end = start + _cut(text[start:end])
        trimmed = end
        while trimmed > start and text[trimmed - 1].isspace():
            trimmed -= 1
        if trimmed > start:
            ranges.append((start, trimmed))
        start = end
    return ranges


def to_html(styled: Styled, start: int = 0, end: int | None = None) -> str:
    """HTML for text[start:end]: escaped, with <b> around the bold parts that fall inside."""
    end = len(styled.text) if end is None else end
    out: list[str] = []
    position = start
    for span_start, span_end in styled.bold:
        lo, hi = max(span_start, start), min(span_end, end)
        if lo >= hi:
            continue
        out.append(html.escape(styled.text[position:lo], quote=False))
        out.append(f"<b>{html.escape(styled.text[lo:hi], quote=False)}</b>")
        position = hi
    out.append(html.escape(styled.text[position:end], quote=False))
    return "".join(out)


def render_chunks(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Rasa's text as one or more Telegram HTML messages, each within Telegram's limit."""
    styled = parse_markdown(text or "")
    return [to_html(styled, start, end) for start, end in split_ranges(styled.text, limit)]


def bridge_texts() -> dict[str, Any]:
    """What the bridge says by itself (``data/texts/telegram.yml``)."""
    return texts("telegram")
