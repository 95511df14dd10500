"""Estimates pages (namespace ``estimates``): a map of one indicator by place, its GeoJSON
data, and the round's export with HXL hashtags (aggregates only, never a submission)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.assessments import estimate_charts as charts
from palava.assessments.estimate_charts import (
    domain_label,
    indicator_question,
    indicator_title,
    is_percent,
)
from palava.assessments.estimate_export import export_table
from palava.assessments.estimate_views import (
    _membership,
    _mission,
    _round_or_404,
    _row,
)
from palava.assessments.estimates import (
    SMALL_N,
    SUPPRESS_N,
    IndicatorResult,
    RoundEstimates,
    indicator_lookup,
    is_suppressed,
    round_estimates,
)
from palava.assessments.models import Round, RoundQuota
from palava.core.exporters import write_csv, write_xlsx
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

MAP_BINS = 5
MAP_TOLERANCE = 0.005
MAP_MAX_UNITS = 500


def _result_or_404(est: RoundEstimates, code: str) -> IndicatorResult | None:
    """The round's result for ``code``; None for a bank indicator the round does not measure
    (an empty map), 404 for an unknown code."""
    result = est.results.get(code)
    if result is None and indicator_lookup(code, None) is None:
        raise Http404(_("This round does not measure that indicator."))
    return result


def _bins(result: IndicatorResult) -> list[tuple[float, float]]:
    lo, hi = charts.scale_for(result.indicator, list(result.estimates.values()))
    step = (hi - lo) / MAP_BINS
    return [(lo + i * step, lo + (i + 1) * step) for i in range(MAP_BINS)]


def _bin_of(value: float, bins: list[tuple[float, float]]) -> int:
    for index, (_lo, hi) in enumerate(bins):
        if value <= hi:
            return index
    return len(bins) - 1


def _map_units(rnd: Round, membership: Membership, pcodes: Sequence[str]) -> list[AdminUnit]:
    quota_units = RoundQuota.objects.filter(round=rnd).values_list("admin_unit_id", flat=True)
    return list(
        AdminUnit.objects.filter(mission_id=rnd.mission_id)
        .filter(scope_for(membership).q(""))
        .filter(Q(pk__in=list(quota_units)) | Q(pcode__in=list(pcodes)))
        .order_by("pcode")[:MAP_MAX_UNITS]
    )


@never_cache
@mission_view(Perm.ESTIMATE_VIEW)
def round_map(
    request: HttpRequest, mission_slug: str, round_id: uuid.UUID, code: str
) -> HttpResponse:
    """A map of one indicator by place, with the same figures as a table."""
    rnd = _round_or_404(request, round_id)
    est = round_estimates(round=rnd, by="place", membership=_membership(request))
    found = _result_or_404(est, code)
    result = found or IndicatorResult(
        code, 1, indicator_lookup(code, None), {}, None, 0, 0, False, _("not measured")
    )
    percent = is_percent(result)
    rows = (
        [
            _row(
                domain_label("place", key, est.place_names),
                key,
                result.estimates.get(key),
                percent,
            )
            for key in est.domain_keys
        ]
        if result.overall is not None
        else []
    )
    legend = [
        (i, charts.value_text(lo, percent), charts.value_text(hi, percent))
        for i, (lo, hi) in enumerate(_bins(result))
    ]
    return render(
        request,
        "assessments/estimate_map.html",
        {
            "mission": _mission(request),
            "round": rnd,
            "code": code,
            "result": result,
            "title": indicator_title(result),
            "question": indicator_question(result),
            "rows": rows,
            "legend": legend,
            "small_n": SMALL_N,
            "suppress_n": SUPPRESS_N,
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


@never_cache
@mission_view(Perm.ESTIMATE_VIEW)
def round_map_data(
    request: HttpRequest, mission_slug: str, round_id: uuid.UUID, code: str
) -> JsonResponse:
    """GeoJSON: one feature per place of the round with its estimate (never a respondent)."""
    rnd = _round_or_404(request, round_id)
    membership = _membership(request)
    est = round_estimates(round=rnd, by="place", membership=membership)
    result = _result_or_404(est, code)
    features: list[dict[str, Any]] = []
    if result is None or result.overall is None:
        return _geojson(features)
    percent = is_percent(result)
    bins = _bins(result)
    for unit in _map_units(rnd, membership, [k for k in est.domain_keys if k]):
        geometry = _geometry(unit)
        if geometry is None:
            continue
        e = result.estimates.get(unit.pcode)
        suppressed = is_suppressed(e)
        props: dict[str, Any] = {
            "code": unit.pcode,
            "name": unit.name,
            "suppressed": suppressed,
            "bin": None,
            "value": None,
            "value_text": "",
            "ci_text": "",
            "n": None,
            "small_n": False,
        }
        if e is not None and not suppressed:
            props.update(
                bin=_bin_of(e.value, bins),
                value=round(e.value, 4),
                value_text=charts.value_text(e.value, percent),
                ci_text=charts.interval_text(e.ci_low, e.ci_high, percent),
                n=e.n,
                small_n=e.small_n,
            )
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return _geojson(features)


def _geojson(features: list[dict[str, Any]]) -> JsonResponse:
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
    )
    response["Cache-Control"] = "private, max-age=60"
    return response


@never_cache
@mission_view(Perm.ESTIMATE_VIEW)
def round_export(
    request: HttpRequest, mission_slug: str, round_id: uuid.UUID, fmt: str = "csv"
) -> HttpResponse:
    """The round's estimates as CSV or XLSX with an HXL hashtag row (aggregates only)."""
    rnd = _round_or_404(request, round_id)
    table = export_table(rnd, _membership(request))
    out = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(table, out)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        write_csv(table, out)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(out.getvalue(), content_type=content_type)
    filename = f"estimates-{rnd.series}-{rnd.number}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
