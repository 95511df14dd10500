"""Survey estimates of a round: the glue between submissions and ``stats.py``.

For one round, its current submissions (scope-filtered for a member; quality flags
``duplicate`` and ``short`` left out by default, and counted) give one row per respondent. Each
indicator of ``round.indicator_map`` is read from ``Submission.data[path]`` and coded with the
indicator bank: a proportion is 1 for a ``positive`` choice and 0 for any other known choice; a
mean is the choice's ``score`` (or the number itself for an integer question). An ``excluded``
answer (don't know, refused), a missing answer or an unknown choice is NaN, which
``stats.estimate_many`` leaves out of that indicator's denominator (and a place without any
answer to it is not a cluster for it).

Weights: ``design_weight`` times post-stratification to ``PopulationFigure`` totals of the cells
(place, sex, age band) of the round's places, for the sexes and age bands the round's
respondents have (a survey of adults is not stretched to cover children). The reference year is
``round.population_year``, else the latest year with figures for those places. Cells with a
population total but no respondent are reported as warnings. A respondent outside every cell
(unknown sex, age band or place, or a place without figures) keeps their design weight, brought
to the population scale of their place (multiplied by the place's mean post-stratification
factor, or the round's when the place has none), so they are neither ignored nor overweighted.

Clusters are places (``admin_unit``); a respondent without a place is their own cluster. When
an indicator's answers come from a single place, its interval cannot reflect clustering: it is
computed as if respondents were sampled independently, with a warning. Estimates *by place*
are computed the same way (a place is one cluster, so the variance between clusters inside it
cannot be estimated; with clusters its interval would collapse to a point).

Results are cached per round in Django's cache, keyed by the round's ``updated_at``, the latest
``updated_at`` and the count of its submissions, the population figures' stamp and the member's
scope, so any change to those gives a fresh computation (and a short timeout bounds the rest).

The parts: ``estimate_results`` (result types, suppression, change), ``estimate_weights``
(rows, coding, weights, clusters); this module computes, caches and follows series.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palava.assessments import stats
from palava.assessments.estimate_results import (
    ALL,
    BY_CHOICES,
    DEFAULT_EXCLUDE,
    FEW_PLACES,
    NUMERIC_TYPES,
    SMALL_N,
    SUPPRESS_N,
    IndicatorResult,
    RoundEstimates,
    change_between,
    comparable,
    is_suppressed,
)
from palava.assessments.estimate_weights import (
    _clusters,
    _domains,
    _estimate_one,
    _rows,
    _weights,
    code_answer,
    indicator_lookup,
    population_year,
)
from palava.assessments.indicators import Indicator
from palava.assessments.models import Round, Submission
from palava.assessments.stats import Change, Estimate
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit, PopulationFigure
from palava.places.scope import scope_for

__all__ = [
    "ALL",
    "BY_CHOICES",
    "CACHE_SECONDS",
    "CACHE_VERSION",
    "DEFAULT_EXCLUDE",
    "FEW_PLACES",
    "NUMERIC_TYPES",
    "SMALL_N",
    "SUPPRESS_N",
    "IndicatorResult",
    "RoundEstimates",
    "TrendPoint",
    "change_between",
    "code_answer",
    "comparable",
    "indicator_lookup",
    "is_suppressed",
    "population_year",
    "round_estimates",
    "rounds_of_series",
    "series_changes",
    "series_trend",
    "trend_points",
]

CACHE_VERSION = 1
CACHE_SECONDS = 600


def _compute(
    round: Round,
    by: str | None,
    membership: Membership | None,
    exclude_flags: Sequence[str],
    indicators: Mapping[str, Indicator] | None,
) -> RoundEstimates:
    rows, excluded = _rows(round, membership, exclude_flags)
    warnings: list[str] = []
    if excluded:
        warnings.append(
            _("%(n)s submissions were left out for data-quality flags.")
            % {"n": sum(excluded.values())}
        )
    weights = _weights(round, rows, membership)
    warnings.extend(weights.warnings)
    domain_values = _domains(rows, by)
    clusters = _clusters(rows)
    results: dict[str, IndicatorResult] = {}
    mapping = round.indicator_map if isinstance(round.indicator_map, dict) else {}
    for code, spec in mapping.items():
        path = str(spec.get("path", "")) if isinstance(spec, dict) else ""
        raw_version = spec.get("version") if isinstance(spec, dict) else None
        version = (
            int(raw_version)
            if isinstance(raw_version, int | str) and str(raw_version).isdigit()
            else 1
        )
        indicator = (
            indicators.get(code) if indicators is not None else indicator_lookup(code, version)
        )
        if indicator is None or not path:
            results[code] = IndicatorResult(
                code, version, None, {}, None, 0, 0, False, _("not in the indicator bank")
            )
            continue
        values = [d.get(path) for d in rows.data]
        y = np.asarray([code_answer(indicator, v) for v in values], dtype=np.float64)
        excluded_answers = sum(
            1
            for v in values
            if isinstance(v, str) and v.strip() and all(t in indicator.excluded for t in v.split())
        )
        answered = int((~np.isnan(y)).sum())
        if answered < 2:
            results[code] = IndicatorResult(
                code,
                version,
                indicator,
                {},
                None,
                answered,
                excluded_answers,
                False,
                _("fewer than two answers"),
            )
            continue
        try:
            overall, clustered = _estimate_one(y, weights.weights, None, clusters, indicator.kind)
            estimates = overall
            if domain_values is not None:
                # A place is a single cluster: between-cluster variance within it cannot be
                # estimated, so estimates by place treat its respondents as the sampling units.
                estimates, _c = _estimate_one(
                    y,
                    weights.weights,
                    domain_values,
                    [f"r{i}" for i in range(len(clusters))] if by == "place" else clusters,
                    indicator.kind,
                )
        except ValueError:  # the design cannot give a variance (stats explains why)
            results[code] = IndicatorResult(
                code,
                version,
                indicator,
                {},
                None,
                answered,
                excluded_answers,
                False,
                _("the sample's design does not allow an estimate"),
            )
            continue
        results[code] = IndicatorResult(
            code=code,
            version=version,
            indicator=indicator,
            estimates=estimates,
            overall=overall[ALL],
            answered=answered,
            excluded_answers=excluded_answers,
            clustered=clustered,
        )
        if not clustered:
            warnings.append(
                _(
                    "%(code)s: every answer comes from one place, so its interval ignores "
                    "clustering and may be too narrow."
                )
                % {"code": code}
            )
    places = len({u for u in rows.unit if u is not None})
    if 2 <= places < FEW_PLACES and any(r.clustered for r in results.values()):
        warnings.append(
            _(
                "Only %(n)s places: intervals that allow for interviews being grouped by place "
                "are wide and unstable with so few places."
            )
            % {"n": places}
        )
    if domain_values is None:
        keys = [ALL]
    else:
        keys = sorted(set(domain_values), key=lambda k: (k == "", k))
    unit_ids = {u for u in rows.unit if u is not None} | {u for u, _s, _b in weights.missing}
    units = {
        u.pk: u
        for u in AdminUnit.objects.filter(pk__in=unit_ids).only("pk", "pcode", "name", "names")
    }
    place_names = {u.pcode: u.name for u in units.values()}
    missing_cells = [
        (units[u].pcode if u in units else str(u), s, b) for u, s, b in weights.missing
    ]
    if missing_cells:
        warnings.append(
            _(
                "%(n)s population cells (place, sex, age band) have no respondent: their "
                "people are not represented."
            )
            % {"n": len(missing_cells)}
        )
    small = sorted(
        {
            code
            for code, r in results.items()
            for est in r.estimates.values()
            if SUPPRESS_N <= est.n < SMALL_N
        }
    )
    if small:
        warnings.append(
            _(
                "Fewer than %(n)s respondents behind some figures of: %(codes)s. Read them "
                "with care."
            )
            % {"n": SMALL_N, "codes": ", ".join(_indicator_name(results[c]) for c in small)}
        )
    return RoundEstimates(
        round_id=round.pk,
        by=by,
        respondents=len(rows.data),
        excluded=excluded,
        population_year=weights.year,
        post_stratified=weights.post_stratified,
        results=results,
        domain_keys=keys,
        place_names=place_names,
        missing_cells=missing_cells,
        warnings=warnings,
    )


def _indicator_name(result: IndicatorResult) -> str:
    """The indicator's title in the active language (its code when it is not in the bank)."""
    language = (get_language() or "en").split("-")[0]
    return result.indicator.title(language) if result.indicator is not None else result.code


def _cache_key(
    round: Round, by: str | None, membership: Membership | None, exclude_flags: Sequence[str]
) -> str:
    subs = Submission.objects.filter(round=round).aggregate(last=Max("updated_at"), n=Count("id"))
    pop = PopulationFigure.objects.filter(mission_id=round.mission_id).aggregate(
        last=Max("updated_at"), n=Count("id")
    )
    scope = "all"
    if membership is not None:
        paths = scope_for(membership).paths
        scope = "all" if paths is None else "|".join(paths)
    raw = "/".join(
        str(part)
        for part in (
            CACHE_VERSION,
            get_language() or "",  # warnings are translated text
            round.pk,
            round.updated_at.isoformat() if round.updated_at else "",
            by or "",
            ",".join(sorted(exclude_flags)),
            scope,
            subs["last"].isoformat() if subs["last"] else "",
            subs["n"],
            pop["last"].isoformat() if pop["last"] else "",
            pop["n"],
        )
    )
    return "palava:estimates:" + hashlib.sha256(raw.encode()).hexdigest()


def round_estimates(
    *,
    round: Round,
    by: str | None = None,
    membership: Membership | None = None,
    exclude_flags: Sequence[str] = DEFAULT_EXCLUDE,
    indicators: Mapping[str, Indicator] | None = None,
) -> RoundEstimates:
    """Every indicator of ``round``, overall and by ``by`` (``None``, sex, age_band, place,
    group), for the submissions ``membership`` may see (all when None).

    ``indicators`` (code -> Indicator) replaces the bank lookup (tests, custom indicators);
    results computed with it are not cached.
    """
    if by is not None and by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES} or None, not {by!r}.")
    if indicators is not None:
        return _compute(round, by, membership, exclude_flags, indicators)
    key = _cache_key(round, by, membership, exclude_flags)
    found = cache.get(key)
    if isinstance(found, RoundEstimates):
        return found
    result = _compute(round, by, membership, exclude_flags, None)
    cache.set(key, result, CACHE_SECONDS)
    return result


def rounds_of_series(*, mission: Mission, series: str) -> list[Round]:
    return list(
        Round.objects.filter(mission=mission, series=series)
        .select_related("form")
        .order_by("number")
    )


@dataclass(frozen=True)
class TrendPoint:
    round: Round
    result: IndicatorResult
    estimate: Estimate | None  # the overall estimate
    change: Change | None  # from the previous point (None for the first or a break)
    comparable: bool  # comparable with the previous point


def trend_points(
    *,
    mission: Mission,
    series: str,
    code: str,
    by: str | None = None,
    membership: Membership | None = None,
) -> list[TrendPoint]:
    """The rounds of ``series`` that measured ``code``, oldest first, with change vs the
    previous one."""
    points: list[TrendPoint] = []
    previous: IndicatorResult | None = None
    for rnd in rounds_of_series(mission=mission, series=series):
        if code not in (rnd.indicator_map or {}):
            continue
        result = round_estimates(round=rnd, by=by, membership=membership).results.get(code)
        if result is None:
            continue
        ok = previous is not None and comparable(previous, result)
        points.append(
            TrendPoint(
                round=rnd,
                result=result,
                estimate=result.overall,
                change=change_between(previous, result) if ok else None,
                comparable=ok,
            )
        )
        previous = result
    return points


def series_trend(
    *, mission: Mission, series: str, code: str, membership: Membership | None = None
) -> list[tuple[Round, Estimate]]:
    """The contract's shape: ``(round, overall estimate)`` for each round that has one."""
    return [
        (p.round, p.estimate)
        for p in trend_points(mission=mission, series=series, code=code, membership=membership)
        if p.estimate is not None
    ]


def series_changes(trend: Sequence[tuple[Round, Estimate]]) -> list[Change]:
    """Change between consecutive points of a trend (``len(trend) - 1`` items)."""
    return [stats.difference(a, b) for (_r1, a), (_r2, b) in itertools.pairwise(trend)]
