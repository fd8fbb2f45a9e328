"""Course texts as providers publish them (HTML, Markdown, entities) → plain text a learner can read.

Feeds carry HTML fragments (MOOChub), Markdown or a mix (the KI-Campus
records), with entities such as ``&amp;`` and ``&nbsp;``. Cleaning keeps
everything a reader needs (paragraphs, list items, link targets) and drops
markup only. Markdown is cleaned conservatively, by its unambiguous marks
(headings, list bullets, bold, links, images, rules): a full Markdown renderer
would read German gender stars ("Expert*innen und Anwender*innen") as
emphasis and eat them.
"""

from __future__ import annotations

import re

from campus.store.formats import html_to_text, tidy

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]*[*+•][ \t]+", re.MULTILINE)
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_CODE = re.compile(r"`([^`\n]+)`")


def clean_text(value: str) -> str:
    """Plain text from HTML and/or Markdown: markup removed, paragraphs, list items and link targets kept."""
    return tidy(markdown_to_text(html_to_text(value)))


def markdown_to_text(value: str) -> str:
    """``value`` without its Markdown marks (a text without any is returned unchanged)."""
    value = _RULE.sub("", value)
    value = _HEADING.sub(r"\1", value)
    value = _BULLET.sub("- ", value)
    value = _IMAGE.sub(r"\1", value)
    value = _LINK.sub(_link, value)
    value = _STRONG.sub(r"\2", value)
    value = _CODE.sub(r"\1", value)
    return _ESCAPED.sub(r"\1", value)


def _link(match: re.Match[str]) -> str:
    label, target = match.group(1).strip(), match.group(2)
    return target if label in ("", target) else f"{label} ({target})"
