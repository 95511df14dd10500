"""The engagement calendar: a month grid (weeks from Monday) with an agenda list, and the same
items as an iCalendar file. Items come from ``calendar_selectors`` (scope and clearance)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from palava.engagement import calendar as cal
from palava.engagement.calendar_selectors import (
    CalendarFilters,
    calendar_items,
    item_summary,
    place_get,
    type_choices,
)
from palava.engagement.selectors import mission_today
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view

ICS_DAYS_BEFORE = 31
ICS_DAYS_AFTER = 334


@dataclass(frozen=True)
class ParsedFilters:
    filters: CalendarFilters
    place_code: str
    place_error: str
    type: str

    def query(self, **extra: str) -> str:
        pairs = {"place": self.place_code, "type": self.type, **extra}
        return urlencode({key: value for key, value in pairs.items() if value})


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def parse_filters(request: HttpRequest, membership: Membership) -> ParsedFilters:
    place_code = request.GET.get("place", "").strip()[:50]
    chosen_type = request.GET.get("type", "").strip()
    if chosen_type not in {value for value, _label in type_choices()}:
        chosen_type = ""
    place = None
    error = ""
    if place_code:
        place = place_get(membership=membership, pcode=place_code)
        if place is None:
            error = _("No place with this P-code in your area.")
    return ParsedFilters(
        filters=CalendarFilters(place=place, type=chosen_type),
        place_code=place.pcode if place is not None else place_code,
        place_error=error,
        type=chosen_type,
    )


def _month_param(month: dt.date | None) -> str:
    return month.strftime("%Y-%m") if month is not None else ""


@require_safe
@mission_view(Perm.ACTIVITY_VIEW)
def calendar_month(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    today = mission_today(membership)
    month = cal.parse_month(request.GET.get("month"), today)
    parsed = parse_filters(request, membership)
    start, end = cal.grid_bounds(month)
    items = calendar_items(
        membership=membership, start=start, end=end, filters=parsed.filters, today=today
    )
    if parsed.place_error:
        items = []
    weeks = cal.month_grid(month, today)
    cal.place_items(weeks, items)
    month_last = cal.month_end(month)
    in_month = [item for item in items if month <= item.day <= month_last]
    previous = cal.shift_month(month, -1)
    following = cal.shift_month(month, 1)
    this_month = cal.month_start(today)
    context: dict[str, Any] = {
        "mission": membership.mission,
        "month": month,
        "weeks": weeks,
        "weekdays": [cell.day for cell in weeks[0]],
        "agenda": cal.agenda(in_month),
        "item_count": len(in_month),
        "today": today,
        "previous_query": parsed.query(month=_month_param(previous)) if previous else "",
        "next_query": parsed.query(month=_month_param(following)) if following else "",
        "today_query": parsed.query(month=_month_param(this_month)),
        "ics_query": parsed.query(month=_month_param(month)),
        "is_this_month": month == this_month,
        "place_code": parsed.place_code,
        "place_error": parsed.place_error,
        "type": parsed.type,
        "type_choices": type_choices(),
        "month_value": _month_param(month),
        "filtered": bool(parsed.place_code or parsed.type),
    }
    return render(request, "engagement/calendar.html", context)


@require_safe
@mission_view(Perm.ACTIVITY_VIEW)
def calendar_ics(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The calendar as an iCalendar file: the month asked for, or about a year from last month."""
    membership = _membership(request)
    today = mission_today(membership)
    parsed = parse_filters(request, membership)
    if request.GET.get("month"):
        month = cal.parse_month(request.GET.get("month"), today)
        start, end = month, cal.month_end(month)
    else:
        start = today - dt.timedelta(days=ICS_DAYS_BEFORE)
        end = today + dt.timedelta(days=ICS_DAYS_AFTER)
    items = (
        []
        if parsed.place_error
        else calendar_items(
            membership=membership, start=start, end=end, filters=parsed.filters, today=today
        )
    )
    events = [
        (
            cal.CalendarItem(**{**item.__dict__, "url": request.build_absolute_uri(item.url)})
            if item.url
            else item,
            item_summary(item),
        )
        for item in items
    ]
    name = _("Engagement calendar · %(mission)s") % {"mission": membership.mission.name}
    body = cal.ics_calendar(events, now=timezone.now(), name=name)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    filename = f"palava-{membership.mission.slug}-engagement.ics"
    response.headers["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
