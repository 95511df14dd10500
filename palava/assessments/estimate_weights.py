"""The sample behind a round's estimates: respondent rows, answers coded with the indicator
bank, post-stratified weights, clusters and domains (see ``estimates`` for the method)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from palava.assessments import stats
from palava.assessments.estimate_results import ALL, BY_CHOICES, NUMERIC_TYPES
from palava.assessments.indicators import Indicator
from palava.assessments.models import Round, RoundQuota, Submission, SubmissionStatus
from palava.assessments.stats import Estimate
from palava.missions.models import Membership
from palava.places.models import PopulationFigure
from palava.places.scope import scope_for

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
