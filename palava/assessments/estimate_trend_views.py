"""Estimates pages (namespace ``estimates``): an indicator's trend across the rounds of a
series, with 95% intervals (aggregates only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.assessments import estimate_charts as charts
from palava.assessments.estimate_charts import (
    indicator_question,
    indicator_title,
    is_percent,
)
from palava.assessments.estimate_views import (
    Row,
    _membership,
    _mission,
    _row,
    change_view,
)
from palava.assessments.estimates import (
    ALL,
    SMALL_N,
    SUPPRESS_N,
    indicator_lookup,
    is_suppressed,
    rounds_of_series,
    trend_points,
)
from palava.assessments.models import Round
from palava.assessments.stats import Estimate
from palava.missions.permissions import Perm, mission_view


def _round_label(round: Round) -> str:
    """A short label under the chart: the round's number and month (round names share a long
    prefix and were cut to the same text)."""
    return _("Round %(number)s · %(month)s") % {
        "number": round.number,
        "month": date_format(round.starts_on, "M Y"),
    }


@dataclass(frozen=True)
class TrendRow:
    round: Round
    row: Row
    comparable: bool
    first: bool


@never_cache
@mission_view(Perm.ESTIMATE_VIEW)
def trend(request: HttpRequest, mission_slug: str, series: str, code: str) -> HttpResponse:
    """An indicator across the rounds of a series, with 95% intervals; ``?by=sex`` for lines by
    sex."""
    mission = _mission(request)
    membership = _membership(request)
    rounds = rounds_of_series(mission=mission, series=series)
    if not rounds and indicator_lookup(code, None) is None:
        raise Http404(_("No such series."))
    by_sex = request.GET.get("by") == "sex"
    points = trend_points(
        mission=mission,
        series=series,
        code=code,
        by="sex" if by_sex else None,
        membership=membership,
    )
    result = points[-1].result if points else None
    percent = result is None or is_percent(result)
    title = indicator_title(result) if result else code
    rows = [
        TrendRow(
            round=p.round,
            row=_row(p.round.name, ALL, p.estimate, percent, change_view(p.change, percent)),
            comparable=p.comparable,
            first=i == 0,
        )
        for i, p in enumerate(points)
    ]
    chart = None
    if points:

        def shown(e: Estimate | None) -> Estimate | None:
            return None if is_suppressed(e) else e

        lines = [charts.TrendLine(_("Everyone"), "line-0", [shown(p.estimate) for p in points])]
        if by_sex:
            lines += [
                charts.TrendLine(label, css, [shown(p.result.estimates.get(key)) for p in points])
                for key, label, css in (("f", _("Women"), "line-1"), ("m", _("Men"), "line-2"))
            ]
        every = [e for line in lines for e in line.points if e is not None]
        chart = charts.trend_svg(
            lines,
            [_round_label(p.round) for p in points],
            title=title,
            description=_(
                "Points are estimates per round; vertical lines are %(level)s confidence intervals."
            )
            % {"level": "95%"},
            chart_id="trend",
            scale=charts.scale_for(result.indicator if result else None, every),
            percent=percent,
            rtl=get_language_bidi(),
        )
    sex_rows: list[tuple[str, list[Row]]] = []
    if by_sex and points:
        for key, label in (("f", _("Women")), ("m", _("Men"))):
            sex_rows.append(
                (
                    label,
                    [_row(p.round.name, key, p.result.estimates.get(key), percent) for p in points],
                )
            )
    return render(
        request,
        "assessments/estimate_trend.html",
        {
            "mission": mission,
            "series": series,
            "code": code,
            "title": title,
            "question": indicator_question(result) if result else "",
            "rows": rows,
            "trend_rows": [r.row for r in rows],
            "sex_rows": sex_rows,
            "by_sex": by_sex,
            "chart": chart,
            "breaks": any(not r.comparable and not r.first for r in rows),
            "small_n": SMALL_N,
            "suppress_n": SUPPRESS_N,
        },
    )
