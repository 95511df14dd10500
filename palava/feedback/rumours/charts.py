"""The rumour's spread as a server-side SVG: one bar per day (every day from first to last
seen, empty days included), drawn like :mod:`palava.core.svg` (classes only, ``role="img"``
with a title and a description; the page also gives the figures as a table)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext


def _fmt(value: float) -> str:
    """An SVG coordinate: at most two decimals, never a locale's decimal comma."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def spread_svg(
    days: Sequence[tuple[date, int]],
    *,
    title: str,
    description: str,
    chart_id: str = "spread",
    height: float = 160.0,
) -> SafeString:
    """Messages per day as bars; the first, middle and last days are labelled under the axis,
    the highest count on the side."""
    width = 640.0
    left = 28.0
    bottom = 22.0
    top = 8.0
    plot_w = width - left - 4
    plot_h = height - top - bottom
    largest = max([n for _d, n in days] or [0]) or 1
    slot = plot_w / max(len(days), 1)
    bar_w = max(slot * 0.8, 1.0)
    parts: list[SafeString] = [
        format_html(
            '<line class="spread-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
            '<text x="{}" y="{}" text-anchor="end">{}</text>'
            '<text x="{}" y="{}" text-anchor="end">0</text>',
            _fmt(left),
            _fmt(top + plot_h),
            _fmt(width - 4),
            _fmt(top + plot_h),
            _fmt(left - 4),
            _fmt(top + 10),
            largest,
            _fmt(left - 4),
            _fmt(top + plot_h),
        )
    ]
    labelled = {0, len(days) - 1, (len(days) - 1) // 2} if days else set()
    for index, (day, count) in enumerate(days):
        x = left + index * slot + (slot - bar_w) / 2
        bar_h = plot_h * count / largest
        label = date_format(day, "SHORT_DATE_FORMAT")
        if count:
            parts.append(
                format_html(
                    '<rect class="spread-bar" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {}</title></rect>",
                    _fmt(x),
                    _fmt(top + plot_h - bar_h),
                    _fmt(bar_w),
                    _fmt(bar_h),
                    label,
                    ngettext("%(n)d message", "%(n)d messages", count) % {"n": count},
                )
            )
        if index in labelled:
            anchor = "start" if index == 0 else ("end" if index == len(days) - 1 else "middle")
            text_x = (
                left
                + index * slot
                + (0 if anchor == "start" else slot if anchor == "end" else slot / 2)
            )
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}">{}</text>',
                    _fmt(text_x),
                    _fmt(height - 6),
                    anchor,
                    date_format(day, "j M"),
                )
            )
    body = mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-spread" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" direction="ltr">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
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
