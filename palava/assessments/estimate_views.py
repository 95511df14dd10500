"""Estimates pages (namespace ``estimates``): the overview of every series, a round's estimates
by sex, age band, place or group; an indicator's trend across rounds is in
``estimate_trend_views``, a map by place and the export with HXL hashtags in
``estimate_map_views``.

Every role may read them (``Perm.ESTIMATE_VIEW``): they show aggregates only, never a
submission. A domain with fewer than ``SUPPRESS_N`` respondents is not shown ("too few
respondents to show"); one with fewer than ``SMALL_N`` is flagged.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.assessments import estimate_charts as charts
from palava.assessments.estimate_charts import (
    domain_label,
    indicator_question,
    indicator_title,
    is_percent,
)
from palava.assessments.estimates import (
    ALL,
    BY_CHOICES,
    SMALL_N,
    SUPPRESS_N,
    IndicatorResult,
    RoundEstimates,
    change_between,
    is_suppressed,
    round_estimates,
)
from palava.assessments.models import Round, Submission, SubmissionStatus
from palava.assessments.stats import Change, Estimate
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, mission_view

BY_LABELS = {
    "sex": gettext_lazy("Sex"),
    "age_band": gettext_lazy("Age band"),
    "place": gettext_lazy("Place"),
    "group": gettext_lazy("Group"),
}


def _mission(request: HttpRequest) -> Mission:
    return request.mission  # type: ignore[attr-defined, no-any-return]


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _round_or_404(request: HttpRequest, round_id: uuid.UUID) -> Round:
    found = (
        Round.objects.filter(mission=_mission(request), public_id=round_id)
        .select_related("form")
        .first()
    )
    if found is None:
        raise Http404(_("No such round."))
    return found


def _by(request: HttpRequest) -> str | None:
    value = request.GET.get("by", "")
    return value if value in BY_CHOICES else None


@dataclass(frozen=True)
class ChangeView:
    arrow: str
    text: str
    significant: bool
    css: str
    p_value: float


def change_view(change: Change | None, percent: bool) -> ChangeView | None:
    if change is None or not math.isfinite(change.value):
        return None
    # The arrow follows the figure as shown: a change that rounds to 0 is "=", never "▲ +0".
    shown = round(change.value * 100) if percent else round(change.value, 2)
    if not shown:
        amount = _("0 points") if percent else "0.00"
    elif percent:
        amount = _("%(v)+.0f points") % {"v": shown}
    else:
        amount = f"{shown:+.2f}"
    arrow = "▲" if shown > 0 else "▼" if shown < 0 else "="
    wording = _("significant") if change.significant else _("not significant")
    return ChangeView(
        arrow=arrow,
        text=f"{amount}, {wording}",
        significant=change.significant,
        css=("change-up" if shown > 0 else "change-down") if change.significant and shown else "",
        p_value=change.p_value,
    )


@dataclass(frozen=True)
class Row:
    """One line of a figures table (a domain of an indicator)."""

    label: str
    key: str
    suppressed: bool
    small_n: bool
    value: str
    interval: str
    n: int | None
    weighted_n: str
    deff: str
    change: ChangeView | None = None


def _row(
    label: str, key: str, est: Estimate | None, percent: bool, change: ChangeView | None = None
) -> Row:
    if est is None or is_suppressed(est):
        return Row(label, key, True, True, "", "", None, "", "", change)
    return Row(
        label=label,
        key=key,
        suppressed=False,
        small_n=est.small_n,
        value=charts.value_text(est.value, percent),
        interval=charts.interval_text(est.ci_low, est.ci_high, percent),
        n=est.n,
        weighted_n=f"{est.weighted_n:,.0f}",
        deff=f"{est.deff:.2f}" if est.deff is not None else "—",
        change=change,
    )


def _bar(label: str, est: Estimate | None) -> charts.Bar:
    if est is None or is_suppressed(est):
        return charts.Bar(label, None, None, None, 0, True, _("too few respondents to show"))
    return charts.Bar(label, est.value, est.ci_low, est.ci_high, est.n, est.small_n)


# --- overview --------------------------------------------------------------------------------


@dataclass
class SeriesView:
    series: str
    round: Round
    previous: Round | None
    estimates: RoundEstimates
    rows: list[tuple[IndicatorResult, Row]]
    charts: list[Any]
    rounds: int


def _latest_rounds(mission: Mission) -> dict[str, list[Round]]:
    """Rounds per series (oldest first), only those with current submissions."""
    with_data = set(
        Submission.objects.filter(
            mission=mission, status=SubmissionStatus.CURRENT, round__isnull=False
        )
        .values_list("round_id", flat=True)
        .distinct()
    )
    out: dict[str, list[Round]] = {}
    for rnd in Round.objects.filter(mission=mission).order_by("series", "number"):
        if rnd.pk in with_data:
            out.setdefault(rnd.series, []).append(rnd)
    return out


def _kind_charts(results: Sequence[IndicatorResult], *, chart_prefix: str, title: str) -> list[Any]:
    """One chart for the proportions, one per scale of the means."""
    groups: dict[tuple[bool, float, float], list[IndicatorResult]] = {}
    for result in results:
        est = [result.overall] if result.overall is not None else []
        lo, hi = charts.scale_for(result.indicator, est)
        groups.setdefault((is_percent(result), lo, hi), []).append(result)
    out = []
    for index, ((percent, lo, hi), members) in enumerate(groups.items()):
        bars = [_bar(indicator_title(r), r.overall) for r in members]
        out.append(
            charts.bars_svg(
                bars,
                title=title,
                description=_(
                    "Each bar is an estimate; the line across it is its %(level)s confidence "
                    "interval."
                )
                % {"level": "95%"},
                chart_id=f"{chart_prefix}-{index}",
                scale=(lo, hi),
                percent=percent,
                rtl=get_language_bidi(),
            )
        )
    return out


@never_cache
@mission_view(Perm.ESTIMATE_VIEW)
def overview(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Per series, the latest round's indicators with intervals and change since the last."""
    membership = _membership(request)
    series_views: list[SeriesView] = []
    for series, rounds in _latest_rounds(_mission(request)).items():
        latest = rounds[-1]
        previous = rounds[-2] if len(rounds) > 1 else None
        current = round_estimates(round=latest, membership=membership)
        before = round_estimates(round=previous, membership=membership) if previous else None
        rows: list[tuple[IndicatorResult, Row]] = []
        measured: list[IndicatorResult] = []
        for code, result in current.results.items():
            if result.overall is None:
                continue
            prev = before.results.get(code) if before else None
            change = change_view(change_between(prev, result), is_percent(result))
            rows.append(
                (
                    result,
                    _row(indicator_title(result), ALL, result.overall, is_percent(result), change),
                )
            )
            measured.append(result)
        series_views.append(
            SeriesView(
                series=series,
                round=latest,
                previous=previous,
                estimates=current,
                rows=rows,
                charts=_kind_charts(
                    measured,
                    chart_prefix=f"series-{len(series_views)}",
                    title=_("%(round)s: indicators with %(level)s confidence intervals")
                    % {"round": latest.name, "level": "95%"},
                ),
                rounds=len(rounds),
            )
        )
    return render(
        request,
        "assessments/estimate_overview.html",
        {
            "mission": _mission(request),
            "series_views": series_views,
            "small_n": SMALL_N,
            "suppress_n": SUPPRESS_N,
        },
    )


# --- one round -------------------------------------------------------------------------------


@dataclass
class IndicatorView:
    result: IndicatorResult
    title: str
    question: str
    chart: Any
    rows: list[Row]


@never_cache
@mission_view(Perm.ESTIMATE_VIEW)
def round_detail(request: HttpRequest, mission_slug: str, round_id: uuid.UUID) -> HttpResponse:
    """Every indicator of a round, overall and by the chosen breakdown (``?by=``)."""
    rnd = _round_or_404(request, round_id)
    by = _by(request)
    membership = _membership(request)
    est = round_estimates(round=rnd, by=by, membership=membership)
    previous = (
        Round.objects.filter(mission=rnd.mission, series=rnd.series, number__lt=rnd.number)
        .order_by("-number")
        .first()
    )
    before = round_estimates(round=previous, by=by, membership=membership) if previous else None
    views: list[IndicatorView] = []
    for index, (code, result) in enumerate(est.results.items()):
        percent = is_percent(result)
        prev = before.results.get(code) if before else None
        rows = [
            _row(
                _("Everyone"),
                ALL,
                result.overall,
                percent,
                change_view(change_between(prev, result), percent),
            )
        ]
        bars = [_bar(_("Everyone"), result.overall)]
        if by is not None and result.overall is not None:
            for key in est.domain_keys:
                label = domain_label(by, key, est.place_names)
                domain_est = result.estimates.get(key)
                change = change_view(change_between(prev, result, key), percent)
                rows.append(_row(label, key, domain_est, percent, change))
                bars.append(_bar(label, domain_est))
        chart = None
        if result.overall is not None:
            lo, hi = charts.scale_for(result.indicator, list(result.estimates.values()))
            chart = charts.bars_svg(
                bars,
                title=indicator_title(result),
                description=indicator_question(result),
                chart_id=f"ind-{index}",
                scale=(lo, hi),
                percent=percent,
                rtl=get_language_bidi(),
            )
        views.append(
            IndicatorView(
                result=result,
                title=indicator_title(result),
                question=indicator_question(result),
                chart=chart,
                rows=rows,
            )
        )
    return render(
        request,
        "assessments/estimate_round.html",
        {
            "mission": _mission(request),
            "round": rnd,
            "previous": previous,
            "estimates": est,
            "indicators": views,
            "by": by or "",
            "by_choices": [("", _("None"))] + [(k, str(v)) for k, v in BY_LABELS.items()],
            "by_label": BY_LABELS.get(by or "", ""),
            "small_n": SMALL_N,
            "suppress_n": SUPPRESS_N,
        },
    )
