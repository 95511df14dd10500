"""Charts of the needs register, drawn on the server as SVG like :mod:`palava.core.svg`
(classes only, colours in ``static/css/metrics.css``; ``role="img"`` with a title and a
description; the pages also give every figure in a table)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi

WIDTH = 640.0
MARGIN = 8.0


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _frame(
    parts: list[SafeString],
    *,
    width: float,
    height: float,
    title: str,
    description: str,
    chart_id: str,
    kind: str,
) -> SafeString:
    body = mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-metrics chart-{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" direction="ltr">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        kind,
        _fmt(width),
        _fmt(height),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


def bars_svg(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    description: str,
    chart_id: str,
    compact: bool = False,
    rtl: bool | None = None,
) -> SafeString:
    """One horizontal bar per need, as long relative to the largest share (no 0-100 % track:
    twelve shares add up to 100 %, a full track would read as 100 %), the percentage after it.
    Right to left (labels on the right, bars growing leftwards) when ``rtl``, by default when
    the active language is written right to left."""
    if rtl is None:
        rtl = get_language_bidi()

    def x(pos: float, w: float = 0.0) -> str:
        return _fmt(width - pos - w if rtl else pos)

    label_anchor, value_anchor = ("start", "end") if rtl else ("end", "start")
    width = 320.0 if compact else WIDTH
    label_width = 110.0 if compact else 170.0
    value_room = 44.0
    row = 16.0 if compact else 22.0
    gap = 4.0 if compact else 6.0
    chars = 15 if compact else 24
    room = width - label_width - value_room - MARGIN
    largest = max([share for _label, share in bars] or [0.0]) or 1.0
    parts: list[SafeString] = []
    for index, (label, share) in enumerate(bars):
        y = MARGIN + index * (row + gap)
        text_y = _fmt(y + row * 0.72)
        bar_w = room * share / largest
        percent = f"{round(share * 100)} %"
        parts.append(
            format_html(
                '<g class="chart-row">'
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}<title>{}</title>'
                "</text>"
                '<rect class="bar bar-share" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {}</title></rect>"
                '<text class="chart-value" x="{}" y="{}" text-anchor="{}">{}</text>'
                "</g>",
                x(label_width - 6),
                text_y,
                label_anchor,
                _short(label, chars),
                label,
                x(label_width, bar_w),
                _fmt(y),
                _fmt(bar_w),
                _fmt(row),
                label,
                percent,
                x(label_width + bar_w + 6),
                text_y,
                value_anchor,
                percent,
            )
        )
    height = 2 * MARGIN + len(bars) * (row + gap)
    return _frame(
        parts,
        width=width,
        height=height,
        title=title,
        description=description,
        chart_id=chart_id,
        kind="needs" + ("-compact" if compact else ""),
    )


def history_svg(
    periods: Sequence[str],
    rows: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    description: str,
    chart_id: str,
    rtl: bool | None = None,
) -> SafeString:
    """Small multiples: one row per need, one column per period (oldest on the left; on the
    right, with the labels, when ``rtl``, by default in a right-to-left language), each a bar as
    tall as the need's share in that period; an empty slot where it was not ranked."""
    if rtl is None:
        rtl = get_language_bidi()

    def mx(pos: float, w: float = 0.0) -> str:
        return _fmt(WIDTH - pos - w if rtl else pos)

    label_anchor, value_anchor = ("start", "end") if rtl else ("end", "start")
    label_width = 170.0
    row_h = 34.0
    gap = 8.0
    bottom = 20.0
    columns = max(len(periods), 1)
    slot = (WIDTH - label_width - MARGIN) / columns
    bar_w = min(slot * 0.6, 48.0)
    largest = max([v or 0.0 for _label, values in rows for v in values] or [0.0]) or 1.0
    parts: list[SafeString] = []
    for index, (label, values) in enumerate(rows):
        y = MARGIN + index * (row_h + gap)
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}<title>{}</title>'
                "</text>"
                '<rect class="bar-track" x="{}" y="{}" width="{}" height="1"></rect>',
                mx(label_width - 6),
                _fmt(y + row_h * 0.65),
                label_anchor,
                _short(label, 24),
                label,
                mx(label_width, WIDTH - label_width - MARGIN),
                _fmt(y + row_h),
                _fmt(WIDTH - label_width - MARGIN),
            )
        )
        for column, value in enumerate(values):
            if value is None:
                continue
            h = max(row_h * value / largest, 1.0)
            x = label_width + column * slot + (slot - bar_w) / 2
            percent = f"{round(value * 100)} %"
            parts.append(
                format_html(
                    '<rect class="bar bar-median" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} · {}: {}</title></rect>"
                    '<text class="chart-value" x="{}" y="{}" text-anchor="{}">{}</text>',
                    mx(x, bar_w),
                    _fmt(y + row_h - h),
                    _fmt(bar_w),
                    _fmt(h),
                    label,
                    periods[column] if column < len(periods) else "",
                    percent,
                    mx(x + bar_w + 2),
                    _fmt(y + row_h - 2),
                    value_anchor,
                    percent,
                )
            )
    base = MARGIN + len(rows) * (row_h + gap)
    for column, period in enumerate(periods):
        parts.append(
            format_html(
                '<text class="chart-legend" x="{}" y="{}" text-anchor="middle">{}</text>',
                mx(label_width + column * slot + slot / 2),
                _fmt(base + 12),
                period,
            )
        )
    return _frame(
        parts,
        width=WIDTH,
        height=base + bottom,
        title=title,
        description=description,
        chart_id=chart_id,
        kind="needs-history",
    )
