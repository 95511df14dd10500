"""Server-side SVG of the inclusion page: per place, the participant share, the population
share and the target (no JavaScript; classes only, colours in ``engagement-inclusion.css``).

The chart is drawn right to left when the page is (``rtl=True``): labels on the right, bars
growing leftwards. Every chart is ``role="img"`` with a title and a description; the page gives
the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640.0
LABEL_WIDTH = 170.0
VALUE_ROOM = 120.0
BAR = 10.0
ROW = 2 * BAR + 2
GAP = 10.0
TOP = 28.0
MARGIN = 8.0
LABEL_CHARS = 24


@dataclass(frozen=True)
class ShareRow:
    label: str
    participants: float | None  # percent
    population: float | None  # percent
    target: int  # percent


def pct_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


class _Axis:
    """x positions measured from the start side (left in LTR, right in RTL)."""

    def __init__(self, rtl: bool) -> None:
        self.rtl = rtl

    def x(self, offset: float) -> str:
        return _fmt(WIDTH - offset if self.rtl else offset)

    def rect_x(self, offset: float, width: float) -> str:
        return _fmt(WIDTH - offset - width if self.rtl else offset)

    def anchor(self, towards_start: bool) -> str:
        return "end" if towards_start != self.rtl else "start"


def shares_svg(
    rows: Sequence[ShareRow],
    *,
    title: str,
    description: str,
    chart_id: str,
    rtl: bool = False,
    with_population: bool = True,
) -> SafeString:
    axis = _Axis(rtl)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM - MARGIN
    legend = [("bar-participants", _("participants"))]
    if with_population:
        legend.append(("bar-population", _("population")))
    legend.append(("bar-target", _("target")))
    parts: list[SafeString] = []
    offset = LABEL_WIDTH
    for css, text in legend:
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="6" width="12" height="12"></rect>'
                '<text class="chart-legend" x="{}" y="16" text-anchor="{}">{}</text>',
                css,
                axis.rect_x(offset, 12),
                axis.x(offset + 16),
                axis.anchor(False),
                text,
            )
        )
        offset += 28 + 8 * len(text)
    for index, row in enumerate(rows):
        y = TOP + index * (ROW + GAP)
        mine = room * (row.participants or 0) / 100
        theirs = room * (row.population or 0) / 100
        target = LABEL_WIDTH + room * min(row.target, 100) / 100
        population = (
            format_html(
                '<rect class="bar bar-population" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {} {}</title></rect>",
                axis.rect_x(LABEL_WIDTH, theirs),
                _fmt(y + BAR + 2),
                _fmt(theirs),
                _fmt(BAR),
                row.label,
                _("population"),
                pct_text(row.population),
            )
            if with_population
            else mark_safe("")
        )
        parts.append(
            format_html(
                '<g class="chart-row">'
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}<title>{}</title>'
                "</text>"
                '<rect class="bar-track" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<rect class="bar bar-participants" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {} {}</title></rect>{}"
                '<line class="bar-target" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
                '<text class="chart-value" x="{}" y="{}" text-anchor="{}">{}</text>'
                "</g>",
                axis.x(LABEL_WIDTH - 6),
                _fmt(y + ROW * 0.7),
                axis.anchor(True),
                _short(row.label),
                row.label,
                axis.rect_x(LABEL_WIDTH, room),
                _fmt(y),
                _fmt(room),
                _fmt(ROW),
                axis.rect_x(LABEL_WIDTH, mine),
                _fmt(y),
                _fmt(mine),
                _fmt(BAR),
                row.label,
                _("participants"),
                pct_text(row.participants),
                population,
                axis.x(target),
                _fmt(y - 2),
                axis.x(target),
                _fmt(y + ROW + 2),
                axis.x(LABEL_WIDTH + room + 6),
                _fmt(y + ROW * 0.7),
                axis.anchor(False),
                pct_text(row.participants),
            )
        )
    height = TOP + len(rows) * (ROW + GAP) + MARGIN
    body = mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-inclusion" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" direction="ltr">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        _fmt(WIDTH),
        _fmt(height),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )
