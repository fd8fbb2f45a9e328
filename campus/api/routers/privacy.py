"""The German privacy page for learners (linked from the chat widget): consent, what HR sees, erasure."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from campus.store.texts import text, texts

router = APIRouter(tags=["widget"])
_BOLD = re.compile(r"\*\*(.+?)\*\*")

_STYLE = """
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       line-height: 1.6; color: #1a1f29; background: #ffffff; }
header { padding: 24px; background: #1d3f72; color: #ffffff; }
header h1 { margin: 0; font-size: 1.6rem; line-height: 1.25; overflow-wrap: break-word; hyphens: auto; }
main { max-width: 720px; padding: 8px 24px 48px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; color: #1d3f72; }
li { margin-bottom: 8px; }
a { color: #1d3f72; }
a:focus-visible { outline: 3px solid #1d3f72; outline-offset: 2px; }
@media (max-width: 480px) {
  header { padding: 18px 16px; } header h1 { font-size: 1.3rem; } main { padding: 4px 16px 32px; }
}
"""


def _inline(raw: str, values: dict[str, Any]) -> str:
    """Escape a data-file text, fill its placeholders, then turn **…** into <strong>."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(raw.format(**values)))


def _page() -> str:
    data = texts("privacy")
    values = {"min_group_size": data["min_group_size"]}
    parts = [
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(data['title'])}</title>\n<style>{_STYLE}</style>\n</head>\n<body>",
        f"<header><h1>{html.escape(data['title'])}</h1></header>\n<main>",
        f"<p>{_inline(data['intro'], values)}</p>",
    ]
    for section in data["sections"]:
        section_id = html.escape(section["id"], quote=True)
        parts.append(f'<section id="{section_id}" aria-labelledby="{section_id}-h">')
        parts.append(f'<h2 id="{section_id}-h">{html.escape(section["heading"])}</h2>')
        parts.extend(f"<p>{_inline(p, values)}</p>" for p in section.get("paragraphs", []))
        if section.get("items"):
            parts.append("<ul>" + "".join(f"<li>{_inline(i, values)}</li>" for i in section["items"]) + "</ul>")
        parts.append("</section>")
    parts.append("</main>\n</body>\n</html>\n")
    return "\n".join(parts)


@router.get("/datenschutz", response_class=HTMLResponse, summary=text("api.summaries.privacy_page"))
def privacy_page() -> HTMLResponse:
    return HTMLResponse(_page())
