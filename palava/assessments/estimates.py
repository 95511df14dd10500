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
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palava.assessments import stats
from palava.assessments.indicators import Indicator
from palava.assessments.models import Round, RoundQuota, Submission, SubmissionStatus
from palava.assessments.stats import Change, Estimate
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit, PopulationFigure
from palava.places.scope import scope_for

BY_CHOICES: tuple[str, ...] = ("sex", "age_band", "place", "group")
DEFAULT_EXCLUDE: tuple[str, ...] = ("duplicate", "short")
SUPPRESS_N = 5  # a domain with fewer respondents is never shown
SMALL_N = stats.SMALL_N  # flagged: read with care
ALL = "all"  # the domain key of the whole sample
CACHE_VERSION = 1
CACHE_SECONDS = 600
NUMERIC_TYPES = ("integer", "decimal", "range")
FEW_PLACES = 5  # fewer clusters than this: intervals are wide and unstable


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator of a round: its estimates by domain key (``ALL`` when not disaggregated)."""

    code: str
    version: int
    indicator: Indicator | None
    estimates: dict[str, Estimate]
    overall: Estimate | None
    answered: int  # respondents with a usable answer
    excluded_answers: int  # don't know / refused
    clustered: bool  # False when the interval ignores clustering (a single place)
    problem: str = ""  # why there is no estimate (empty when there is one)


@dataclass(frozen=True)
class RoundEstimates:
    round_id: int
    by: str | None
    respondents: int  # rows used
    excluded: dict[str, int]  # quality flag -> submissions left out
    population_year: int | None
    post_stratified: bool
    results: dict[str, IndicatorResult]  # code -> result, in the round's indicator order
    domain_keys: list[str]  # ordered domain keys of ``by`` (``[ALL]`` when None)
    place_names: dict[str, str]  # P-code -> name (for ``by="place"`` and the map)
    missing_cells: list[tuple[str, str, str]]  # (P-code, sex, age band) without respondents
    warnings: list[str] = field(default_factory=list)

    @property
    def estimates(self) -> dict[str, dict[str, Estimate]]:
        """The contract's shape: per indicator code a ``{domain key: Estimate}``."""
        return {code: r.estimates for code, r in self.results.items()}

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def is_suppressed(estimate: Estimate | None) -> bool:
    """Too few respondents to show (or no estimate at all)."""
    return estimate is None or estimate.n < SUPPRESS_N or not math.isfinite(estimate.value)


# --------------------------------------------------------------------------- coding answers


def indicator_lookup(code: str, version: int | None) -> Indicator | None:
    from palava.assessments.indicators import bank

    return bank.indicator_get(code, version)


def code_answer(indicator: Indicator, raw: Any) -> float:
    """The numeric value of one answer (NaN: missing, excluded or not understood)."""
    if raw is None or isinstance(raw, list | dict):
        return math.nan
    text = str(raw).strip()
    if not text:
        return math.nan
    tokens = text.split()
    if all(t in indicator.excluded for t in tokens):
        return math.nan
    if indicator.question_type in NUMERIC_TYPES:
        try:
            number = float(text)
        except ValueError:
            return math.nan
        if not math.isfinite(number):
            return math.nan
        if indicator.kind == "proportion":
            return 1.0 if text in indicator.positive else 0.0
        return number
    names = {c.name for c in indicator.choices}
    if indicator.question_type.startswith("select_multiple"):
        known = [t for t in tokens if t in names and t not in indicator.excluded]
        if not known:
            return math.nan
        if indicator.kind == "proportion":
            return 1.0 if any(t in indicator.positive for t in known) else 0.0
        return math.nan
    if len(tokens) != 1 or (names and text not in names):
        return math.nan
    if indicator.kind == "proportion":
        return 1.0 if text in indicator.positive else 0.0
    score = next((c.score for c in indicator.choices if c.name == text), None)
    return math.nan if score is None else float(score)


# --------------------------------------------------------------------------- rows


@dataclass
class _Rows:
    data: list[dict[str, Any]]
    unit: list[int | None]
    pcode: list[str]
    sex: list[str]
    age_band: list[str]
    group: list[str]
    weight: list[float]


def _submissions(round: Round, membership: Membership | None) -> QuerySet[Submission]:
    qs = Submission.objects.filter(
        mission_id=round.mission_id, round=round, status=SubmissionStatus.CURRENT
    )
    if membership is not None:
        qs = qs.filter(scope_for(membership).q("admin_unit"))
    return qs


def _rows(
    round: Round, membership: Membership | None, exclude_flags: Sequence[str]
) -> tuple[_Rows, dict[str, int]]:
    rows = _Rows([], [], [], [], [], [], [])
    excluded: dict[str, int] = {}
    fields = (
        "data",
        "admin_unit_id",
        "admin_unit__pcode",
        "respondent_sex",
        "respondent_age_band",
        "respondent_group",
        "design_weight",
        "quality_flags",
    )
    for data, unit, pcode, sex, band, group, weight, flags in (
        _submissions(round, membership).order_by("pk").values_list(*fields).iterator()
    ):
        hit = [f for f in exclude_flags if isinstance(flags, list) and f in flags]
        if hit:
            excluded[hit[0]] = excluded.get(hit[0], 0) + 1
            continue
        w = float(weight) if weight is not None else 1.0
        rows.data.append(data if isinstance(data, dict) else {})
        rows.unit.append(unit)
        rows.pcode.append(pcode or "")
        rows.sex.append(sex or "")
        rows.age_band.append(band or "")
        rows.group.append(group or "")
        rows.weight.append(w if math.isfinite(w) and w >= 0 else 0.0)
    return rows, excluded


# --------------------------------------------------------------------------- weights


def _cell(unit: int | None, sex: str, band: str) -> str:
    return f"{unit}|{sex}|{band}"


@dataclass(frozen=True)
class _Weights:
    weights: np.ndarray[Any, np.dtype[np.float64]]
    year: int | None
    post_stratified: bool
    missing: list[tuple[int, str, str]]
    warnings: list[str]


def population_year(round: Round, unit_ids: Iterable[int]) -> int | None:
    if round.population_year:
        return round.population_year
    latest = PopulationFigure.objects.filter(
        mission_id=round.mission_id, admin_unit_id__in=list(unit_ids)
    ).aggregate(year=Max("year"))["year"]
    return int(latest) if latest is not None else None


def _weights(round: Round, rows: _Rows, membership: Membership | None) -> _Weights:
    design = np.asarray(rows.weight, dtype=np.float64)
    warnings: list[str] = []
    quota_units = RoundQuota.objects.filter(round=round)
    if membership is not None:
        quota_units = quota_units.filter(scope_for(membership).q("admin_unit"))
    units = {u for u in rows.unit if u is not None} | set(
        quota_units.values_list("admin_unit_id", flat=True)
    )
    sexes = {s for s in rows.sex if s}
    bands = {b for b in rows.age_band if b}
    if not units:
        return _Weights(design, None, False, [], warnings)
    year = population_year(round, units)
    if year is None:
        warnings.append(
            _("No population figures for the round's places: estimates use design weights only.")
        )
        return _Weights(design, None, False, [], warnings)
    totals: dict[Hashable, float] = {}
    for unit, sex, band, count in PopulationFigure.objects.filter(
        mission_id=round.mission_id,
        admin_unit_id__in=units,
        year=year,
        sex__in=sexes,
        age_band__in=bands,
    ).values_list("admin_unit_id", "sex", "age_band", "count"):
        totals[_cell(unit, sex, band)] = float(count)
    if not totals:
        warnings.append(
            _(
                "No population figures of %(year)s match the respondents' places, sexes and age "
                "bands: estimates use design weights only."
            )
            % {"year": year}
        )
        return _Weights(design, year, False, [], warnings)
    cells = np.asarray(
        [_cell(u, s, b) for u, s, b in zip(rows.unit, rows.sex, rows.age_band, strict=True)],
        dtype=object,
    )
    adjusted, missing_cells = stats.post_stratify(design, cells, totals)
    in_cell = np.asarray([c in totals for c in cells.tolist()], dtype=bool)
    # Respondents outside every cell: their design weight on the population scale of their place.
    factor_by_unit: dict[int | None, float] = {}
    sums: dict[int | None, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for i, unit_id in enumerate(rows.unit):
        if in_cell[i]:
            sums[unit_id][0] += float(adjusted[i])
            sums[unit_id][1] += float(design[i])
    for unit_id, (after, before) in sums.items():
        if before > 0:
            factor_by_unit[unit_id] = after / before
    total_after = sum(a for a, _b in sums.values())
    total_before = sum(b for _a, b in sums.values())
    overall = total_after / total_before if total_before > 0 else 1.0
    outside = int((~in_cell).sum())
    for i, unit_id in enumerate(rows.unit):
        if not in_cell[i]:
            adjusted[i] = design[i] * factor_by_unit.get(unit_id, overall)
    if outside:
        warnings.append(
            _(
                "%(n)s respondents have no population cell (sex, age band or place unknown, or no "
                "figures for it): they keep their design weight."
            )
            % {"n": outside}
        )
    missing: list[tuple[int, str, str]] = []
    for cell in missing_cells:
        unit_s, sex, band = str(cell).split("|", 2)
        missing.append((int(unit_s), sex, band))
    return _Weights(adjusted, year, True, sorted(missing), warnings)


# --------------------------------------------------------------------------- estimation


def _domains(rows: _Rows, by: str | None) -> list[str] | None:
    if by is None:
        return None
    if by == "sex":
        return rows.sex
    if by == "age_band":
        return rows.age_band
    if by == "place":
        return rows.pcode
    if by == "group":
        return rows.group
    raise ValueError(f"by must be one of {BY_CHOICES} or None, not {by!r}.")


def _clusters(rows: _Rows) -> list[str]:
    return [f"u{u}" if u is not None else f"r{i}" for i, u in enumerate(rows.unit)]


def _estimate_one(
    y: np.ndarray[Any, np.dtype[np.float64]],
    weights: np.ndarray[Any, np.dtype[np.float64]],
    by: list[str] | None,
    clusters: list[str],
    kind: stats.Kind,
) -> tuple[dict[str, Estimate], bool]:
    """Estimates by domain; falls back to no clustering when one place holds every answer."""
    answered = ~np.isnan(y)
    places = {c for c, a in zip(clusters, answered.tolist(), strict=True) if a}
    clustered = len(places) >= 2
    result = stats.estimate_many(
        y, weights, by=by, clusters=clusters if clustered else None, kind=kind
    )[0]
    out = {ALL if key is None else str(key): est for key, est in result.items()}
    return out, clustered


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
            % {"n": SMALL_N, "codes": ", ".join(small)}
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


# --------------------------------------------------------------------------- trends and change


def comparable(a: IndicatorResult | None, b: IndicatorResult | None) -> bool:
    """Whether two rounds asked the same question (same version, or a declared comparable one)."""
    if a is None or b is None:
        return False
    if a.version == b.version:
        return True
    later, earlier = (a, b) if a.version > b.version else (b, a)
    return later.indicator is not None and earlier.version in later.indicator.comparable_with


def change_between(
    previous: IndicatorResult | None, current: IndicatorResult | None, key: str = ALL
) -> Change | None:
    """Change of one domain from ``previous`` to ``current`` (None when not comparable or either
    side is suppressed)."""
    if previous is None or current is None or not comparable(previous, current):
        return None
    a = previous.estimates.get(key) if key != ALL else previous.overall
    b = current.estimates.get(key) if key != ALL else current.overall
    if a is None or b is None or is_suppressed(a) or is_suppressed(b):
        return None
    return stats.difference(a, b)


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
