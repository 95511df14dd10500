"""Server-side SVG charts of the estimates pages: bars with 95% confidence whiskers and trends
with confidence bars. No JavaScript, no ``style`` attributes (colours in
``static/css/estimates.css``); every chart is ``role="img"`` with a title and a description and
each page gives the same figures as a table.

Right-to-left pages get a mirrored chart: labels on the right, bars growing leftwards and time
running from right to left.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palava.assessments.estimates import ALL, IndicatorResult
from palava.assessments.indicators import Indicator
from palava.assessments.stats import Estimate

WIDTH = 640.0
LABEL_WIDTH = 190.0
VALUE_ROOM = 150.0
ROW = 22.0
GAP = 8.0
TOP = 8.0
MARGIN = 8.0
LABEL_CHARS = 28
DASH = "\u2013"  # an en dash between the ends of an interval


def _fmt(value: float) -> str:
    """An SVG coordinate: at most two decimals, never a locale's decimal comma."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def value_text(value: float | None, percent: bool) -> str:
    """``62 %`` for a proportion, ``3.41`` for a mean, an em dash when there is nothing."""
    if value is None or not math.isfinite(value):
        return "—"
    if percent:
        return f"{round(value * 100)} %"
    return f"{value:.2f}"


def interval_text(low: float | None, high: float | None, percent: bool) -> str:
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    if percent:
        return f"{round(low * 100)}{DASH}{round(high * 100)} %"
    return f"{low:.2f}{DASH}{high:.2f}"


def scale_for(indicator: Indicator | None, estimates: Sequence[Estimate]) -> tuple[float, float]:
    """The axis of an indicator: 0-1 for a proportion, the scores' range for a mean."""
    if indicator is None or indicator.kind == "proportion":
        return 0.0, 1.0
    scores = [c.score for c in indicator.choices if c.score is not None]
    if scores:
        return min(0.0, min(scores)), max(scores)
    highs = [e.ci_high for e in estimates if math.isfinite(e.ci_high)]
    return 0.0, max([*highs, 1.0])


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed or no estimate
    low: float | None
    high: float | None
    n: int
    small_n: bool
    note: str = ""  # written instead of the value (e.g. "too few respondents to show")


class _Axis:
    """Maps values to x and mirrors for right-to-left pages."""

    def __init__(self, lo: float, hi: float, left: float, right: float, rtl: bool) -> None:
        self.lo, self.hi, self.left, self.right, self.rtl = lo, hi, left, right, rtl

    def x(self, value: float) -> float:
        span = (self.hi - self.lo) or 1.0
        share = min(1.0, max(0.0, (value - self.lo) / span))
        pos = self.left + share * (self.right - self.left)
        return WIDTH - pos if self.rtl else pos

    def at(self, pos: float) -> float:
        """A plain x position (not a value) mirrored when right-to-left."""
        return WIDTH - pos if self.rtl else pos


def _frame(
    body: list[SafeString], *, height: float, title: str, description: str, chart_id: str, kind: str
) -> SafeString:
    inner = mark_safe("".join(body))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-estimates chart-{}" viewBox="0 0 {} {}" role="img" '
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
        inner,
    )


def bars_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    chart_id: str,
    scale: tuple[float, float] = (0.0, 1.0),
    percent: bool = True,
    rtl: bool = False,
) -> SafeString:
    """One row per bar: the estimate as a bar on a full-width track, its 95% interval as a
    whisker, the value and n written after it. Small samples are drawn lighter and dashed;
    suppressed rows show their note only."""
    axis = _Axis(scale[0], scale[1], LABEL_WIDTH, WIDTH - VALUE_ROOM, rtl)
    start, end = ("end", "start") if not rtl else ("start", "end")
    parts: list[SafeString] = []
    for index, bar in enumerate(bars):
        y = TOP + index * (ROW + GAP)
        mid = y + ROW / 2
        text_y = _fmt(y + ROW * 0.7)
        label_x = _fmt(axis.at(LABEL_WIDTH - 6))
        track_a, track_b = axis.x(scale[0]), axis.x(scale[1])
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}<title>{}</title>'
                "</text>"
                '<rect class="bar-track" x="{}" y="{}" width="{}" height="{}"></rect>',
                label_x,
                text_y,
                start,
                _short(bar.label),
                bar.label,
                _fmt(min(track_a, track_b)),
                _fmt(y),
                _fmt(abs(track_b - track_a)),
                _fmt(ROW),
            )
        )
        if bar.value is None:
            parts.append(
                format_html(
                    '<text class="chart-note" x="{}" y="{}" text-anchor="{}">{}</text>',
                    _fmt(axis.at(LABEL_WIDTH + 6)),
                    text_y,
                    end,
                    bar.note or "—",
                )
            )
            continue
        zero = axis.x(scale[0])
        tip = axis.x(bar.value)
        css = "bar bar-estimate" + (" bar-small" if bar.small_n else "")
        value = value_text(bar.value, percent)
        interval = interval_text(bar.low, bar.high, percent)
        tooltip = _("%(label)s: %(value)s (95%% CI %(ci)s), n = %(n)s") % {
            "label": bar.label,
            "value": value,
            "ci": interval,
            "n": bar.n,
        }
        parts.append(
            format_html(
                '<g class="chart-row"><rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}</title></rect>",
                css,
                _fmt(min(zero, tip)),
                _fmt(y + 3),
                _fmt(abs(tip - zero)),
                _fmt(ROW - 6),
                tooltip,
            )
        )
        if bar.low is not None and bar.high is not None and math.isfinite(bar.low):
            lo, hi = axis.x(bar.low), axis.x(bar.high)
            parts.append(
                format_html(
                    '<line class="ci" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                    '<line class="ci" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                    '<line class="ci" x1="{}" x2="{}" y1="{}" y2="{}"></line>',
                    _fmt(lo),
                    _fmt(hi),
                    _fmt(mid),
                    _fmt(mid),
                    _fmt(lo),
                    _fmt(lo),
                    _fmt(y + 2),
                    _fmt(y + ROW - 2),
                    _fmt(hi),
                    _fmt(hi),
                    _fmt(y + 2),
                    _fmt(y + ROW - 2),
                )
            )
        text = _("%(value)s · n %(n)s") % {"value": value, "n": bar.n}
        if bar.small_n:
            text += " *"
        parts.append(
            format_html(
                '<text class="chart-value" x="{}" y="{}" text-anchor="{}">{}</text></g>',
                _fmt(axis.at(WIDTH - VALUE_ROOM + 6)),
                text_y,
                end,
                text,
            )
        )
    height = TOP + len(bars) * (ROW + GAP) + MARGIN
    return _frame(
        parts,
        height=height,
        title=title,
        description=description,
        chart_id=chart_id,
        kind="bars",
    )


@dataclass(frozen=True)
class TrendLine:
    label: str
    css: str  # "line-0", "line-1", ... (colours in CSS)
    points: Sequence[Estimate | None]  # one per round (None: not measured or suppressed)


T_LEFT = 48.0
T_RIGHT = 24.0
T_TOP = 28.0
T_HEIGHT = 240.0
T_BOTTOM = 40.0


def trend_svg(
    lines: Sequence[TrendLine],
    rounds: Sequence[str],
    *,
    title: str,
    description: str,
    chart_id: str,
    scale: tuple[float, float] = (0.0, 1.0),
    percent: bool = True,
    rtl: bool = False,
) -> SafeString:
    """Rounds along the x axis; each line's points with their 95% interval as a vertical bar;
    points of a small sample are hollow. Consecutive points are joined."""
    count = max(len(rounds), 1)
    plot_left, plot_right = T_LEFT, WIDTH - T_RIGHT
    step = (plot_right - plot_left) / count
    span = (scale[1] - scale[0]) or 1.0

    def xpos(i: int, line: int) -> float:
        offset = (line - (len(lines) - 1) / 2) * 8
        pos = plot_left + step * (i + 0.5) + offset
        return WIDTH - pos if rtl else pos

    def ypos(value: float) -> float:
        share = min(1.0, max(0.0, (value - scale[0]) / span))
        return T_TOP + T_HEIGHT * (1 - share)

    parts: list[SafeString] = []
    for tick in range(5):
        v = scale[0] + span * tick / 4
        y = ypos(v)
        x_text = WIDTH - plot_left + 6 if rtl else plot_left - 6
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
                _fmt(plot_left if not rtl else WIDTH - plot_right),
                _fmt(plot_right if not rtl else WIDTH - plot_left),
                _fmt(y),
                _fmt(y),
                _fmt(x_text),
                _fmt(y + 4),
                "start" if rtl else "end",
                value_text(v, percent),
            )
        )
    for i, name in enumerate(rounds):
        parts.append(
            format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}<title>{}</title>'
                "</text>",
                _fmt(xpos(i, (len(lines) - 1) // 2) if lines else plot_left),
                _fmt(T_TOP + T_HEIGHT + 18),
                _short(name),
                name,
            )
        )
    legend_x = plot_left
    for li, line in enumerate(lines):
        pts = [(i, e) for i, e in enumerate(line.points) if e is not None]
        path = " ".join(
            f"{'M' if k == 0 else 'L'}{_fmt(xpos(i, li))} {_fmt(ypos(e.value))}"
            for k, (i, e) in enumerate(pts)
        )
        if len(pts) > 1:
            parts.append(format_html('<path class="trend {}" d="{}"></path>', line.css, path))
        for i, e in pts:
            x = xpos(i, li)
            tooltip = _("%(line)s, %(round)s: %(value)s (95%% CI %(ci)s), n = %(n)s") % {
                "line": line.label,
                "round": rounds[i] if i < len(rounds) else "",
                "value": value_text(e.value, percent),
                "ci": interval_text(e.ci_low, e.ci_high, percent),
                "n": e.n,
            }
            parts.append(
                format_html(
                    '<g class="trend-point {}">'
                    '<line class="ci" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                    '<circle class="{}" cx="{}" cy="{}" r="5"><title>{}</title></circle></g>',
                    line.css,
                    _fmt(x),
                    _fmt(x),
                    _fmt(ypos(e.ci_low) if math.isfinite(e.ci_low) else ypos(e.value)),
                    _fmt(ypos(e.ci_high) if math.isfinite(e.ci_high) else ypos(e.value)),
                    "point point-small" if e.small_n else "point",
                    _fmt(x),
                    _fmt(ypos(e.value)),
                    tooltip,
                )
            )
        if len(lines) > 1:
            lx = WIDTH - legend_x - 12 if rtl else legend_x
            parts.append(
                format_html(
                    '<rect class="legend {}" x="{}" y="8" width="12" height="12"></rect>'
                    '<text class="chart-legend" x="{}" y="18" text-anchor="{}">{}</text>',
                    line.css,
                    _fmt(lx),
                    _fmt(WIDTH - legend_x - 16 if rtl else legend_x + 16),
                    "end" if rtl else "start",
                    line.label,
                )
            )
            legend_x += 36 + 9 * len(line.label)
    return _frame(
        parts,
        height=T_TOP + T_HEIGHT + T_BOTTOM,
        title=title,
        description=description,
        chart_id=chart_id,
        kind="trend",
    )


# --- labels ----------------------------------------------------------------------------------


def _lang() -> str:
    return (get_language() or "en")[:2]


def indicator_title(result: IndicatorResult) -> str:
    return result.indicator.title(_lang()) if result.indicator is not None else result.code


def indicator_question(result: IndicatorResult) -> str:
    return result.indicator.label(_lang()) if result.indicator is not None else ""


def domain_label(by: str | None, key: str, place_names: dict[str, str]) -> str:
    if key == ALL or by is None:
        return _("Everyone")
    if key == "":
        return _("No place recorded") if by == "place" else _("Not recorded")
    if by == "sex":
        return {"f": _("Women"), "m": _("Men")}.get(key, key)
    if by == "place":
        return place_names.get(key, key)
    if by == "group":
        from palava.assessments.indicators.bank import GROUP_LABELS

        labels = GROUP_LABELS.get(key)
        if labels:
            return labels.get(_lang()) or labels.get("en") or key
    return key


def is_percent(result: IndicatorResult) -> bool:
    return result.indicator is None or result.indicator.kind == "proportion"
