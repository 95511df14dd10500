"""Reads of the cultural calendar: events, their occurrences, and clashes with activities.

Everything starts from the visibility selectors of :mod:`palava.context.selectors` (mission,
geographic scope with inheritance). An event whose stored rule is invalid (or cannot be
expanded over the asked range, e.g. a Hijri date outside the supported table) is skipped and
logged by its public id only, never a server error.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Final

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext

from palava.context.calendar_rules import event_label, rule_of
from palava.context.hijri import to_hijri
from palava.context.models import CalendarEvent, EventCategory
from palava.context.recurrence import MAX_RANGE_DAYS, Clash, clashes, occurrences
from palava.context.recurrence.rules import Rule, RuleKind
from palava.context.selectors import (
    events_applying_to_unit,
    events_visible,
    unit_paths_applying,
)
from palava.engagement.selectors import mission_today, zone_of
from palava.missions.models import Membership
from palava.places.models import AdminUnit
from palava.places.selectors import admin_unit_get, site_get

__all__ = [
    "HIJRI_MONTHS",
    "EventClash",
    "EventOccurrence",
    "activity_clashes",
    "activity_event_clashes",
    "event_get",
    "event_list",
    "format_hijri",
    "occurrences_between",
    "upcoming",
]

logger = logging.getLogger(__name__)

#: Names of the Hijri months, 1 (Muharram) to 12.
HIJRI_MONTHS: Final = (
    gettext_lazy("Muharram"),
    gettext_lazy("Safar"),
    gettext_lazy("Rabi' al-Awwal"),
    gettext_lazy("Rabi' al-Thani"),
    gettext_lazy("Jumada al-Awwal"),
    gettext_lazy("Jumada al-Thani"),
    gettext_lazy("Rajab"),
    gettext_lazy("Sha'ban"),
    gettext_lazy("Ramadan"),
    gettext_lazy("Shawwal"),
    gettext_lazy("Dhu al-Qi'dah"),
    gettext_lazy("Dhu al-Hijjah"),
)


@dataclass(frozen=True)
class EventOccurrence:
    """One occurrence of a visible event: ``start``..``end`` inclusive, the event's title in
    the asked language, and for Islamic (Hijri) events the Hijri date of its first day."""

    event: CalendarEvent
    start: dt.date
    end: dt.date
    label: str
    hijri: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class EventClash:
    """A clash with the event it comes from (for its note and category)."""

    clash: Clash
    event: CalendarEvent

    @property
    def reason(self) -> str:
        return self.clash.reason

    @property
    def note(self) -> str:
        return self.event.note


def format_hijri(day: dt.date, *, offset_days: int = 0) -> str:
    """The Hijri date of ``day`` in the active language, e.g. ``1 Shawwal 1447``.

    ``offset_days`` is the local moon-sighting shift of the event: the observed day ``day`` is
    the Umm al-Qura date of ``day - offset_days``. Empty outside the supported range.
    """
    try:
        hijri = to_hijri(day - dt.timedelta(days=offset_days))
    except (ValueError, OverflowError):
        return ""
    return pgettext("hijri date", "%(day)s %(month)s %(year)s") % {
        "day": hijri.day,
        "month": HIJRI_MONTHS[hijri.month - 1],
        "year": hijri.year,
    }


# --- Events -------------------------------------------------------------------------------


def _place_q(membership: Membership, place: str) -> Q | None:
    """Events that concern ``place`` (a P-code or a site code the member sees): those observed
    there (mission-wide, at the place or above it) and those of places inside it. ``None``
    when the member sees no such place."""
    unit = admin_unit_get(membership=membership, pcode=place)
    if unit is not None:
        return (
            Q(admin_unit__isnull=True, site__isnull=True)
            | Q(admin_unit__path__in=unit_paths_applying(unit))
            | Q(admin_unit__path__startswith=unit.path)
            | Q(site__admin_unit__path__startswith=unit.path)
        )
    site = site_get(membership=membership, code=place)
    if site is None:
        return None
    condition = Q(admin_unit__isnull=True, site__isnull=True) | Q(site_id=site.pk)
    if site.admin_unit is not None:
        condition |= Q(admin_unit__path__in=unit_paths_applying(site.admin_unit))
    return condition


def event_list(
    *, membership: Membership, category: str = "", place: str = "", active: bool = True
) -> QuerySet[CalendarEvent]:
    """Visible events by category and title.

    ``category``: one :class:`EventCategory` value (unknown: nothing). ``place``: a P-code or
    site code; the events observed there and those of places inside it (unknown or outside
    the member's area: nothing). ``active=True``: active events only; ``False``: retired ones
    too.
    """
    found = events_visible(membership=membership).select_related("admin_unit", "site")
    if active:
        found = found.filter(is_active=True)
    if category:
        if category not in EventCategory.values:
            return found.none()
        found = found.filter(category=category)
    place = (place or "").strip()
    if place:
        condition = _place_q(membership, place[:64])
        if condition is None:
            return found.none()
        found = found.filter(condition)
    return found.order_by("category", "title", "pk")


def event_get(*, membership: Membership, public_id: object) -> CalendarEvent | None:
    """The visible event (active or retired) with this public id, or ``None``."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except (TypeError, ValueError, AttributeError):
        return None
    return (
        events_visible(membership=membership)
        .select_related("admin_unit", "site__admin_unit")
        .filter(public_id=key)
        .first()
    )


# --- Occurrences ----------------------------------------------------------------------------


def _rule_or_none(event: CalendarEvent, language: str | None) -> Rule | None:
    try:
        return rule_of(event, language)
    except (ValueError, TypeError):
        logger.warning("calendar event %s has an invalid rule; skipped", event.public_id)
        return None


def _offset_of(event: CalendarEvent) -> int:
    rule = event.rule if isinstance(event.rule, dict) else {}
    offset = rule.get("offset_days", 0)
    return offset if isinstance(offset, int) and not isinstance(offset, bool) else 0


def _expand(
    events: list[CalendarEvent], start: dt.date, end: dt.date, language: str
) -> list[EventOccurrence]:
    found: list[EventOccurrence] = []
    for event in events:
        rule = _rule_or_none(event, language)
        if rule is None:
            continue
        try:
            spans = occurrences(rule, start, end)
        except (ValueError, OverflowError):
            logger.warning("calendar event %s cannot be expanded; skipped", event.public_id)
            continue
        is_hijri = event.rule_kind == RuleKind.HIJRI_ANNUAL
        label = event_label(event, language)
        for span in spans:
            found.append(
                EventOccurrence(
                    event=event,
                    start=span.start,
                    end=span.end,
                    label=label,
                    hijri=format_hijri(span.start, offset_days=_offset_of(event))
                    if is_hijri
                    else "",
                )
            )
    found.sort(key=lambda o: (o.start, o.end, o.label.casefold(), str(o.event.public_id)))
    return found


def occurrences_between(
    *,
    membership: Membership,
    start: dt.date,
    end: dt.date,
    unit: AdminUnit | None = None,
    language: str | None = None,
    categories: tuple[str, ...] | list[str] | frozenset[str] = (),
) -> list[EventOccurrence]:
    """Occurrences overlapping ``start``..``end`` (inclusive, at most three years) of the
    active visible events, sorted by date; spans are whole (a season that began earlier keeps
    its real start).

    ``unit=None``: the member's whole visible calendar; a unit: the events observed there
    (mission-wide, the unit and the units above it, and sites of the unit). ``language``:
    titles and Hijri month names (default the active language). ``categories``: only these.
    Raises :class:`ValueError` for a reversed or too long range.
    """
    if end < start:
        raise ValueError("the range ends before it starts")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"the range is longer than {MAX_RANGE_DAYS} days")
    if unit is None:
        events = events_visible(membership=membership).filter(is_active=True)
    else:
        events = events_applying_to_unit(membership=membership, unit=unit)
    if categories:
        events = events.filter(category__in=list(categories))
    events = events.select_related("admin_unit", "site")
    language = language or translation.get_language() or "en"
    with translation.override(language):
        return _expand(list(events), start, end, language)


def upcoming(
    *,
    membership: Membership,
    unit: AdminUnit | None,
    days: int = 60,
    language: str | None = None,
    today: dt.date | None = None,
) -> list[EventOccurrence]:
    """Occurrences from ``today`` (the mission's today by default) over the next ``days``
    days (1..366), including ones under way today."""
    days = max(1, min(int(days), 366))
    first = today or mission_today(membership)
    return occurrences_between(
        membership=membership,
        start=first,
        end=first + dt.timedelta(days=days - 1),
        unit=unit,
        language=language,
    )


# --- Clashes ----------------------------------------------------------------------------------


def activity_event_clashes(
    *,
    membership: Membership,
    admin_unit: AdminUnit | None,
    starts_at: dt.datetime | dt.date,
    ends_at: dt.datetime | dt.date | None = None,
    language: str | None = None,
) -> list[EventClash]:
    """:func:`activity_clashes` with the event of each clash (for its note)."""
    events = {
        str(event.public_id): event
        for event in events_applying_to_unit(membership=membership, unit=admin_unit)
        .filter(warn=True)
        .select_related("admin_unit", "site")
    }
    language = language or translation.get_language() or "en"
    with translation.override(language):
        rules = [
            rule
            for rule in (_rule_or_none(event, language) for event in events.values())
            if rule is not None
        ]
        if ends_at is None or ends_at == starts_at:
            when: object = starts_at
        else:
            when = (starts_at, ends_at)
        try:
            found = clashes(rules, when, tz=zone_of(membership.mission))  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            # A reversed span or a naive datetime: the caller's own validation reports it.
            return []
    return [EventClash(clash=clash, event=events[clash.occurrence.key]) for clash in found]


def activity_clashes(
    *,
    membership: Membership,
    admin_unit: AdminUnit | None,
    starts_at: dt.datetime | dt.date,
    ends_at: dt.datetime | dt.date | None = None,
    language: str | None = None,
) -> list[Clash]:
    """Events with a warning that overlap an activity at ``admin_unit`` from ``starts_at`` to
    ``ends_at`` (aware datetimes, compared as dates in the mission's time zone; or dates),
    sorted by date, each with its reason, e.g. ``Eid al-Fitr (20\u201322 March 2026)``."""
    return [
        found.clash
        for found in activity_event_clashes(
            membership=membership,
            admin_unit=admin_unit,
            starts_at=starts_at,
            ends_at=ends_at,
            language=language,
        )
    ]
