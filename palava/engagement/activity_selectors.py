"""Reads about activities, always from ``selectors.activities_visible`` (mission, scope).

Named participants are split by the reader's clearance and scope (``actors_visible``): the
hidden ones are only counted, never named. Attendance shares of one activity:

- women: people counted with sex ``f`` / all people counted;
- youth: people in the 18-35 age band / all people counted;
- minority: people counted in the ``minority`` group / all people counted.

A share is ``None`` when nobody was counted.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from palava.actors.selectors import actors_visible
from palava.engagement.models import (
    Activity,
    ActivityIssue,
    AgeBand,
    AttendanceCount,
    Commitment,
    CountSex,
    Document,
    Participant,
    ParticipantGroup,
)
from palava.engagement.selectors import activities_visible, commitments_visible
from palava.feedback.models import Message
from palava.feedback.selectors import label_of, messages_visible
from palava.missions.models import Membership
from palava.places.models import AdminUnit
from palava.places.text import fold


@dataclass(frozen=True)
class ActivityFilters:
    """Filters of the list and the API; empty values do not filter."""

    activity_type: str = ""
    status: str = ""
    place: str = ""  # P-code: the unit and everything inside it
    since: dt.date | None = None  # first day (mission time zone)
    until: dt.date | None = None  # last day, inclusive
    query: str = ""


def parse_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _day_start(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def activity_list(
    *, membership: Membership, filters: ActivityFilters | None = None
) -> QuerySet[Activity]:
    """Visible activities matching ``filters``, newest first, with place and counts."""
    filters = filters or ActivityFilters()
    found = activities_visible(membership=membership)
    if filters.activity_type:
        found = found.filter(activity_type=filters.activity_type)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.place:
        unit = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=filters.place.strip()
        ).first()
        if unit is None:
            return found.none()
        found = found.filter(admin_unit__path__startswith=unit.path)
    tz = zoneinfo.ZoneInfo(membership.mission.time_zone)
    if filters.since is not None:
        found = found.filter(starts_at__gte=_day_start(filters.since, tz))
    if filters.until is not None:
        found = found.filter(starts_at__lt=_day_start(filters.until + dt.timedelta(days=1), tz))
    if filters.query:
        text = filters.query.strip()[:200]
        found = found.filter(
            Q(title__icontains=text)
            | Q(venue__icontains=text)
            | Q(admin_unit__name__icontains=text)
            | Q(admin_unit__pcode__iexact=text)
        )
    return (
        found.select_related("admin_unit", "site")
        .annotate(
            participant_count=Count("participants", distinct=True),
            issue_count=Count("issues", distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def activity_get(*, membership: Membership, public_id: Any) -> Activity | None:
    """The visible activity with this public id (None for a bad id or one out of reach)."""
    key = parse_uuid(public_id)
    if key is None:
        return None
    return (
        activities_visible(membership=membership)
        .select_related("admin_unit", "site", "follow_up_of", "mission")
        .prefetch_related("places", "facilitators")
        .filter(public_id=key)
        .first()
    )


def activity_choices(*, membership: Membership, limit: int = 200) -> QuerySet[Activity]:
    """Recent visible activities, e.g. to pick the one a new activity follows up on."""
    return activities_visible(membership=membership).order_by("-starts_at", "-id")[:limit]


# --- Attendance ------------------------------------------------------------------------------


@dataclass
class Attendance:
    """Attendance cells of one activity with totals and inclusion shares."""

    cells: dict[tuple[str, str, str], int] = field(default_factory=dict)
    total: int = 0
    by_sex: dict[str, int] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, int] = field(default_factory=dict)

    def share(self, count: int) -> float | None:
        return round(100 * count / self.total, 1) if self.total else None

    @property
    def women_pct(self) -> float | None:
        return self.share(self.by_sex.get(CountSex.FEMALE, 0))

    @property
    def youth_pct(self) -> float | None:
        return self.share(self.by_age.get(AgeBand.YOUTH, 0))

    @property
    def minority_pct(self) -> float | None:
        return self.share(self.by_group.get(ParticipantGroup.MINORITY, 0))


def attendance_of(activity: Activity) -> Attendance:
    result = Attendance()
    by_sex: dict[str, int] = defaultdict(int)
    by_age: dict[str, int] = defaultdict(int)
    by_group: dict[str, int] = defaultdict(int)
    for row in AttendanceCount.objects.filter(activity=activity).only(
        "sex", "age_band", "group", "count"
    ):
        result.cells[(row.sex, row.age_band, row.group)] = row.count
        result.total += row.count
        by_sex[row.sex] += row.count
        by_age[row.age_band] += row.count
        by_group[row.group] += row.count
    result.by_sex, result.by_age, result.by_group = dict(by_sex), dict(by_age), dict(by_group)
    return result


# --- Detail ----------------------------------------------------------------------------------


@dataclass
class ActivityDetail:
    activity: Activity
    participants: list[Participant]
    hidden_participants: int
    attendance: Attendance
    issues: list[ActivityIssue]
    commitments: list[Commitment]
    follow_ups: list[Activity]
    documents: list[Document]


def participants_split(
    *, membership: Membership, activity: Activity
) -> tuple[list[Participant], int]:
    """The participants whose actor the member may see, and how many others there are."""
    everyone = Participant.objects.filter(activity=activity)
    visible_ids = actors_visible(membership=membership, include_inactive=True).values("pk")
    shown = list(
        everyone.filter(actor_id__in=visible_ids)
        .select_related("actor", "actor__admin_unit")
        .order_by("actor__name", "id")
    )
    hidden = everyone.exclude(actor_id__in=visible_ids).count()
    return shown, hidden


def participant_get(
    *, membership: Membership, activity: Activity, public_id: Any
) -> Participant | None:
    """A participant of ``activity`` whose actor the member may see."""
    key = parse_uuid(public_id)
    if key is None:
        return None
    visible_ids = actors_visible(membership=membership, include_inactive=True).values("pk")
    return (
        Participant.objects.filter(activity=activity, public_id=key, actor_id__in=visible_ids)
        .select_related("actor", "activity", "activity__mission")
        .first()
    )


def issue_get(*, activity: Activity, public_id: Any) -> ActivityIssue | None:
    key = parse_uuid(public_id)
    if key is None:
        return None
    return (
        ActivityIssue.objects.filter(activity=activity, public_id=key)
        .select_related("activity", "activity__mission")
        .first()
    )


def issues_of(*, membership: Membership, activity: Activity) -> list[ActivityIssue]:
    """Issues raised, each with only the linked messages the member may see."""
    return list(
        ActivityIssue.objects.filter(activity=activity)
        .select_related("category", "category__parent")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=messages_visible(membership).only("public_id", "received_at"),
                to_attr="visible_messages",
            )
        )
        .order_by("created_at", "id")
    )


def commitments_of(*, membership: Membership, activity: Activity) -> list[Commitment]:
    return list(
        commitments_visible(membership=membership)
        .filter(activity=activity)
        .order_by("due_date", "number")
    )


def follow_ups_of(*, membership: Membership, activity: Activity) -> list[Activity]:
    return list(
        activities_visible(membership=membership)
        .filter(follow_up_of=activity)
        .select_related("admin_unit")
        .order_by("starts_at", "id")
    )


def documents_of(activity: Activity) -> list[Document]:
    return list(
        Document.objects.filter(activity=activity).defer("content").order_by("-created_at", "-id")
    )


def activity_detail(*, membership: Membership, activity: Activity) -> ActivityDetail:
    shown, hidden = participants_split(membership=membership, activity=activity)
    return ActivityDetail(
        activity=activity,
        participants=shown,
        hidden_participants=hidden,
        attendance=attendance_of(activity),
        issues=issues_of(membership=membership, activity=activity),
        commitments=commitments_of(membership=membership, activity=activity),
        follow_ups=follow_ups_of(membership=membership, activity=activity),
        documents=documents_of(activity),
    )


# --- Pickers ---------------------------------------------------------------------------------


def actor_choices(*, membership: Membership, query: str = "", limit: int = 50) -> list[Any]:
    """Visible active actors to add as participants, matching ``query`` (name) when given."""
    found = actors_visible(membership=membership)
    words = fold(query).split()[:5] if query.strip() else []
    for word in words:
        found = found.filter(search_text__contains=word)
    return list(found.order_by("name", "id").only("public_id", "name")[:limit])


def actor_visible_get(*, membership: Membership, public_id: Any) -> Any:
    key = parse_uuid(public_id)
    if key is None:
        return None
    return actors_visible(membership=membership).filter(public_id=key).first()


def recent_messages(
    *, membership: Membership, place: AdminUnit | None = None, limit: int = 30
) -> list[Message]:
    """Recent messages the member may see (none without ``message.view``), from ``place`` and
    the places inside it when given (an issue raised at a forum is about its own area)."""
    found = messages_visible(membership)
    if place is not None:
        found = found.filter(admin_unit__path__startswith=place.path)
    return list(
        found.select_related("category", "admin_unit")
        .only("public_id", "received_at", "category__code", "category__name", "admin_unit__name")
        .order_by("-received_at")[:limit]
    )


def message_label(message: Message) -> str:
    """``2026-03-02 14:05 · Water · Kalehe · 1a2b3c4d``: when, category, place, short id."""
    parts = [f"{message.received_at:%Y-%m-%d %H:%M}"]
    if message.category is not None:
        parts.append(label_of(message.category))
    if message.admin_unit is not None:
        parts.append(message.admin_unit.name)
    parts.append(str(message.public_id)[:8])
    return " · ".join(parts)


def messages_by_ids(*, membership: Membership, public_ids: list[str]) -> list[Message] | None:
    """The visible messages with these public ids; None when one is unknown or out of reach."""
    parsed = [parse_uuid(value) for value in public_ids]
    unique = {key for key in parsed if key is not None}
    if len(unique) != len(set(parsed)):
        return None
    found = list(messages_visible(membership).filter(public_id__in=unique))
    return found if len(found) == len(unique) else None
