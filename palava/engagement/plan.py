"""The engagement plan: what is due where, one row per place of the member's area.

Rows are the places of a chosen admin level inside the member's scope; a scoped member whose
own areas lie deeper than that level also gets a row for each of those areas (its ancestor at
the level is outside the scope, so it must not appear). Each record counts for the row whose
path is a prefix of its place's path (``AdminUnit.path``), so a village's activity counts for
its territory.

Per row:

- last activity held (status held, started by now; main place or another place taking part),
  and the days since then in the mission's time zone;
- next planned activity (status planned, starting from now);
- open commitments (pending or in progress): how many, how many overdue (due before today),
  and the next due date that is not yet past;
- pending project deliverables due from today to 30 days ahead;
- "never engaged" (no held activity at all) or "not engaged within N days" (the last one held
  more than N days ago; N = ``EngagementSettings.coverage_days``).

Sorted most in need of attention first: overdue commitments (more first), then never engaged,
then not engaged within N days (longest ago first), then the soonest open commitment or
deliverable due, then by name.

Each figure is one aggregate query grouped by place (six queries in all, whatever the number of
places), then folded into the rows in Python by path prefix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from palava.engagement.models import (
    OPEN_STATUSES,
    ActivityStatus,
    Deliverable,
    DeliverableStatus,
)
from palava.engagement.selectors import (
    activities_visible,
    commitments_visible,
    engagement_settings_get,
    mission_today,
    mission_zone,
    projects_visible,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

DEFAULT_LEVEL = 2
DELIVERABLE_DAYS = 30


@dataclass
class PlanRow:
    pcode: str
    name: str
    level: int
    path: str
    last_held: dt.date | None = None
    days_since: int | None = None
    next_planned: dt.datetime | None = None
    open_commitments: int = 0
    overdue_commitments: int = 0
    next_due: dt.date | None = None
    deliverables_due: int = 0
    next_deliverable: dt.date | None = None
    never_engaged: bool = True
    not_engaged: bool = False

    @property
    def needs_attention(self) -> bool:
        return self.overdue_commitments > 0 or self.never_engaged or self.not_engaged


@dataclass(frozen=True)
class Plan:
    level: int
    levels: list[int]
    coverage_days: int
    today: dt.date
    rows: list[PlanRow]


# --- Pure helpers ----------------------------------------------------------------------------


def path_prefixes(path: str) -> list[str]:
    """``/A/B/C/`` -> ``["/A/", "/A/B/", "/A/B/C/"]`` (outermost first)."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def row_for(path: str, rows_by_path: dict[str, PlanRow]) -> PlanRow | None:
    """The row whose path is the longest prefix of ``path`` (rows never nest at one level, but
    a scoped member's deeper area can sit inside none of the others)."""
    found = None
    for prefix in path_prefixes(path):
        row = rows_by_path.get(prefix)
        if row is not None:
            found = row
    return found


def _min(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def finish_row(row: PlanRow, today: dt.date, coverage_days: int) -> PlanRow:
    row.never_engaged = row.last_held is None
    if row.last_held is not None:
        row.days_since = (today - row.last_held).days
        row.not_engaged = row.days_since > coverage_days
    return row


def attention_key(row: PlanRow) -> tuple[int, int, int, int, dt.date, str, str]:
    """Sort key: most in need of attention first (see the module docstring)."""
    soonest = _min(row.next_due, row.next_deliverable) or dt.date.max
    days = row.days_since if row.days_since is not None else 0
    return (
        -row.overdue_commitments,
        0 if row.never_engaged else 1,
        0 if row.not_engaged else 1,
        -days,
        soonest,
        row.name.casefold(),
        row.pcode,
    )


def sort_rows(rows: Iterable[PlanRow]) -> list[PlanRow]:
    return sorted(rows, key=attention_key)


# --- Reads -----------------------------------------------------------------------------------


def plan_levels(membership: Membership) -> list[int]:
    """Admin levels with places in the member's scope."""
    return sorted(
        set(
            AdminUnit.objects.filter(scope_for(membership).q(""), mission_id=membership.mission_id)
            .values_list("level", flat=True)
            .distinct()
        )
    )


def choose_level(requested: str | int | None, levels: list[int]) -> int:
    """The requested level (2 by default) if it has places, else the nearest one that has."""
    try:
        wanted = int(requested) if requested not in (None, "") else DEFAULT_LEVEL
    except (TypeError, ValueError):
        wanted = DEFAULT_LEVEL
    if not levels or wanted in levels:
        return wanted
    return min(levels, key=lambda level: (abs(level - wanted), level))


def _row_units(membership: Membership, level: int) -> list[AdminUnit]:
    scope = scope_for(membership)
    units = list(
        AdminUnit.objects.filter(scope.q(""), mission_id=membership.mission_id, level=level)
        .only("pcode", "name", "level", "path")
        .order_by("path")
    )
    if scope.paths:
        deeper = AdminUnit.objects.filter(
            mission_id=membership.mission_id, path__in=scope.paths, level__gt=level
        ).only("pcode", "name", "level", "path")
        units.extend(deeper)
    return units


def plan_build(
    *,
    membership: Membership,
    level: str | int | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    levels = plan_levels(membership)
    chosen = choose_level(level, levels)
    zone = mission_zone(membership)
    now = now or timezone.now()
    today = today or mission_today(membership)
    coverage_days = int(engagement_settings_get(membership.mission).coverage_days)
    rows = [
        PlanRow(pcode=u.pcode, name=u.name, level=u.level, path=u.path)
        for u in _row_units(membership, chosen)
    ]
    by_path = {row.path: row for row in rows}
    if rows and role_has(membership.role, Perm.ACTIVITY_VIEW):
        _fold_activities(membership, by_path, now, zone)
    if rows and role_has(membership.role, Perm.COMMITMENT_VIEW):
        _fold_commitments(membership, by_path, today)
    if rows and role_has(membership.role, Perm.PARTNER_VIEW):
        _fold_deliverables(membership, by_path, today)
    for row in rows:
        finish_row(row, today, coverage_days)
    return Plan(
        level=chosen,
        levels=levels,
        coverage_days=coverage_days,
        today=today,
        rows=sort_rows(rows),
    )


def _local_date(value: dt.datetime | None, zone: dt.tzinfo) -> dt.date | None:
    return value.astimezone(zone).date() if value is not None else None


def _fold_activities(
    membership: Membership, by_path: dict[str, PlanRow], now: dt.datetime, zone: dt.tzinfo
) -> None:
    visible = activities_visible(membership=membership)
    held = Q(status=ActivityStatus.HELD, starts_at__lte=now)
    planned = Q(status=ActivityStatus.PLANNED, starts_at__gte=now)
    for field in ("admin_unit__path", "places__path"):
        grouped = (
            visible.filter(**{f"{field}__isnull": False})
            .values(field)
            .annotate(last=Max("starts_at", filter=held), upcoming=Min("starts_at", filter=planned))
            .order_by()
        )
        for entry in grouped:
            row = row_for(entry[field], by_path)
            if row is None:
                continue
            row.last_held = _max(row.last_held, _local_date(entry["last"], zone))
            upcoming = entry["upcoming"]
            if upcoming is not None and (row.next_planned is None or upcoming < row.next_planned):
                row.next_planned = upcoming


def _fold_commitments(membership: Membership, by_path: dict[str, PlanRow], today: dt.date) -> None:
    grouped = (
        commitments_visible(membership=membership)
        .filter(status__in=OPEN_STATUSES)
        .values("admin_unit__path")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(due_date__lt=today)),
            next_due=Min("due_date", filter=Q(due_date__gte=today)),
        )
        .order_by()
    )
    for entry in grouped:
        row = row_for(entry["admin_unit__path"], by_path)
        if row is None:
            continue
        row.open_commitments += entry["total"]
        row.overdue_commitments += entry["overdue"]
        row.next_due = _min(row.next_due, entry["next_due"])


def _fold_deliverables(membership: Membership, by_path: dict[str, PlanRow], today: dt.date) -> None:
    grouped = (
        Deliverable.objects.filter(
            project__in=projects_visible(membership=membership),
            status=DeliverableStatus.PENDING,
            due_on__gte=today,
            due_on__lte=today + dt.timedelta(days=DELIVERABLE_DAYS),
        )
        .values("project__admin_unit__path")
        .annotate(total=Count("id"), soonest=Min("due_on"))
        .order_by()
    )
    for entry in grouped:
        row = row_for(entry["project__admin_unit__path"], by_path)
        if row is None:
            continue
        row.deliverables_due += entry["total"]
        row.next_deliverable = _min(row.next_deliverable, entry["soonest"])
