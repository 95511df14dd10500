"""The interviews-per-day chart of a round's dashboard: a small server-rendered SVG (no
script), with a title and a description for screen readers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

SPARK_WIDTH = 960.0
SPARK_HEIGHT = 110.0
SPARK_TOP = 14.0
SPARK_BOTTOM = 18.0


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def daily_svg(daily: Sequence[tuple[dt.date, int]], *, title: str, description: str) -> SafeString:
    """A small column chart of interviews per day (classes only; colours in metrics.css)."""
    count = len(daily) or 1
    step = SPARK_WIDTH / count
    bar = max(1.0, step * 0.8)
    room = SPARK_HEIGHT - SPARK_TOP - SPARK_BOTTOM
    largest = max([n for _day, n in daily] or [0]) or 1
    parts: list[SafeString] = [
        format_html(
            '<rect class="bar-track" x="0" y="{}" width="{}" height="1"></rect>',
            _fmt(SPARK_TOP + room),
            _fmt(SPARK_WIDTH),
        )
    ]
    for index, (day, n) in enumerate(daily):
        height = room * n / largest
        parts.append(
            format_html(
                '<rect class="bar bar-share" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {}</title></rect>",
                _fmt(index * step + (step - bar) / 2),
                _fmt(SPARK_TOP + room - height),
                _fmt(bar),
                _fmt(height),
                date_format(day, "j M Y"),
                number_format(n, force_grouping=True),
            )
        )
    if daily:
        parts.append(
            format_html(
                '<text class="chart-legend" x="0" y="{}" text-anchor="start">{}</text>'
                '<text class="chart-legend" x="{}" y="{}" text-anchor="end">{}</text>'
                '<text class="chart-legend" x="0" y="10" text-anchor="start">{}</text>',
                _fmt(SPARK_HEIGHT - 4),
                date_format(daily[0][0], "j M"),
                _fmt(SPARK_WIDTH),
                _fmt(SPARK_HEIGHT - 4),
                date_format(daily[-1][0], "j M"),
                _("max %(n)s per day") % {"n": number_format(largest, force_grouping=True)},
            )
        )
    body = mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-metrics chart-daily" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="daily-title daily-desc" direction="ltr">'
        '<title id="daily-title">{}</title><desc id="daily-desc">{}</desc>{}</svg>',
        _fmt(SPARK_WIDTH),
        _fmt(SPARK_HEIGHT),
        title,
        description,
        body,
    )
