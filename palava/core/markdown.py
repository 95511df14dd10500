"""Safe Markdown for staff-written text (minutes, agendas, context entries).

CommonMark through markdown-it-py with raw HTML switched **off** (``<script>`` and any other tag
is shown as text), link targets checked by markdown-it's ``validateLink`` (no ``javascript:``,
``vbscript:``, ``file:`` or non-image ``data:`` URLs), tables and strikethrough on. Links open
with ``rel="nofollow noopener noreferrer"``; images are not rendered (they would fetch from
elsewhere, which the CSP forbids anyway) but shown as their alt text and link. Input is capped at
``MAX_MARKDOWN_CHARS``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_MARKDOWN_CHARS = 100_000


def _link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


def _image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = escape(self.renderInlineAsText(token.children or [], options, env))
    return f'<a href="{escape(src)}" rel="nofollow noopener noreferrer">{alt or escape(src)}</a>'


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


_md = _build()


def render_markdown(text: str | None) -> SafeString:
    """HTML for ``text`` (raw HTML escaped, unsafe links dropped), safe to put in a page."""
    if not text:
        return mark_safe("")
    html = str(_md.render(text[:MAX_MARKDOWN_CHARS]))
    return mark_safe(html)  # noqa: S308 (markdown-it escapes all raw HTML: html=False)
