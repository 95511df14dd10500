"""JSON API: inclusion (mounted under /api/v1/ by palava.api).

Shares of women, youth and minority participants against the population and the targets, by
place and by period, and coverage (the formulas: :mod:`palava.engagement.inclusion`). Only
places and activities in the caller's geographic scope count. Bad filters answer 400.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError

from palava.core.api_base import error_responses, permission, require
from palava.engagement import inclusion as calc
from palava.engagement.inclusion_filters import Filters, default_level, filters_from
from palava.engagement.inclusion_schemas import (
    CoverageOut,
    CoverageQuery,
    InclusionPeriodsOut,
    InclusionPlacesOut,
    InclusionQuery,
)
from palava.engagement.inclusion_selectors import (
    coverage_counts,
    coverage_for,
    inclusion_by_period,
    inclusion_by_place,
    inclusion_total,
    places_for,
)
from palava.engagement.selectors import mission_today
from palava.missions.models import Membership
from palava.missions.permissions import Perm

router = Router(tags=["inclusion"])

MAX_PLACES = 2000


def _share(value: calc.Share | None) -> dict[str, Any] | None:
    if value is None:
        return None
    share = value.value
    return {
        "numerator": float(value.numerator),
        "denominator": float(value.denominator),
        "share": None if share is None else round(float(share), 6),
    }


def _measure(measure: calc.Measure) -> dict[str, Any]:
    gap = measure.gap_points
    return {
        "participants": _share(measure.participants),
        "population": _share(measure.population),
        "target_pct": measure.target_pct,
        "gap_pp": None if gap is None else round(gap, 4),
        "below_target": measure.below_target,
    }


def figures_out(figures: calc.Inclusion) -> dict[str, Any]:
    return {
        "people_counted": figures.attendance.total,
        "sex_not_recorded": figures.attendance.sex_unknown,
        "age_not_recorded": figures.attendance.age_unknown,
        "population_year": figures.population.year,
        "women": _measure(figures.women),
        "youth": _measure(figures.youth),
        "minority": _measure(figures.minority),
        "flags": figures.flags,
    }


def _filters(params: dict[str, str], membership: Membership) -> Filters:
    filters = filters_from(params, membership)
    if filters.errors:
        raise HttpError(400, " ".join(filters.errors))
    return filters


def _units(membership: Membership, filters: Filters, *, deep: bool) -> list[Any]:
    level = filters.level
    if level is None:
        level = default_level(membership, filters.place, deep=deep)
    units = list(places_for(membership=membership, place=filters.place, level=level)[:MAX_PLACES])
    return units


@router.get(
    "/missions/{slug}/inclusion/places",
    response={200: InclusionPlacesOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="inclusion_places",
    summary="Inclusion by place",
    description=(
        "Shares of women, youth and minority participants at held activities from `from` to "
        "`to` (default: the last 12 months), against the population and the targets, for the "
        "children of `place` or the places of admin `level`, and in total."
    ),
    openapi_extra=permission(Perm.INCLUSION_VIEW),
)
def inclusion_places(
    request: HttpRequest, slug: str, filters: Query[InclusionQuery]
) -> dict[str, Any]:
    membership = require(request, slug, Perm.INCLUSION_VIEW)
    chosen = _filters(filters.params(), membership)
    rows = inclusion_by_place(
        membership=membership,
        units=_units(membership, chosen, deep=False),
        start=chosen.start,
        end=chosen.end,
        under=chosen.place,
    )
    total = inclusion_total(
        membership=membership, place=chosen.place, start=chosen.start, end=chosen.end
    )
    return {
        "date_from": chosen.start,
        "date_to": chosen.end,
        "place": chosen.place.pcode if chosen.place else None,
        "places": [
            {
                "code": row.unit.pcode,
                "name": row.unit.name,
                "level": row.unit.level,
                "figures": figures_out(row.figures),
            }
            for row in rows
        ],
        "total": figures_out(total),
    }


@router.get(
    "/missions/{slug}/inclusion/periods",
    response={200: InclusionPeriodsOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="inclusion_periods",
    summary="Inclusion by period",
    description=(
        "The same shares for `place` (default: every place the caller sees), month by month "
        "or quarter by quarter (`grain`), over at most ten years."
    ),
    openapi_extra=permission(Perm.INCLUSION_VIEW),
)
def inclusion_periods(
    request: HttpRequest, slug: str, filters: Query[InclusionQuery]
) -> dict[str, Any]:
    membership = require(request, slug, Perm.INCLUSION_VIEW)
    chosen = _filters(filters.params(), membership)
    periods = inclusion_by_period(
        membership=membership,
        place=chosen.place,
        start=chosen.start,
        end=chosen.end,
        grain=chosen.grain,
    )
    return {
        "date_from": chosen.start,
        "date_to": chosen.end,
        "place": chosen.place.pcode if chosen.place else None,
        "grain": chosen.grain,
        "periods": [{"start": p.start, "figures": figures_out(p.figures)} for p in periods],
    }


@router.get(
    "/missions/{slug}/inclusion/coverage",
    response={200: CoverageOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="inclusion_coverage",
    summary="Coverage by place",
    description=(
        "For each place of admin `level` (or inside `place`), the date of the last held "
        "activity that reached it (as main place or another place taking part) and its state: "
        "recent (within `days`), earlier, or never."
    ),
    openapi_extra=permission(Perm.INCLUSION_VIEW),
)
def inclusion_coverage(
    request: HttpRequest, slug: str, filters: Query[CoverageQuery]
) -> dict[str, Any]:
    membership = require(request, slug, Perm.INCLUSION_VIEW)
    chosen = _filters(filters.params(), membership)
    rows = coverage_for(
        membership=membership, units=_units(membership, chosen, deep=True), days=chosen.days
    )
    return {
        "days": chosen.days,
        "today": mission_today(membership),
        "counts": coverage_counts(rows),
        "places": [
            {
                "code": row.unit.pcode,
                "name": row.unit.name,
                "level": row.unit.level,
                "state": row.state,
                "last_held": row.last,
            }
            for row in rows
        ],
    }
