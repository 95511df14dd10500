"""What the calendar shows, read through the visibility selectors (mission, scope, clearance).

- activities starting in the range (every status; cancelled ones flagged);
- open commitments (pending, in progress) due in the range, overdue before today;
- pending project deliverables due in the range.

Items carry titles, references and place names only: no names of people (``made_by_name`` and
``made_to_name`` of commitments may name people, so they never appear).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.engagement.calendar import (
    KIND_ACTIVITY,
    KIND_COMMITMENT,
    KIND_DELIVERABLE,
    CalendarItem,
    sort_items,
)
from palava.engagement.models import (
    OPEN_STATUSES,
    ActivityStatus,
    ActivityType,
    CommitmentStatus,
    Deliverable,
    DeliverableStatus,
)
from palava.engagement.selectors import (
    activities_visible,
    commitments_visible,
    mission_zone,
    projects_visible,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

MAX_RANGE_DAYS = 366

# The "type" filter: an activity type, or one of these.
TYPE_COMMITMENTS = "commitments"
TYPE_DELIVERABLES = "deliverables"


@dataclass(frozen=True)
class CalendarFilters:
    place: AdminUnit | None = None
    type: str = ""


def type_choices() -> list[tuple[str, str]]:
    return [
        *((str(value), str(label)) for value, label in ActivityType.choices),
        (TYPE_COMMITMENTS, _("Commitments due")),
        (TYPE_DELIVERABLES, _("Project deliverables due")),
    ]


def place_get(*, membership: Membership, pcode: str) -> AdminUnit | None:
    """A place of the member's scope by P-code (case-insensitive), or None."""
    pcode = (pcode or "").strip()
    if not pcode or len(pcode) > 50:
        return None
    return (
        AdminUnit.objects.filter(scope_for(membership).q(""), mission_id=membership.mission_id)
        .filter(pcode__iexact=pcode)
        .first()
    )


def _wants(filters: CalendarFilters, kind: str) -> bool:
    chosen = filters.type
    if not chosen:
        return True
    if kind == KIND_COMMITMENT:
        return chosen == TYPE_COMMITMENTS
    if kind == KIND_DELIVERABLE:
        return chosen == TYPE_DELIVERABLES
    return chosen in ActivityType.values


def calendar_items(
    *,
    membership: Membership,
    start: dt.date,
    end: dt.date,
    filters: CalendarFilters | None = None,
    today: dt.date | None = None,
) -> list[CalendarItem]:
    """Everything visible to ``membership`` on the days ``start`` to ``end`` (inclusive)."""
    filters = filters or CalendarFilters()
    if end < start:
        return []
    end = min(end, start + dt.timedelta(days=MAX_RANGE_DAYS - 1))
    zone = mission_zone(membership)
    today = today or timezone.localdate(timezone=zone)
    slug = membership.mission.slug
    role = membership.role
    items: list[CalendarItem] = []
    if _wants(filters, KIND_ACTIVITY) and role_has(role, Perm.ACTIVITY_VIEW):
        items.extend(_activities(membership, start, end, filters, zone, slug))
    if _wants(filters, KIND_COMMITMENT) and role_has(role, Perm.COMMITMENT_VIEW):
        items.extend(_commitments(membership, start, end, filters, today, slug))
    if _wants(filters, KIND_DELIVERABLE) and role_has(role, Perm.PARTNER_VIEW):
        items.extend(_deliverables(membership, start, end, filters, today, slug))
    return sort_items(items)


def _activities(
    membership: Membership,
    start: dt.date,
    end: dt.date,
    filters: CalendarFilters,
    zone: zoneinfo.ZoneInfo,
    slug: str,
) -> list[CalendarItem]:
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    found = activities_visible(membership=membership).filter(
        starts_at__gte=begin, starts_at__lt=stop
    )
    if filters.place is not None:
        found = found.filter(admin_unit__path__startswith=filters.place.path)
    if filters.type in ActivityType.values:
        found = found.filter(activity_type=filters.type)
    rows = found.select_related("admin_unit").order_by("starts_at", "id")
    items = []
    for activity in rows:
        local = activity.starts_at.astimezone(zone)
        items.append(
            CalendarItem(
                kind=KIND_ACTIVITY,
                uid=f"activity-{activity.public_id}@palava",
                day=local.date(),
                title=activity.title,
                reference=activity.title,
                place_name=activity.admin_unit.name,
                place_pcode=activity.admin_unit.pcode,
                url=_link("activities:detail", slug, activity_id=activity.public_id),
                status=activity.status,
                status_label=str(activity.get_status_display()),
                type_code=activity.activity_type,
                type_label=str(activity.get_activity_type_display()),
                at=activity.starts_at,
                ends_at=activity.ends_at,
                cancelled=activity.status == ActivityStatus.CANCELLED,
            )
        )
    return items


def _commitments(
    membership: Membership,
    start: dt.date,
    end: dt.date,
    filters: CalendarFilters,
    today: dt.date,
    slug: str,
) -> list[CalendarItem]:
    found = commitments_visible(membership=membership).filter(
        status__in=OPEN_STATUSES, due_date__gte=start, due_date__lte=end
    )
    if filters.place is not None:
        found = found.filter(admin_unit__path__startswith=filters.place.path)
    rows = found.select_related("admin_unit").order_by("due_date", "number")
    items = []
    for commitment in rows:
        assert commitment.due_date is not None
        items.append(
            CalendarItem(
                kind=KIND_COMMITMENT,
                uid=f"commitment-{commitment.public_id}@palava",
                day=commitment.due_date,
                title=commitment.reference,
                reference=commitment.reference,
                place_name=commitment.admin_unit.name,
                place_pcode=commitment.admin_unit.pcode,
                url=_link("commitments:detail", slug, commitment_id=commitment.public_id),
                status=commitment.status,
                status_label=str(CommitmentStatus(commitment.status).label),
                type_label=str(_("Commitment due")),
                overdue=commitment.due_date < today,
            )
        )
    return items


def _deliverables(
    membership: Membership,
    start: dt.date,
    end: dt.date,
    filters: CalendarFilters,
    today: dt.date,
    slug: str,
) -> list[CalendarItem]:
    projects = projects_visible(membership=membership)
    if filters.place is not None:
        projects = projects.filter(admin_unit__path__startswith=filters.place.path)
    rows = (
        Deliverable.objects.filter(
            project__in=projects,
            status=DeliverableStatus.PENDING,
            due_on__gte=start,
            due_on__lte=end,
        )
        .select_related("project", "project__admin_unit")
        .order_by("due_on", "id")
    )
    items = []
    for deliverable in rows:
        assert deliverable.due_on is not None
        project = deliverable.project
        items.append(
            CalendarItem(
                kind=KIND_DELIVERABLE,
                uid=f"deliverable-{deliverable.public_id}@palava",
                day=deliverable.due_on,
                title=project.title,
                reference=project.code,
                place_name=project.admin_unit.name,
                place_pcode=project.admin_unit.pcode,
                url=_link("projects:detail", slug, project_id=project.public_id),
                status=deliverable.status,
                status_label=str(DeliverableStatus(deliverable.status).label),
                type_label=str(_("Deliverable due")),
                overdue=deliverable.due_on < today,
            )
        )
    return items


def _link(name: str, slug: str, **kwargs: object) -> str:
    """The record's page, or "" while that page does not exist (areas are built in parallel)."""
    try:
        return reverse(name, kwargs={"mission_slug": slug, **kwargs})
    except NoReverseMatch:
        return ""


def item_summary(item: CalendarItem) -> str:
    """The one-line title of an item in the iCalendar file (titles and references only)."""
    if item.kind == KIND_COMMITMENT:
        return _("Commitment %(ref)s due") % {"ref": item.reference}
    if item.kind == KIND_DELIVERABLE:
        return _("Deliverable due: %(code)s %(title)s") % {
            "code": item.reference,
            "title": item.title,
        }
    return f"{item.title} ({item.type_label})"
