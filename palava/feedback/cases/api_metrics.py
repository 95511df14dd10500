"""JSON API of the case metrics (mounted under /api/v1/ by palava/api.py, before the case
routes so ``/cases/metrics`` is not read as a case id).

The figures are those of the metrics page (:mod:`palava.feedback.cases.metrics`): only cases
the caller may see (scope, restricted rule); durations in seconds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from palava.core.api_base import error_responses, permission, require
from palava.feedback.cases.metrics import (
    MAX_LEVEL,
    Figures,
    MetricsFilters,
    case_metrics,
)
from palava.feedback.models import CaseType, Urgency
from palava.missions.permissions import Perm

router = Router(tags=["cases"])


class MetricsQuery(Schema):
    since: date | None = Field(None, description="First day opened (mission time zone).")
    until: date | None = Field(None, description="Last day opened, inclusive.")
    place: str | None = Field(
        None, max_length=32, description="P-code: cases in this unit or below it."
    )
    category: str | None = Field(
        None, max_length=50, description="Category code; a parent includes its children."
    )
    case_type: CaseType | None = None
    urgency: Urgency | None = None
    group_by: Literal["place", "category", "type", "week", "month"] = "place"
    level: int = Field(1, ge=1, le=MAX_LEVEL, description="Admin level of the place groups.")


class FiguresOut(Schema):
    cases: int
    acknowledged: int = Field(..., description="Cases acknowledged (measured).")
    responded: int = Field(..., description="Cases with a response dispatched (measured).")
    ack_median_seconds: float | None
    ack_p90_seconds: float | None
    respond_median_seconds: float | None
    respond_p90_seconds: float | None
    finished: int = Field(..., description="Resolved, unfounded, reporter informed or closed.")
    informed: int = Field(..., description="Finished cases whose reporter was informed.")
    informed_share: float | None = Field(..., description="informed / finished (0..1).")
    ack_breaches: int
    respond_breaches: int
    breached: int = Field(..., description="Cases with at least one SLA breach.")
    breach_rate: float | None = Field(..., description="breached / cases (0..1).")


class GroupOut(Schema):
    key: str = Field(
        ...,
        description="P-code, category code, case type, or the first day of the week/month; "
        "'none' for cases without a place or category.",
    )
    label: str
    figures: FiguresOut


class MetricsOut(Schema):
    computed_at: datetime
    group_by: str
    level: int
    totals: FiguresOut
    groups: list[GroupOut]


def _figures(f: Figures) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "cases": f.cases,
        "acknowledged": f.acknowledged,
        "responded": f.responded,
        "ack_median_seconds": rounded(f.ack_median),
        "ack_p90_seconds": rounded(f.ack_p90),
        "respond_median_seconds": rounded(f.respond_median),
        "respond_p90_seconds": rounded(f.respond_p90),
        "finished": f.finished,
        "informed": f.informed,
        "informed_share": None if f.informed_share is None else round(f.informed_share, 4),
        "ack_breaches": f.ack_breaches,
        "respond_breaches": f.respond_breaches,
        "breached": f.breached,
        "breach_rate": None if f.breach_rate is None else round(f.breach_rate, 4),
    }


@router.get(
    "/missions/{slug}/cases/metrics",
    response={200: MetricsOut, **error_responses(401, 403, 404, 422)},
    operation_id="cases_metrics",
    summary="Response-chain metrics",
    description=(
        "Time to acknowledge and to respond (median and 90th percentile, seconds, linear "
        "interpolation), the share of finished cases whose reporter was informed, and SLA "
        "breaches (late, or still missing after the due time), in total and grouped by place "
        "(admin level), category (top level), case type, week (from Monday) or month. Only "
        "cases the caller may see: geographic scope, and restricted cases only with "
        "message.restricted_view. Periods use the opening day in the mission's time zone."
    ),
    openapi_extra=permission(Perm.CASE_METRICS_VIEW),
)
def cases_metrics(request: HttpRequest, slug: str, query: Query[MetricsQuery]) -> dict[str, Any]:
    membership = require(request, slug, Perm.CASE_METRICS_VIEW)
    metrics = case_metrics(
        membership=membership,
        filters=MetricsFilters(
            since=query.since,
            until=query.until,
            place=(query.place or "").strip(),
            category=query.category or "",
            case_type=query.case_type or "",
            urgency=query.urgency or "",
            group_by=query.group_by,
            level=query.level,
        ),
    )
    return {
        "computed_at": metrics.computed_at,
        "group_by": metrics.group_by,
        "level": metrics.level,
        "totals": _figures(metrics.totals),
        "groups": [
            {"key": g.key, "label": g.label, "figures": _figures(g.figures)} for g in metrics.groups
        ],
    }
