"""Server-side SVG charts of the metrics page (no JavaScript; classes only, colours in
``static/css/metrics.css``), and the human form of a duration.

Each chart is ``role="img"`` with a title and a description; the page also shows every figure
in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640.0
LABEL_WIDTH = 170.0
VALUE_ROOM = 130.0
ROW = 22.0
GAP = 6.0
TOP = 26.0
MARGIN = 8.0
LABEL_CHARS = 24


def duration_label(seconds: float | None) -> str:
    """``45 s``, ``12 min``, ``2 h 05``, ``3 d 4 h``; an em dash when there is nothing."""
    if seconds is None:
        return "—"
    total = round(seconds)
    if total < 60:
        return _("%(n)s s") % {"n": total}
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)s h %(m)02d") % {"h": hours, "m": rest}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours}


def percent_label(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)} %"


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class DurationBar:
    label: str
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class ShareBar:
    label: str
    share: float | None
    count: int  # the denominator (finished cases)


def _frame(
    parts: list[SafeString], *, rows: int, title: str, description: str, chart_id: str, kind: str
) -> SafeString:
    height = TOP + rows * (ROW + GAP) + MARGIN
    body = mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-metrics chart-{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" direction="ltr">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        kind,
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


def _legend(items: Sequence[tuple[str, str]]) -> SafeString:
    parts = []
    x = LABEL_WIDTH
    for css, text in items:
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="6" width="12" height="12"></rect>'
                '<text class="chart-legend" x="{}" y="16">{}</text>',
                css,
                _fmt(x),
                _fmt(x + 16),
                text,
            )
        )
        x += 24 + 8 * len(text)
    return mark_safe("".join(parts))  # noqa: S308 - format_html above


def durations_svg(
    bars: Sequence[DurationBar], *, title: str, description: str, chart_id: str
) -> SafeString:
    """One row per group: a bar to the median and a lighter bar on to the 90th percentile."""
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM - MARGIN
    largest = max([b.p90 or b.median or 0 for b in bars] or [0]) or 1.0
    parts = [_legend((("bar-median", _("median")), ("bar-p90", _("90th percentile"))))]
    for index, bar in enumerate(bars):
        y = TOP + index * (ROW + GAP)
        text_y = _fmt(y + ROW * 0.7)
        median_w = room * (bar.median or 0) / largest
        p90_w = room * (bar.p90 or 0) / largest
        values = (
            _("%(median)s · p90 %(p90)s")
            % {"median": duration_label(bar.median), "p90": duration_label(bar.p90)}
            if bar.median is not None
            else _("not measured")
        )
        parts.append(
            format_html(
                '<g class="chart-row">'
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}<title>{}</title>'
                "</text>"
                '<rect class="bar bar-p90" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<rect class="bar bar-median" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {}</title></rect>"
                '<text class="chart-value" x="{}" y="{}">{}</text>'
                "</g>",
                _fmt(LABEL_WIDTH - 6),
                text_y,
                _short(bar.label),
                bar.label,
                _fmt(LABEL_WIDTH),
                _fmt(y),
                _fmt(p90_w),
                _fmt(ROW),
                _fmt(LABEL_WIDTH),
                _fmt(y),
                _fmt(median_w),
                _fmt(ROW),
                bar.label,
                values,
                _fmt(LABEL_WIDTH + max(p90_w, median_w) + 6),
                text_y,
                values,
            )
        )
    return _frame(
        parts,
        rows=len(bars),
        title=title,
        description=description,
        chart_id=chart_id,
        kind="durations",
    )


def shares_svg(
    bars: Sequence[ShareBar], *, title: str, description: str, chart_id: str
) -> SafeString:
    """One row per group: the share (0-100 %) on a full-width track."""
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM - MARGIN
    parts = [_legend((("bar-share", _("reporter informed")),))]
    for index, bar in enumerate(bars):
        y = TOP + index * (ROW + GAP)
        text_y = _fmt(y + ROW * 0.7)
        width = room * (bar.share or 0)
        values = (
            _("%(share)s of %(n)s") % {"share": percent_label(bar.share), "n": bar.count}
            if bar.share is not None
            else _("none finished")
        )
        parts.append(
            format_html(
                '<g class="chart-row">'
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}<title>{}</title>'
                "</text>"
                '<rect class="bar-track" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<rect class="bar bar-share" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {}</title></rect>"
                '<text class="chart-value" x="{}" y="{}">{}</text>'
                "</g>",
                _fmt(LABEL_WIDTH - 6),
                text_y,
                _short(bar.label),
                bar.label,
                _fmt(LABEL_WIDTH),
                _fmt(y),
                _fmt(room),
                _fmt(ROW),
                _fmt(LABEL_WIDTH),
                _fmt(y),
                _fmt(width),
                _fmt(ROW),
                bar.label,
                values,
                _fmt(LABEL_WIDTH + room + 6),
                text_y,
                values,
            )
        )
    return _frame(
        parts, rows=len(bars), title=title, description=description, chart_id=chart_id, kind="share"
    )
