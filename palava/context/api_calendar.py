"""JSON API: the cultural calendar (events, occurrences, clashes, standard holidays).

Reads need ``Perm.CONTEXT_VIEW``, writes ``Perm.CONTEXT_EDIT``. Events are found only through
the calendar selectors (mission, geographic scope with inheritance): an event the caller may not
see answers 404 like one that does not exist, and a place outside the caller's area is refused
like an unknown one. Writes go through the services (audited).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.context import calendar_selectors as sel
from palava.context import calendar_services as services
from palava.context.calendar_rules import event_label, event_titles
from palava.context.models import CalendarEvent
from palava.context.schemas_calendar import (
    ClashesOut,
    ClashQuery,
    EventFilterQuery,
    EventIn,
    EventOut,
    EventPatch,
    HolidaysIn,
    HolidaysOut,
    OccurrenceOut,
    OccurrenceQuery,
)
from palava.core.api_base import Pagination, error_responses, permission, require
from palava.core.api_base import invalid_by_field as invalid
from palava.engagement.selectors import mission_today, zone_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.models import AdminUnit, Site
from palava.places.selectors import admin_unit_get, site_get

router = Router(tags=["context"])

_ERRORS = error_responses(401, 403, 404, 422)
#: Longest range of occurrences one call returns.
MAX_OCCURRENCE_DAYS = 366


def _event_out(event: CalendarEvent) -> dict[str, Any]:
    return {
        "id": event.public_id,
        "key": event.key,
        "category": event.category,
        "title": event.title,
        "titles": event_titles(event),
        "label": event_label(event, translation.get_language()),
        "rule_kind": event.rule_kind,
        "rule": event.rule if isinstance(event.rule, dict) else {},
        "note": event.note,
        "warn": event.warn,
        "is_active": event.is_active,
        "pcode": event.admin_unit.pcode if event.admin_unit is not None else None,
        "site_code": event.site.code if event.site is not None else None,
    }


def _event_or_404(membership: Membership, event_id: str) -> CalendarEvent:
    found = sel.event_get(membership=membership, public_id=event_id)
    if found is None:
        raise Http404
    return found


def _unit(membership: Membership, pcode: str | None) -> AdminUnit | None:
    """The caller's unit with this P-code; unknown or outside their area: 422 (alike)."""
    if not pcode:
        return None
    unit = admin_unit_get(membership=membership, pcode=pcode.strip())
    if unit is None:
        raise HttpError(422, _("pcode: no place in your area has this P-code."))
    return unit


def _site(membership: Membership, code: str | None) -> Site | None:
    if not code:
        return None
    site = site_get(membership=membership, code=code.strip())
    if site is None:
        raise HttpError(422, _("site_code: no site in your area has this code."))
    return site


def _language(value: str | None) -> str | None:
    if not value:
        return None
    if value not in {code for code, _name in settings.LANGUAGES}:
        raise HttpError(422, _("language: choose one of the languages of the application."))
    return value


# --- Events ----------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/calendar/events",
    response={200: list[EventOut], **_ERRORS},
    operation_id="calendar_events_list",
    summary="Events of the cultural calendar",
    description=(
        "Events the caller may see (mission-wide and of places in or above their area). "
        "Filters: category, place (P-code or site code: events observed there and those of "
        "places inside it), include_retired."
    ),
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
@paginate(Pagination)
def calendar_events_list(
    request: HttpRequest, slug: str, filters: Query[EventFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    found = sel.event_list(
        membership=membership,
        category=str(filters.category or ""),
        place=filters.place or "",
        active=not filters.include_retired,
    )
    return [_event_out(event) for event in found]


@router.get(
    "/missions/{slug}/calendar/events/{event_id}",
    response={200: EventOut, **_ERRORS},
    operation_id="calendar_events_get",
    summary="One calendar event",
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
def calendar_events_get(request: HttpRequest, slug: str, event_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    return _event_out(_event_or_404(membership, event_id))


@router.post(
    "/missions/{slug}/calendar/events",
    response={201: EventOut, **_ERRORS},
    operation_id="calendar_events_create",
    summary="Add an event to the cultural calendar",
    description=(
        "At an admin unit (pcode), a site (site_code) or mission-wide (neither; whole-mission "
        "members only). rule_kind and rule: weekly {weekdays: [0-6], interval_weeks, anchor}, "
        "monthly_nth_weekday {weekday, n}, fixed_annual / fixed_christian {month, day, "
        "duration_days}, hijri_annual {hijri_month, hijri_day, duration_days, offset_days}, "
        "easter_relative {offset_days, tradition, duration_days}, season {start_month, "
        "start_day, end_month, end_day}, once {start, end}."
    ),
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def calendar_events_create(
    request: HttpRequest, slug: str, payload: EventIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    unit = _unit(membership, payload.pcode)
    site = _site(membership, payload.site_code)
    try:
        event = services.event_create(
            actor=membership.user,
            membership=membership,
            category=str(payload.category),
            title=payload.title,
            rule_kind=payload.rule_kind,
            rule=payload.rule,
            titles=payload.titles,
            note=payload.note,
            warn=payload.warn,
            admin_unit=unit,
            site=site,
            key=payload.key,
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Status(201, _event_out(_event_or_404(membership, str(event.public_id))))


@router.patch(
    "/missions/{slug}/calendar/events/{event_id}",
    response={200: EventOut, **_ERRORS},
    operation_id="calendar_events_update",
    summary="Change a calendar event",
    description=(
        "Only the fields sent are changed. To move the event send pcode or site_code (the other "
        "null); both null: mission-wide. A new rule_kind needs a rule of that kind."
    ),
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def calendar_events_update(
    request: HttpRequest, slug: str, event_id: str, payload: EventPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    event = _event_or_404(membership, event_id)
    data = payload.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {}
    moving = "pcode" in data or "site_code" in data
    pcode, site_code = data.pop("pcode", None), data.pop("site_code", None)
    for name, value in data.items():
        if value is None:
            raise HttpError(422, _("%(field)s: this field cannot be empty.") % {"field": name})
        fields[name] = str(value) if name == "category" else value
    if moving:
        fields["admin_unit"] = _unit(membership, pcode)
        fields["site"] = _site(membership, site_code)
    try:
        services.event_update(actor=membership.user, membership=membership, event=event, **fields)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return _event_out(_event_or_404(membership, event_id))


@router.post(
    "/missions/{slug}/calendar/events/{event_id}/retire",
    response={200: EventOut, **_ERRORS},
    operation_id="calendar_events_retire",
    summary="Retire a calendar event",
    description="The event is kept but no longer shown or warned about (is_active=false).",
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def calendar_events_retire(request: HttpRequest, slug: str, event_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    event = _event_or_404(membership, event_id)
    services.event_retire(actor=membership.user, membership=membership, event=event)
    return _event_out(_event_or_404(membership, event_id))


# --- Occurrences, clashes, holidays -------------------------------------------------------


@router.get(
    "/missions/{slug}/calendar/occurrences",
    response={200: list[OccurrenceOut], **_ERRORS},
    operation_id="calendar_occurrences",
    summary="Dates of the cultural calendar over a range",
    description=(
        "Occurrences of the active events from start to end (both included, at most 366 days; "
        "default: the next 60 days), sorted by date. With pcode: the events observed at that "
        "unit. Islamic events carry their Hijri date."
    ),
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
def calendar_occurrences(
    request: HttpRequest, slug: str, query: Query[OccurrenceQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    start = query.start or mission_today(membership)
    end = query.end or start + dt.timedelta(days=59)
    if end < start:
        raise HttpError(422, _("end: the range ends before it starts."))
    if (end - start).days + 1 > MAX_OCCURRENCE_DAYS:
        raise HttpError(422, _("end: ask for at most 366 days at a time."))
    unit = _unit(membership, query.pcode)
    found = sel.occurrences_between(
        membership=membership,
        start=start,
        end=end,
        unit=unit,
        language=_language(query.language),
        categories=(str(query.category),) if query.category else (),
    )
    return [
        {
            "event": occurrence.event.public_id,
            "category": occurrence.event.category,
            "label": occurrence.label,
            "start": occurrence.start,
            "end": occurrence.end,
            "hijri": occurrence.hijri,
            "warn": occurrence.event.warn,
        }
        for occurrence in found
    ]


def _aware(moment: dt.datetime, membership: Membership) -> dt.datetime:
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, zone_of(membership.mission))


@router.get(
    "/missions/{slug}/calendar/clashes",
    response={200: ClashesOut, **_ERRORS},
    operation_id="calendar_clashes",
    summary="Would an activity clash with the cultural calendar?",
    description=(
        "The events with a warning observed at pcode (and mission-wide) whose dates overlap "
        "starts_at..ends_at, compared as dates in the mission's time zone, each with its reason "
        "and note. Check before creating an activity."
    ),
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
def calendar_clashes(request: HttpRequest, slug: str, query: Query[ClashQuery]) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    starts_at = _aware(query.starts_at, membership)
    ends_at = _aware(query.ends_at, membership) if query.ends_at is not None else None
    if ends_at is not None and ends_at < starts_at:
        raise HttpError(422, _("ends_at: the activity ends before it starts."))
    if ends_at is not None and ends_at - starts_at > dt.timedelta(days=MAX_OCCURRENCE_DAYS):
        raise HttpError(422, _("ends_at: an activity lasts at most 366 days."))
    found = sel.activity_event_clashes(
        membership=membership,
        admin_unit=_unit(membership, query.pcode),
        starts_at=starts_at,
        ends_at=ends_at,
        language=_language(query.language),
    )
    return {
        "clashes": [
            {
                "event": item.event.public_id,
                "category": item.event.category,
                "label": str(item.clash.occurrence.label),
                "start": item.clash.occurrence.start,
                "end": item.clash.occurrence.end,
                "reason": item.reason,
                "note": item.note,
            }
            for item in found
        ]
    }


@router.post(
    "/missions/{slug}/calendar/holidays",
    response={200: HolidaysOut, **_ERRORS},
    operation_id="calendar_holidays_install",
    summary="Install the standard Islamic or Christian holidays",
    description=(
        "Adds the standard holidays as events (mission-wide, or at pcode), titled in English, "
        "French and Arabic. Islamic dates follow Umm al-Qura shifted by offset_days (-2..+2, "
        "local moon sighting). Idempotent: holidays already installed at that place are "
        "skipped; created says how many were added."
    ),
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def calendar_holidays_install(
    request: HttpRequest, slug: str, payload: HolidaysIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    try:
        created = services.holidays_install(
            actor=membership.user,
            membership=membership,
            which=payload.which,
            offset_days=payload.offset_days,
            admin_unit=_unit(membership, payload.pcode),
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return {"created": created}
