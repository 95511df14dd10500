"""Reads about the rumour log: the list with filters, one rumour, its linked messages, its
spread over time and places, and messages to link.

A rumour is visible to members with ``rumour.view`` whose scope contains its main place (a
rumour without a place: whole-mission members only). Linked messages, counts and the spread
chart are computed on :func:`palava.feedback.selectors.messages_visible`: a restricted message
linked by someone allowed to see it is never listed, counted or found by a role that may not
see it.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from palava.feedback import selectors as message_selectors
from palava.feedback.models import Message, Rumour, RumourMessage
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for
from palava.places.text import fold

MAX_SPREAD_DAYS = 120
SEARCH_RESULTS = 20


def rumours_visible(membership: Membership) -> QuerySet[Rumour]:
    if not membership.is_active or not role_has(membership.role, Perm.RUMOUR_VIEW):
        return Rumour.objects.none()
    return Rumour.objects.filter(
        scope_for(membership).q("admin_unit"), mission_id=membership.mission_id
    )


@dataclass(frozen=True)
class RumourFilters:
    status: str = ""
    risk: str = ""
    place: str = ""  # P-code: the rumour's main place or one of its places, inside it
    category: str = ""
    query: str = ""


def rumour_list(
    *, membership: Membership, filters: RumourFilters | None = None
) -> QuerySet[Rumour]:
    filters = filters or RumourFilters()
    found = rumours_visible(membership)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.risk:
        found = found.filter(risk=filters.risk)
    if filters.category:
        found = found.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.place:
        unit = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=filters.place
        ).first()
        if unit is None:
            return found.none()
        in_places = Rumour.places.through.objects.filter(
            adminunit__path__startswith=unit.path
        ).values("rumour_id")
        found = found.filter(Q(admin_unit__path__startswith=unit.path) | Q(pk__in=in_places))
    words = fold(filters.query[:200]).split()[:10]
    if words:  # case- and accent-folded, like the inbox (a rumour log holds hundreds, not more)
        matching = [
            pk
            for pk, claim in found.values_list("pk", "claim")
            if all(word in fold(claim) for word in words)
        ]
        found = found.filter(pk__in=matching)
    visible_links = RumourMessage.objects.filter(
        message__in=message_selectors.messages_visible(membership)
    )
    return (
        found.select_related("admin_unit", "category", "owner")
        .annotate(
            message_count=Count(
                "rumour_messages",
                filter=Q(rumour_messages__in=visible_links),
                distinct=True,
            )
        )
        .order_by("-last_seen_at", "-id")
    )


def rumour_get(*, membership: Membership, public_id: uuid.UUID | str) -> Rumour | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        rumours_visible(membership)
        .select_related("mission", "admin_unit", "category", "owner", "counter_broadcast")
        .prefetch_related("places")
        .filter(public_id=key)
        .first()
    )


def rumour_messages(*, membership: Membership, rumour: Rumour) -> QuerySet[Message]:
    """The linked messages the member may see, newest first."""
    return (
        message_selectors.messages_visible(membership)
        .filter(pk__in=RumourMessage.objects.filter(rumour=rumour).values("message_id"))
        .select_related("channel", "category", "category__parent", "admin_unit")
        .defer(*message_selectors.SECRET_FIELDS)
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class Spread:
    days: list[tuple[date, int]]
    places: list[tuple[AdminUnit | None, int]]
    channels: list[tuple[str, int]]
    total: int
    by_place_days: dict[str, list[tuple[date, int]]] = field(default_factory=dict)


def rumour_spread(*, membership: Membership, rumour: Rumour) -> Spread:
    """Linked visible messages per day (mission time zone, every day from the first to the
    last, at most 120), per place and per channel."""
    tz = zoneinfo.ZoneInfo(rumour.mission.time_zone)
    rows = list(
        rumour_messages(membership=membership, rumour=rumour).values_list(
            "received_at", "admin_unit_id", "channel__name"
        )
    )
    per_day: Counter[date] = Counter()
    per_place: Counter[int | None] = Counter()
    per_channel: Counter[str] = Counter()
    place_day: dict[int | None, Counter[date]] = {}
    for received_at, unit_id, channel in rows:
        day = received_at.astimezone(tz).date()
        per_day[day] += 1
        per_place[unit_id] += 1
        per_channel[channel] += 1
        place_day.setdefault(unit_id, Counter())[day] += 1
    days: list[tuple[date, int]] = []
    if per_day:
        last = max(per_day)
        first = max(min(per_day), last - timedelta(days=MAX_SPREAD_DAYS - 1))
        span = (last - first).days + 1
        every_day = [first + timedelta(days=i) for i in range(span)]
        days = [(day, per_day[day]) for day in every_day]
    units = AdminUnit.objects.in_bulk([pk for pk in per_place if pk is not None])
    places = sorted(
        ((units.get(pk) if pk is not None else None, n) for pk, n in per_place.items()),
        key=lambda kv: (-kv[1], kv[0].name if kv[0] else ""),
    )
    busiest = sorted(
        (pk for pk in place_day if pk is not None and pk in units),
        key=lambda pk: (-per_place[pk], units[pk].name),
    )
    by_place_days = {units[pk].name: [(d, place_day[pk][d]) for d, _n in days] for pk in busiest}
    return Spread(
        days=days,
        places=places,
        channels=sorted(per_channel.items(), key=lambda kv: -kv[1]),
        total=len(rows),
        by_place_days=by_place_days,
    )


def linkable_messages(*, membership: Membership, rumour: Rumour, query: str) -> QuerySet[Message]:
    """Visible messages not yet linked, matching the words of ``query`` (newest first)."""
    found = (
        message_selectors.messages_visible(membership)
        .exclude(pk__in=RumourMessage.objects.filter(rumour=rumour).values("message_id"))
        .select_related("channel", "category", "admin_unit")
        .defer(*message_selectors.SECRET_FIELDS)
    )
    words = fold(query[:200]).split()[:10]
    if not words:
        return found.none()
    for word in words:
        found = found.filter(search_text__contains=word)
    return found.order_by("-received_at", "-id")[:SEARCH_RESULTS]
