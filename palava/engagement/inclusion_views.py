"""Pages of inclusion: shares by place and period against population and targets, and the
coverage map (thin: filters in ``inclusion_filters``, reads in ``inclusion_selectors``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.engagement import inclusion as calc
from palava.engagement.inclusion_charts import ShareRow, shares_svg
from palava.engagement.inclusion_filters import Filters, default_level, filters_from
from palava.engagement.inclusion_selectors import (
    PlaceCoverage,
    PlaceFigures,
    coverage_counts,
    coverage_for,
    inclusion_by_period,
    inclusion_by_place,
    inclusion_total,
    places_for,
    targets_for,
    visible_levels,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view
from palava.places.models import AdminUnit

MAX_PLACES = 300  # rows of the overview table
MAX_CHART_ROWS = 25
MAP_TOLERANCE = 0.005


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _units(membership: Membership, filters: Filters, *, deep: bool) -> list[AdminUnit]:
    level = filters.level
    if level is None:
        level = default_level(membership, filters.place, deep=deep)
    return list(places_for(membership=membership, place=filters.place, level=level))


def _charts(rows: list[PlaceFigures]) -> list[tuple[str, Any]]:
    rtl = get_language_bidi()
    shown = rows[:MAX_CHART_ROWS]
    found = []
    for key, label, with_population in (
        ("women", _("Women"), True),
        ("youth", _("Youth"), True),
        ("minority", _("Minority groups"), False),
    ):
        bars = []
        for row in shown:
            measure: calc.Measure = getattr(row.figures, key)
            bars.append(
                ShareRow(
                    label=row.unit.name,
                    participants=measure.participants.percent,
                    population=measure.population.percent if measure.population else None,
                    target=measure.target_pct,
                )
            )
        found.append(
            (
                label,
                shares_svg(
                    bars,
                    title=_("Share of %(group)s among participants, by place") % {"group": label},
                    description=_(
                        "For each place, the share among people counted at held activities, "
                        "the share in the population and the target."
                    ),
                    chart_id=f"inclusion-{key}",
                    rtl=rtl,
                    with_population=with_population,
                ),
            )
        )
    return found


@never_cache
@mission_view(Perm.INCLUSION_VIEW)
def overview(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Participants against population and targets, by place and by period."""
    membership = _membership(request)
    filters = filters_from(request.GET, membership)
    units = _units(membership, filters, deep=False)
    truncated = len(units) > MAX_PLACES
    units = units[:MAX_PLACES]
    rows = inclusion_by_place(
        membership=membership,
        units=units,
        start=filters.start,
        end=filters.end,
        under=filters.place,
    )
    total = inclusion_total(
        membership=membership, place=filters.place, start=filters.start, end=filters.end
    )
    trend = inclusion_by_period(
        membership=membership,
        place=filters.place,
        start=filters.start,
        end=filters.end,
        grain=filters.grain,
    )
    return render(
        request,
        "engagement/inclusion/overview.html",
        {
            "mission": request.mission,  # type: ignore[attr-defined]
            "filters": filters,
            "levels": visible_levels(membership=membership),
            "rows": rows,
            "total": total,
            "trend": trend,
            "charts": _charts(rows) if any(r.figures.attendance.total for r in rows) else [],
            "truncated": truncated,
            "max_places": MAX_PLACES,
            "targets": targets_for(membership),
            "small_numbers": calc.SMALL_NUMBERS,
            "query": filters.query(),
        },
    )


@never_cache
@mission_view(Perm.INCLUSION_VIEW)
def coverage(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The coverage map, its legend and the list of places never engaged (the text fallback)."""
    membership = _membership(request)
    filters = filters_from(request.GET, membership)
    rows = coverage_for(
        membership=membership, units=_units(membership, filters, deep=True), days=filters.days
    )
    params = {"days": str(filters.days)}
    if filters.place is not None:
        params["place"] = filters.place.pcode
    if filters.level is not None:
        params["level"] = str(filters.level)
    return render(
        request,
        "engagement/inclusion/coverage.html",
        {
            "mission": request.mission,  # type: ignore[attr-defined]
            "filters": filters,
            "levels": visible_levels(membership=membership),
            "rows": rows,
            "never": [row for row in rows if row.state == calc.NEVER],
            "earlier": [row for row in rows if row.state == calc.EARLIER],
            "counts": coverage_counts(rows),
            "map_url": reverse("inclusion:coverage_geojson", kwargs={"mission_slug": mission_slug})
            + "?"
            + urlencode(params),
        },
    )


def _geometry(unit: AdminUnit) -> dict[str, Any] | None:
    if unit.boundary:
        from shapely.geometry import mapping

        from palava.places.locate import geometry_from_geojson

        shape = geometry_from_geojson(unit.boundary)
        if shape is not None:
            simple = shape.simplify(MAP_TOLERANCE, preserve_topology=True)
            if not simple.is_empty:
                return _rounded(mapping(simple))  # type: ignore[no-any-return]
    if unit.centroid_lat is not None and unit.centroid_lon is not None:
        return {"type": "Point", "coordinates": [unit.centroid_lon, unit.centroid_lat]}
    return None


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def state_labels() -> dict[str, str]:
    return {
        calc.RECENT: _("Engaged recently"),
        calc.EARLIER: _("Engaged earlier"),
        calc.NEVER: _("Never engaged"),
    }


def coverage_feature(row: PlaceCoverage, labels: dict[str, str]) -> dict[str, Any] | None:
    geometry = _geometry(row.unit)
    if geometry is None:
        return None
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": row.unit.pcode,
            "name": row.unit.name,
            "level": row.unit.level,
            "state": row.state,
            "state_label": labels[row.state],
            "last": row.last.isoformat() if row.last else None,
        },
    }


@never_cache
@mission_view(Perm.INCLUSION_VIEW)
def coverage_geojson(request: HttpRequest, mission_slug: str) -> JsonResponse:
    """GeoJSON: one feature per place with a boundary or a centroid, and its coverage state."""
    membership = _membership(request)
    filters = filters_from(request.GET, membership)
    if filters.errors:
        return JsonResponse({"detail": filters.errors}, status=400)
    rows = coverage_for(
        membership=membership, units=_units(membership, filters, deep=True), days=filters.days
    )
    labels = state_labels()
    features = [f for f in (coverage_feature(row, labels) for row in rows) if f is not None]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
    )
