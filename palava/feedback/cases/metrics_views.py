"""The metrics page of the alert-to-response chain (``cases:metrics``): cards, SVG charts and a
table of time to acknowledge and to respond (median, p90), reporter informed and SLA breaches,
by place, category, type, week or month. Figures come from :mod:`.metrics` (only cases the
member may see); the same figures are in the API (``api_metrics``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.feedback.cases.metrics import (
    GROUP_MONTH,
    GROUP_PLACE,
    GROUP_WEEK,
    Figures,
    Metrics,
    case_metrics,
)
from palava.feedback.cases.metrics_charts import (
    DurationBar,
    ShareBar,
    duration_label,
    durations_svg,
    percent_label,
    shares_svg,
)
from palava.feedback.cases.metrics_forms import MetricsFilterForm
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view

MAX_CHART_ROWS = 24  # the table has every group; charts show the first ones


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def figures_display(f: Figures) -> dict[str, Any]:
    """The figures as the page shows them (durations and shares as text)."""
    return {
        "cases": f.cases,
        "acknowledged": f.acknowledged,
        "responded": f.responded,
        "ack_median": duration_label(f.ack_median),
        "ack_p90": duration_label(f.ack_p90),
        "respond_median": duration_label(f.respond_median),
        "respond_p90": duration_label(f.respond_p90),
        "finished": f.finished,
        "informed": f.informed,
        "informed_share": percent_label(f.informed_share),
        "ack_breaches": f.ack_breaches,
        "respond_breaches": f.respond_breaches,
        "breached": f.breached,
        "breach_rate": percent_label(f.breach_rate),
    }


def _charts(metrics: Metrics) -> dict[str, Any]:
    groups = metrics.groups[:MAX_CHART_ROWS]
    if not groups:
        return {}
    return {
        "ack_chart": durations_svg(
            [DurationBar(g.label, g.figures.ack_median, g.figures.ack_p90) for g in groups],
            title=_("Time to acknowledge"),
            description=_("Median and 90th percentile of the time to acknowledge, per group."),
            chart_id="metrics-ack",
        ),
        "respond_chart": durations_svg(
            [DurationBar(g.label, g.figures.respond_median, g.figures.respond_p90) for g in groups],
            title=_("Time to respond"),
            description=_("Median and 90th percentile of the time to respond, per group."),
            chart_id="metrics-respond",
        ),
        "informed_chart": shares_svg(
            [ShareBar(g.label, g.figures.informed_share, g.figures.finished) for g in groups],
            title=_("Reporter informed"),
            description=_("Share of finished cases whose reporter was informed, per group."),
            chart_id="metrics-informed",
        ),
        "charts_cut": len(metrics.groups) > MAX_CHART_ROWS,
    }


@never_cache
@mission_view(Perm.CASE_METRICS_VIEW)
def case_metrics_page(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = MetricsFilterForm(request.GET or None, membership=membership)
    filters = form.filters()
    metrics = case_metrics(membership=membership, filters=filters)
    group_titles = dict(form.fields["group_by"].choices)  # type: ignore[attr-defined]
    context = {
        "mission": membership.mission,
        "form": form,
        "metrics": metrics,
        "totals": figures_display(metrics.totals),
        "rows": [
            {"key": g.key, "label": g.label, **figures_display(g.figures)} for g in metrics.groups
        ],
        "group_title": group_titles.get(metrics.group_by, ""),
        "by_period": metrics.group_by in (GROUP_WEEK, GROUP_MONTH),
        "by_place": metrics.group_by == GROUP_PLACE,
        "filtered": any(v for k, v in request.GET.items() if k not in ("group_by", "level")),
        **_charts(metrics),
    }
    return render(request, "feedback/cases/metrics.html", context)
