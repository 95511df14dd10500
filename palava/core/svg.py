"""Small charts drawn on the server as SVG: no JavaScript, no chart library, strict-CSP safe.

The markup uses classes only (no ``style`` attributes); colours live in ``static/css/maps.css``.
Every chart is ``role="img"`` with a title and a description, and pages also give the figures
as a table for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class PyramidBar:
    """One age band: ``left`` and ``right`` are the two sides (male, female)."""

    label: str
    left: int
    right: int


def _fmt(value: float) -> str:
    """An SVG coordinate: at most two decimals, never a locale's decimal comma."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def pyramid_svg(
    bars: Sequence[PyramidBar],
    *,
    title: str,
    description: str,
    left_label: str,
    right_label: str,
    chart_id: str = "pyramid",
) -> SafeString:
    """A population pyramid: one row per band (youngest at the bottom), left and right bars
    scaled to the largest value, counts written at the end of each bar."""
    width = 640.0
    label_width = 64.0
    margin = 8.0
    value_room = 70.0  # room for the count written past the end of a bar
    row = 20.0
    gap = 4.0
    top = 28.0  # legend
    half = (width - label_width) / 2
    scale_room = half - margin - value_room
    largest = max([max(b.left, b.right) for b in bars] or [0]) or 1
    centre_left = half
    centre_right = half + label_width
    height = top + len(bars) * (row + gap) + margin

    parts: list[SafeString] = []
    parts.append(
        format_html(
            '<text class="chart-legend" x="{}" y="16" text-anchor="end">{}</text>'
            '<text class="chart-legend" x="{}" y="16" text-anchor="start">{}</text>',
            _fmt(centre_left - 4),
            left_label,
            _fmt(centre_right + 4),
            right_label,
        )
    )
    # Oldest band on top: the input is youngest first.
    for index, bar in enumerate(reversed(list(bars))):
        y = top + index * (row + gap)
        left_w = scale_room * bar.left / largest
        right_w = scale_room * bar.right / largest
        text_y = _fmt(y + row * 0.72)
        parts.append(
            format_html(
                '<g class="chart-row">'
                '<rect class="bar bar-left" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {} {}</title></rect>"
                '<text class="chart-value" x="{}" y="{}" text-anchor="end">{}</text>'
                '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>'
                '<rect class="bar bar-right" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {} {}</title></rect>"
                '<text class="chart-value" x="{}" y="{}" text-anchor="start">{}</text>'
                "</g>",
                _fmt(centre_left - left_w),
                _fmt(y),
                _fmt(left_w),
                _fmt(row),
                bar.label,
                left_label,
                number_format(bar.left, force_grouping=True),
                _fmt(centre_left - left_w - 4),
                text_y,
                number_format(bar.left, force_grouping=True),
                _fmt(half + label_width / 2),
                text_y,
                bar.label,
                _fmt(centre_right),
                _fmt(y),
                _fmt(right_w),
                _fmt(row),
                bar.label,
                right_label,
                number_format(bar.right, force_grouping=True),
                _fmt(centre_right + right_w + 4),
                text_y,
                number_format(bar.right, force_grouping=True),
            )
        )
    body = mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-pyramid" viewBox="0 0 {} {}" role="img" '
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
