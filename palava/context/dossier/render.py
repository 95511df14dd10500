"""A dossier as one self-contained HTML file and as a PDF.

:func:`render_html` gives a single HTML5 file: CSS inline, the map as inline SVG, no script and no
reference to anything outside the file (a Content-Security-Policy meta tag forbids fetching
anyway; links written in Markdown stay clickable text). It opens offline in any browser and
prints on A4. Language and direction come from the content: an Arabic dossier is right-to-left,
the CSS uses logical properties so one stylesheet serves both.

:func:`render_pdf` lays that file out with WeasyPrint, whose URL fetcher accepts only ``data:``
URLs: nothing is fetched from the network or the file system. Page numbers ("Page N of M", in the
dossier's language) come from CSS ``@page`` counters and the classification line repeats at the top
of every page.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from palava.context.dossier.content import (
    Block,
    BulletList,
    DossierContent,
    EventList,
    KeyValueTable,
    MapBlock,
    Paragraph,
    Section,
    Table,
    UpcomingEvent,
)
from palava.context.dossier.svgmap import MapSvg, map_svg
from palava.core.markdown import render_markdown

__all__ = ["render_html", "render_pdf"]

TEMPLATE = "context/dossier/dossier.html"
_PLACEHOLDER = re.compile(r"(%\(page\)s|%\(pages\)s)")
_LONG_RUN = re.compile(r"\S{%d,}" % 30)  # noqa: UP031 (a regex quantifier, not formatting)
_ZWSP = "\u200b"


@dataclass(frozen=True, slots=True)
class _EventView:
    iso: str
    when: str
    title: str
    place: str
    note: str


@dataclass(frozen=True, slots=True)
class _BlockView:
    block: Block
    html: SafeString | None = None
    map: MapSvg | None = None
    events: tuple[_EventView, ...] = ()
    stops: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _SectionView:
    heading: str
    blocks: tuple[_BlockView, ...]


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the ``<style>`` element."""
    out: list[str] = []
    for char in text:
        if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def page_counter_css() -> SafeString:
    """The CSS ``content`` value of "Page N of M" in the active language."""
    pieces: list[str] = []
    for piece in _PLACEHOLDER.split(_("Page %(page)s of %(pages)s")):
        if piece == "%(page)s":
            pieces.append("counter(page)")
        elif piece == "%(pages)s":
            pieces.append("counter(pages)")
        elif piece:
            pieces.append(css_string(piece))
    return mark_safe(" ".join(pieces) or '""')  # noqa: S308 (built from css_string and counters)


def soft_breaks(text: str) -> str:
    """``text`` with a zero-width space every 20 characters of any run of 30 or more without a
    space: a pasted hash, URL or hostile blob still wraps in a narrow table cell, and WeasyPrint
    does not have to try every character as a break point (seconds for a few thousand)."""

    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        return _ZWSP.join(run[i : i + 20] for i in range(0, len(run), 20))

    return _LONG_RUN.sub(split, text)


def _day(value: date) -> str:
    return date_format(value, str(get_format("DATE_FORMAT")))


def _event(event: UpcomingEvent) -> _EventView:
    if event.is_span and event.end is not None:
        when = _("%(start)s to %(end)s") % {"start": _day(event.start), "end": _day(event.end)}
        iso = f"{event.start.isoformat()}/{event.end.isoformat()}"
    else:
        when, iso = _day(event.start), event.start.isoformat()
    return _EventView(
        iso=iso,
        when=when,
        title=soft_breaks(event.title),
        place=soft_breaks(event.place),
        note=soft_breaks(event.note),
    )


def _block(block: Block, *, title: str) -> _BlockView:
    if isinstance(block, Paragraph):
        return _BlockView(block, html=render_markdown(block.markdown))
    if isinstance(block, MapBlock):
        drawn = map_svg(block.map, title=block.caption or title)
        stops = tuple((number, soft_breaks(label)) for number, label in drawn.stops)
        return _BlockView(block, map=drawn, stops=stops)
    if isinstance(block, EventList):
        events = sorted(block.events, key=lambda e: (e.start, e.end or e.start))
        return _BlockView(block, events=tuple(_event(e) for e in events))
    if isinstance(block, KeyValueTable):
        rows = [(soft_breaks(k), soft_breaks(v)) for k, v in block.rows]
        return _BlockView(KeyValueTable(rows, caption=soft_breaks(block.caption)))
    if isinstance(block, Table):
        return _BlockView(
            Table(
                [soft_breaks(h) for h in block.headers],
                [[soft_breaks(c) for c in row] for row in block.rows],
                caption=soft_breaks(block.caption),
            )
        )
    return _BlockView(BulletList([soft_breaks(i) for i in block.items]))


def _sections(sections: Sequence[Section], *, title: str) -> list[_SectionView]:
    return [
        _SectionView(soft_breaks(s.heading), tuple(_block(b, title=title) for b in s.blocks))
        for s in sections
    ]


def render_html(content: DossierContent) -> bytes:
    """The dossier as one UTF-8 HTML5 document, in ``content.language``."""
    direction = content.text_direction
    with translation.override(content.language):
        generated = content.generated_at
        if timezone.is_naive(generated):
            generated = timezone.make_aware(generated, UTC)
        generated = generated.astimezone(UTC)
        generated_text = _("%(date)s, %(time)s UTC") % {
            "date": _day(generated.date()),
            "time": generated.strftime("%H:%M"),
        }
        context: dict[str, Any] = {
            "content": content,
            "lang": content.language,
            "dir": direction,
            "classification": content.classification or _("Internal: not for distribution"),
            "generated_iso": generated.isoformat(timespec="minutes"),
            "generated_text": generated_text,
            "sections": _sections(content.sections, title=content.title),
            "page_counter_css": page_counter_css(),
        }
        html = render_to_string(TEMPLATE, context)
    return html.lstrip().encode("utf-8")


def render_pdf(html: bytes) -> bytes:
    """``html`` (from :func:`render_html`) laid out as an A4 PDF. Only ``data:`` URLs are
    resolved; any other reference (``http:``, ``file:``, relative) is refused and left out."""
    # WeasyPrint ships no type information: imported as a module object, its API is ``Any``.
    weasyprint = importlib.import_module("weasyprint")
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
    document = weasyprint.HTML(
        string=html.decode("utf-8"), base_url=None, url_fetcher=fetcher, media_type="print"
    )
    return bytes(document.write_pdf())
