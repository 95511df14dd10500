"""Pages of the cultural calendar: the month grid with the next 60 days, the events and their
rules in words, adding and editing events, installing the standard holidays, and "is this date
good for an activity here?".

Reads go through :mod:`palava.context.calendar_selectors` (mission, scope); writes through
:mod:`palava.context.calendar_services`, which check the editor's rights and area again. Every
page reads with ``Perm.CONTEXT_VIEW``; writes need ``Perm.CONTEXT_EDIT``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from palava.context import calendar_selectors as selectors
from palava.context import calendar_services as services
from palava.context.calendar_forms import CheckForm, EventForm, HolidaysForm
from palava.context.calendar_rules import event_label, event_titles, rule_of
from palava.context.calendar_text import describe_rule, hijri_date_label, rule_kind_label
from palava.context.models import CalendarEvent, EventCategory
from palava.context.recurrence import (
    CHRISTIAN_HOLIDAYS,
    Rule,
    RuleKind,
    islamic_holiday_rules,
    occurrences,
)
from palava.context.selectors import place_by_code
from palava.engagement import calendar as cal
from palava.engagement.selectors import mission_today
from palava.engagement.view_support import membership_of, query_without_page
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for
from palava.places.selectors import admin_unit_get

UPCOMING_DAYS: Final = 60
DETAIL_DAYS: Final = 730
PAGE_SIZE: Final = 50
MAX_CODE: Final = 50


def _language(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "") or "en")


def _event_or_404(membership: Membership, event_id: Any) -> CalendarEvent:
    found = selectors.event_get(membership=membership, public_id=event_id)
    if found is None:
        raise Http404(_("No such event."))
    return found


def _event_url(membership: Membership, event: CalendarEvent) -> str:
    return reverse(
        "cultural_calendar:event",
        kwargs={"mission_slug": membership.mission.slug, "event_id": event.public_id},
    )


def _can_edit(membership: Membership) -> bool:
    return role_has(membership.role, Perm.CONTEXT_EDIT)


def _can_write(membership: Membership, event: CalendarEvent) -> bool:
    """Whether the member may change this event (edit rights and the event's place in scope)."""
    if not _can_edit(membership):
        return False
    scope = scope_for(membership)
    if event.site_id is not None and event.site is not None:
        return scope.contains(event.site.admin_unit)
    if event.admin_unit_id is not None:
        return scope.contains(event.admin_unit)
    return scope.is_whole_mission


def _place_label(event: CalendarEvent) -> str:
    if event.site_id is not None and event.site is not None:
        return f"{event.site.name} ({event.site.code})"
    if event.admin_unit_id is not None and event.admin_unit is not None:
        return f"{event.admin_unit.name} ({event.admin_unit.pcode})"
    return _("Whole mission")


def _categories() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in EventCategory.choices]


# --- Month grid ---------------------------------------------------------------------------


@dataclass
class GridItem:
    occurrence: selectors.EventOccurrence
    #: Shown in full: the first day, or the first day of a week (or of the grid) it runs on.
    starts_here: bool
    #: The occurrence's real first day (its Hijri date and length are shown there).
    is_start: bool


@dataclass
class GridDay:
    day: dt.date
    in_month: bool
    is_today: bool
    items: list[GridItem] = field(default_factory=list)


def _grid(
    month: dt.date, today: dt.date, found: list[selectors.EventOccurrence]
) -> list[list[GridDay]]:
    weeks = [
        [GridDay(day=cell.day, in_month=cell.in_month, is_today=cell.is_today) for cell in week]
        for week in cal.month_grid(month, today)
    ]
    days = {cell.day: cell for week in weeks for cell in week}
    first_shown = weeks[0][0].day
    for occurrence in found:
        day = max(occurrence.start, first_shown)
        while day <= occurrence.end and day in days:
            starts_here = day == occurrence.start or day.weekday() == 0 or day == first_shown
            days[day].items.append(
                GridItem(
                    occurrence=occurrence,
                    starts_here=starts_here,
                    is_start=day == occurrence.start,
                )
            )
            day += dt.timedelta(days=1)
    return weeks


@dataclass(frozen=True)
class Filters:
    place_code: str
    unit: AdminUnit | None
    place_error: str
    category: str

    def query(self, **extra: str) -> str:
        pairs = {"place": self.place_code, "category": self.category, **extra}
        return urlencode({key: value for key, value in pairs.items() if value})

    @property
    def categories(self) -> tuple[str, ...]:
        return (self.category,) if self.category else ()


def _filters(request: HttpRequest, membership: Membership) -> Filters:
    place_code = request.GET.get("place", "").strip()[:MAX_CODE]
    category = request.GET.get("category", "").strip()
    if category not in EventCategory.values:
        category = ""
    unit = None
    error = ""
    if place_code:
        unit = admin_unit_get(membership=membership, pcode=place_code)
        if unit is None:
            error = _("No place with this P-code in your area.")
    return Filters(place_code=place_code, unit=unit, place_error=error, category=category)


def _month_param(month: dt.date | None) -> str:
    return month.strftime("%Y-%m") if month is not None else ""


@require_safe
@mission_view(Perm.CONTEXT_VIEW)
def home(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    language = _language(request)
    today = mission_today(membership)
    month = cal.parse_month(request.GET.get("month"), today)
    # The Hijri table and the recurrence rules cover 1925-2076: keep the grid inside it.
    if not 1925 <= month.year <= 2076:
        month = cal.month_start(today)
    filters = _filters(request, membership)
    start, end = cal.grid_bounds(month)
    found: list[selectors.EventOccurrence] = []
    coming: list[selectors.EventOccurrence] = []
    if not filters.place_error:
        found = selectors.occurrences_between(
            membership=membership,
            start=start,
            end=end,
            unit=filters.unit,
            language=language,
            categories=filters.categories,
        )
        coming = selectors.occurrences_between(
            membership=membership,
            start=today,
            end=today + dt.timedelta(days=UPCOMING_DAYS - 1),
            unit=filters.unit,
            language=language,
            categories=filters.categories,
        )
    weeks = _grid(month, today, found)
    previous = cal.shift_month(month, -1)
    following = cal.shift_month(month, 1)
    this_month = cal.month_start(today)
    has_events = selectors.event_list(membership=membership).exists()
    return render(
        request,
        "context/calendar/home.html",
        {
            "mission": membership.mission,
            "month": month,
            "weeks": weeks,
            "weekdays": [cell.day for cell in weeks[0]],
            "upcoming": coming,
            "upcoming_days": UPCOMING_DAYS,
            "month_count": sum(
                1 for o in found if o.start <= cal.month_end(month) and o.end >= month
            ),
            "today": today,
            "previous_query": filters.query(month=_month_param(previous)) if previous else "",
            "next_query": filters.query(month=_month_param(following)) if following else "",
            "today_query": filters.query(month=_month_param(this_month)),
            "is_this_month": month == this_month,
            "place_code": filters.place_code,
            "place": filters.unit,
            "place_error": filters.place_error,
            "category": filters.category,
            "categories": _categories(),
            "month_value": _month_param(month),
            "filtered": bool(filters.place_code or filters.category),
            "has_events": has_events,
            "can_edit": _can_edit(membership),
        },
        status=400 if filters.place_error else 200,
    )


# --- Events -------------------------------------------------------------------------------


@require_safe
@mission_view(Perm.CONTEXT_VIEW)
def events(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    language = _language(request)
    place_code = request.GET.get("place", "").strip()[:MAX_CODE]
    category = request.GET.get("category", "").strip()
    if category not in EventCategory.values:
        category = ""
    show_retired = request.GET.get("retired") == "1"
    found = selectors.event_list(
        membership=membership, category=category, place=place_code, active=not show_retired
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "event": event,
            "title": event_label(event, language),
            "rule": describe_rule(event.rule_kind, event.rule),
            "place": _place_label(event),
        }
        for event in page.object_list
    ]
    return render(
        request,
        "context/calendar/events.html",
        {
            "mission": membership.mission,
            "rows": rows,
            "page": page,
            "query": query_without_page(request),
            "place_code": place_code,
            "category": category,
            "categories": _categories(),
            "show_retired": show_retired,
            "filtered": bool(place_code or category or show_retired),
            "can_edit": _can_edit(membership),
        },
    )


def _next_occurrences(
    event: CalendarEvent, language: str, today: dt.date
) -> list[tuple[dt.date, dt.date, str]]:
    """The event's occurrences over the next two years: (start, end, Hijri date or "")."""
    try:
        rule = rule_of(event, language)
        spans = occurrences(rule, today, today + dt.timedelta(days=DETAIL_DAYS))
    except (ValueError, TypeError, OverflowError):
        return []
    offset = event.rule.get("offset_days", 0) if isinstance(event.rule, dict) else 0
    is_hijri = event.rule_kind == RuleKind.HIJRI_ANNUAL and isinstance(offset, int)
    return [
        (
            span.start,
            span.end,
            hijri_date_label(span.start, offset_days=int(offset)) if is_hijri else "",
        )
        for span in spans
    ]


@require_safe
@mission_view(Perm.CONTEXT_VIEW)
def event(request: HttpRequest, mission_slug: str, event_id: Any) -> HttpResponse:
    membership = membership_of(request)
    language = _language(request)
    found = _event_or_404(membership, event_id)
    today = mission_today(membership)
    spans = _next_occurrences(found, language, today)
    titles = event_titles(found)
    return render(
        request,
        "context/calendar/event.html",
        {
            "mission": membership.mission,
            "event": found,
            "title": event_label(found, language),
            "titles": sorted((str(k), str(v)) for k, v in titles.items() if isinstance(v, str)),
            "rule": describe_rule(found.rule_kind, found.rule),
            "rule_kind": rule_kind_label(found.rule_kind),
            "place": _place_label(found),
            "spans": spans[:60],
            "more_spans": max(0, len(spans) - 60),
            "today": today,
            "can_write": _can_write(membership, found),
        },
    )


def _resolve_place(membership: Membership, code: str) -> tuple[AdminUnit | None, Site | None, bool]:
    """The unit or site with this code in the member's area; ``ok`` False when unknown."""
    if not code:
        return None, None, True
    place = place_by_code(membership=membership, code=code)
    if isinstance(place, AdminUnit):
        return place, None, True
    if isinstance(place, Site):
        return None, place, True
    return None, None, False


def _apply_service_error(form: Any, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this here."))
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            target = "place" if name in ("admin_unit", "site") else name
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _event_form_page(
    request: HttpRequest, membership: Membership, existing: CalendarEvent | None
) -> HttpResponse:
    initial = EventForm.initial_for(existing) if existing is not None else None
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit, site, known = _resolve_place(membership, data["place"])
        if not known:
            form.add_error("place", _("No place with this code in your area."))
        else:
            values = {
                "category": data["category"],
                "title": data["title"],
                "rule_kind": data["rule_kind"],
                "rule": data["rule"],
                "titles": data["titles"],
                "note": data["note"],
                "warn": data["warn"],
                "admin_unit": unit,
                "site": site,
            }
            try:
                if existing is None:
                    saved = services.event_create(
                        actor=request.user, membership=membership, **values
                    )
                    messages.success(request, _("Event added to the calendar."))
                else:
                    saved = services.event_update(
                        actor=request.user, membership=membership, event=existing, **values
                    )
                    messages.success(request, _("Event saved."))
            except (ValidationError, PermissionDenied) as error:
                _apply_service_error(form, error)
            else:
                return redirect(_event_url(membership, saved))
    return render(
        request,
        "context/calendar/event_form.html",
        {"mission": membership.mission, "form": form, "event": existing},
        status=400 if form.is_bound and form.errors else 200,
    )


@mission_view(Perm.CONTEXT_EDIT)
def event_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    return _event_form_page(request, membership_of(request), None)


@mission_view(Perm.CONTEXT_EDIT)
def event_edit(request: HttpRequest, mission_slug: str, event_id: Any) -> HttpResponse:
    membership = membership_of(request)
    found = _event_or_404(membership, event_id)
    if not _can_write(membership, found):
        raise PermissionDenied(_("This event is outside your area."))
    return _event_form_page(request, membership, found)


@require_POST
@mission_view(Perm.CONTEXT_EDIT)
def event_retire(request: HttpRequest, mission_slug: str, event_id: Any) -> HttpResponse:
    membership = membership_of(request)
    found = _event_or_404(membership, event_id)
    try:
        services.event_retire(actor=request.user, membership=membership, event=found)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, str(error) or _("You may not do this here."))
        return redirect(_event_url(membership, found))
    messages.success(request, _("Event retired: it no longer shows or warns."))
    return redirect(reverse("cultural_calendar:events", kwargs={"mission_slug": mission_slug}))


# --- Standard holidays ----------------------------------------------------------------------


def _preview(rules: tuple[Rule, ...], today: dt.date) -> list[tuple[str, dt.date, dt.date, str]]:
    """The next occurrence of each standard holiday within a year: label, start, end, Hijri."""
    rows: list[tuple[str, dt.date, dt.date, str]] = []
    for rule in rules:
        try:
            spans = occurrences(rule, today, today + dt.timedelta(days=365))
        except ValueError:
            continue
        if spans:
            span = spans[0]
            hijri = hijri_date_label(span.start) if rule.kind == RuleKind.HIJRI_ANNUAL else ""
            rows.append((str(rule.label), span.start, span.end, hijri))
    return sorted(rows, key=lambda row: row[1])


@mission_view(Perm.CONTEXT_EDIT)
def holidays(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = HolidaysForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = None
        if data["place"]:
            unit = admin_unit_get(membership=membership, pcode=data["place"])
            if unit is None:
                form.add_error("place", _("No place with this P-code in your area."))
        if not form.errors:
            offset = int(data["offset_days"] or 0) if data["which"] == "islamic" else 0
            try:
                created = services.holidays_install(
                    actor=request.user,
                    membership=membership,
                    which=data["which"],
                    offset_days=offset,
                    admin_unit=unit,
                )
            except (ValidationError, PermissionDenied) as error:
                _apply_service_error(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d holiday added to the calendar.",
                            "%(count)d holidays added to the calendar.",
                            created,
                        )
                        % {"count": created},
                    )
                else:
                    messages.info(request, _("These holidays were already in the calendar."))
                target = reverse("cultural_calendar:home", kwargs={"mission_slug": mission_slug})
                query = urlencode({"place": unit.pcode}) if unit is not None else ""
                return redirect(f"{target}?{query}" if query else target)
    today = mission_today(membership)
    return render(
        request,
        "context/calendar/holidays.html",
        {
            "mission": membership.mission,
            "form": form,
            "islamic": _preview(islamic_holiday_rules(0), today),
            "christian": _preview(CHRISTIAN_HOLIDAYS, today),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Date check ---------------------------------------------------------------------------


@require_safe
@mission_view(Perm.CONTEXT_VIEW)
def check(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Is this date good for an activity here? The clashes (events that warn) and the other
    events on those days."""
    membership = membership_of(request)
    language = _language(request)
    asked = any(request.GET.get(name) for name in ("pcode", "date", "until"))
    form = CheckForm(request.GET if asked else None)
    context: dict[str, Any] = {"mission": membership.mission, "form": form, "checked": False}
    if asked and form.is_valid():
        data = form.cleaned_data
        unit = admin_unit_get(membership=membership, pcode=data["pcode"])
        if unit is None:
            form.add_error("pcode", _("No place with this P-code in your area."))
        else:
            first: dt.date = data["date"]
            last: dt.date = data["until"] or first
            try:
                found = selectors.activity_event_clashes(
                    membership=membership,
                    admin_unit=unit,
                    starts_at=first,
                    ends_at=last,
                    language=language,
                )
                around = selectors.occurrences_between(
                    membership=membership, start=first, end=last, unit=unit, language=language
                )
            except ValueError:
                form.add_error("date", _("Choose a date between 1925 and 2076."))
            else:
                warned = {clash.event.pk for clash in found}
                context.update(
                    {
                        "checked": True,
                        "unit": unit,
                        "first": first,
                        "last": last,
                        "clashes": found,
                        "others": [o for o in around if o.event.pk not in warned],
                    }
                )
    return render(
        request,
        "context/calendar/check.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )
