"""The privacy notice (docs/privacy.md), public at /privacy, and its link in bot texts.

The assistant's texts (bot/domain/core.yml, faq.yml) name the notice as PRIVACY_LINK_MARK:
a deployment-specific address cannot live in the Rasa domain, so the gateway puts
PUBLIC_BASE_URL + "/privacy" in its place before a reply reaches any channel.

The page is the Markdown file turned into plain HTML by the few rules the notice uses
(headings, lists, tables, bold, quotes); no third-party renderer, no script.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

NOTICE = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"
PATH = "/privacy"
PRIVACY_LINK_MARK = "%PRIVACY_URL%"

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])_(.+?)_(?!\w)")
# No inline style: the gateway's Content-Security-Policy allows only its own files.
_PAGE = """<!doctype html>
<html lang="it"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Informativa privacy - Sportello virtuale dei Centri per l'Impiego</title>
<link rel="stylesheet" href="/static/privacy.css"></head>
<body><main>
{body}
</main></body></html>
"""


def with_link(text: str, public_base_url: str) -> str:
    return text.replace(PRIVACY_LINK_MARK, public_base_url.rstrip("/") + PATH)


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def _row(line: str, cell: str) -> str:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    return "<tr>" + "".join(f"<{cell}>{_inline(c)}</{cell}>" for c in cells) + "</tr>"


def render(markdown: str) -> str:
    """The notice's Markdown as HTML (only the constructs docs/privacy.md uses)."""
    out: list[str] = []
    paragraph: list[str] = []
    block = ""  # "", "ul", "table", "blockquote"

    def close() -> None:
        nonlocal block
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if block:
            out.append(f"</{block}>")
            block = ""

    def open_block(name: str) -> None:
        nonlocal block
        if block != name:
            close()
            out.append(f"<{name}>")
            block = name

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if heading := re.match(r"^(#{1,3}) (.*)$", line):
            close()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.startswith("- "):
            if paragraph or block != "ul":
                close()
                open_block("ul")
            out.append(f"<li>{_inline(line[2:])}</li>")
        elif line.startswith("  ") and block == "ul" and out[-1].endswith("</li>"):
            out[-1] = out[-1][: -len("</li>")] + " " + _inline(line.strip()) + "</li>"
        elif line.startswith("|"):
            if re.fullmatch(r"\|[-| ]+\|", line):
                continue
            first = block != "table"
            open_block("table")
            out.append(_row(line, "th" if first else "td"))
        elif line.startswith(">"):
            open_block("blockquote")
            paragraph.append(line.lstrip("> "))
        elif not line.strip():
            close()
        else:
            if block in ("ul", "table"):
                close()
            paragraph.append(line.strip())
    close()
    return "\n".join(out)


@lru_cache
def page() -> str:
    return _PAGE.format(body=render(NOTICE.read_text(encoding="utf-8")))


def build_router() -> APIRouter:
    router = APIRouter(tags=["privacy"])

    @router.get(PATH, response_class=HTMLResponse, summary="Informativa privacy")
    async def privacy_notice() -> HTMLResponse:
        return HTMLResponse(page())

    return router
