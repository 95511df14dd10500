"""JSON API: engagement calendar, plan and settings (mounted under /api/v1/ by palava.api).

Calendar items and plan rows are read through the visibility selectors (mission, geographic
scope, clearance), exactly as on the pages. Calendar items carry titles, references and place
names, never names of people. Bad filters answer 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from palava.core.api_base import error_responses, permission, principal, require
from palava.engagement.calendar import CalendarItem
from palava.engagement.calendar_selectors import (
    MAX_RANGE_DAYS,
    CalendarFilters,
    calendar_items,
    place_get,
    type_choices,
)
from palava.engagement.models import EngagementSettings
from palava.engagement.plan import PlanRow, plan_build
from palava.engagement.selectors import engagement_settings_get, mission_today
from palava.engagement.settings_services import EDITABLE_FIELDS, engagement_settings_update
from palava.missions.permissions import Perm

router = Router(tags=["engagement"])

_P = 50


# --- Schemas ---------------------------------------------------------------------------------


class CalendarQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="First day (YYYY-MM-DD).")
    date_to: dt.date | None = Field(
        None, alias="to", description="Last day; at most 366 days after `from`."
    )
    place: str | None = Field(None, max_length=_P, description="P-code: that place and inside.")
    type: str | None = Field(
        None,
        max_length=_P,
        description="An activity type, `commitments` or `deliverables` (default: everything).",
    )


class CalendarItemOut(Schema):
    kind: str = Field(..., description="activity, commitment or deliverable")
    id: str = Field(..., description="Stable identifier (also the iCalendar UID).")
    date: dt.date
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    title: str
    reference: str
    place_code: str
    place_name: str
    type: str
    status: str
    overdue: bool
    url: str


class CalendarOut(Schema):
    date_from: dt.date
    date_to: dt.date
    items: list[CalendarItemOut]


class PlanQuery(Schema):
    level: str | None = Field(None, max_length=3, description="Admin level (default 2).")


class PlanRowOut(Schema):
    place_code: str
    place_name: str
    level: int
    last_held: dt.date | None
    days_since: int | None
    next_planned: dt.datetime | None
    open_commitments: int
    overdue_commitments: int
    next_due: dt.date | None
    deliverables_due_30_days: int
    never_engaged: bool
    not_engaged: bool


class PlanOut(Schema):
    level: int
    levels: list[int]
    coverage_days: int
    today: dt.date
    places: list[PlanRowOut]


class SettingsOut(Schema):
    target_women_pct: int
    target_youth_pct: int
    target_minority_pct: int
    youth_min_age: int
    youth_max_age: int
    coverage_days: int
    reminder_days: int
    saved: bool = Field(..., description="False while the mission uses the defaults.")


class SettingsPatch(Schema):
    target_women_pct: int | None = Field(None, ge=0, le=100)
    target_youth_pct: int | None = Field(None, ge=0, le=100)
    target_minority_pct: int | None = Field(None, ge=0, le=100)
    youth_min_age: int | None = Field(None, ge=0, le=120)
    youth_max_age: int | None = Field(None, ge=1, le=120)
    coverage_days: int | None = Field(None, ge=1, le=3650)
    reminder_days: int | None = Field(None, ge=1, le=365)


# --- Shaping ---------------------------------------------------------------------------------


def _item_out(request: HttpRequest, item: CalendarItem) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "id": item.uid,
        "date": item.day,
        "starts_at": item.at,
        "ends_at": item.ends_at,
        "title": item.title,
        "reference": item.reference,
        "place_code": item.place_pcode,
        "place_name": item.place_name,
        "type": item.type_code or item.kind,
        "status": item.status,
        "overdue": item.overdue,
        "url": request.build_absolute_uri(item.url) if item.url else "",
    }


def _row_out(row: PlanRow) -> dict[str, Any]:
    return {
        "place_code": row.pcode,
        "place_name": row.name,
        "level": row.level,
        "last_held": row.last_held,
        "days_since": row.days_since,
        "next_planned": row.next_planned,
        "open_commitments": row.open_commitments,
        "overdue_commitments": row.overdue_commitments,
        "next_due": row.next_due,
        "deliverables_due_30_days": row.deliverables_due,
        "never_engaged": row.never_engaged,
        "not_engaged": row.not_engaged,
    }


def _settings_out(row: EngagementSettings) -> dict[str, Any]:
    return {
        **{name: int(getattr(row, name)) for name in EDITABLE_FIELDS},
        "saved": row.pk is not None,
    }


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- Routes ----------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/engagement/calendar",
    response={200: CalendarOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="engagement_calendar",
    summary="Calendar items for a date range",
    description=(
        "Activities starting, open commitments due and pending project deliverables due from "
        "`from` to `to` (default: today and the next 30 days; at most 366 days), in the "
        "caller's scope. Commitments before today are flagged overdue."
    ),
    openapi_extra=permission(Perm.ACTIVITY_VIEW),
)
def engagement_calendar(
    request: HttpRequest, slug: str, filters: Query[CalendarQuery]
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTIVITY_VIEW)
    today = mission_today(membership)
    start = filters.date_from or today
    end = filters.date_to or start + dt.timedelta(days=30)
    if end < start:
        raise HttpError(400, _("`to` must not be before `from`."))
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise HttpError(400, _("At most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS})
    chosen_type = filters.type or ""
    if chosen_type and chosen_type not in {value for value, _label in type_choices()}:
        raise HttpError(400, _("Unknown type."))
    place = None
    if filters.place:
        place = place_get(membership=membership, pcode=filters.place)
        if place is None:
            raise HttpError(400, _("No place with this P-code in your area."))
    items = calendar_items(
        membership=membership,
        start=start,
        end=end,
        filters=CalendarFilters(place=place, type=chosen_type),
        today=today,
    )
    return {
        "date_from": start,
        "date_to": end,
        "items": [_item_out(request, item) for item in items],
    }


@router.get(
    "/missions/{slug}/engagement/plan",
    response={200: PlanOut, **error_responses(401, 403, 404, 422)},
    operation_id="engagement_plan",
    summary="Engagement plan: what is due where",
    description=(
        "One row per place of admin `level` (default 2) in the caller's scope: last activity "
        "held, next planned, open and overdue commitments, deliverables due within 30 days, "
        "and whether the place was engaged within the coverage window. Most in need first."
    ),
    openapi_extra=permission(Perm.ACTIVITY_VIEW),
)
def engagement_plan(request: HttpRequest, slug: str, filters: Query[PlanQuery]) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTIVITY_VIEW)
    plan = plan_build(membership=membership, level=filters.level)
    return {
        "level": plan.level,
        "levels": plan.levels,
        "coverage_days": plan.coverage_days,
        "today": plan.today,
        "places": [_row_out(row) for row in plan.rows],
    }


@router.get(
    "/missions/{slug}/engagement/settings",
    response={200: SettingsOut, **error_responses(401, 403, 404)},
    operation_id="engagement_settings_get",
    summary="Engagement settings",
    description="Inclusion targets, youth ages, coverage window and reminder lead time.",
    openapi_extra=permission(Perm.ACTIVITY_VIEW),
)
def engagement_settings_read(request: HttpRequest, slug: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTIVITY_VIEW)
    return _settings_out(engagement_settings_get(membership.mission))


@router.patch(
    "/missions/{slug}/engagement/settings",
    response={200: SettingsOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="engagement_settings_update",
    summary="Change engagement settings",
    description="Only the fields sent are changed. The youth upper age must exceed the lower.",
    openapi_extra=permission(Perm.ENGAGEMENT_SETTINGS),
)
def engagement_settings_change(
    request: HttpRequest, slug: str, payload: SettingsPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ENGAGEMENT_SETTINGS)
    sent = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    try:
        row = engagement_settings_update(
            actor=principal(request).user, mission=membership.mission, **sent
        )
    except ValidationError as error:
        raise HttpError(400, _messages(error)) from error
    return _settings_out(row)
