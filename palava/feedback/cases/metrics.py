"""Metrics of the alert-to-response chain: how fast cases are acknowledged and answered, how
often the reporter hears back, how often the SLA is broken; in total and by place, category,
case type, week or month. Read-only (a selector module): the page and the API call
:func:`case_metrics`.

Definitions (kept here, shown on the page, documented in the API):

- **Time to acknowledge** = ``acknowledged_at - opened_at``; **time to respond** =
  ``response_dispatched_at - opened_at``. Only cases that reached that step count; open cases
  that have not reached it yet show up in the breach counts instead.
- **Median and 90th percentile**: linear interpolation between closest ranks (numpy's
  default), so 1..10 minutes give a median of
  5.5 and a p90 of 9.1 minutes.
- **Reporter informed**: among *finished* cases (resolved, unfounded, reporter informed or
  closed), the share with ``reporter_informed_at`` set. A case closed without informing counts
  as "not informed"; open cases are not counted yet.
- **SLA breach**: acknowledgement later than ``acknowledge_due_at`` (or still missing after
  it); response later than ``respond_due_at`` (or still missing after it). The response
  clock stops at the response or at an "unfounded" decision, like the escalation timer.
  Breaches are computed from the timestamps, so they do not depend on the escalation task
  having run.
- The period filter and the week/month groups use the case's opening time in the mission's
  time zone. Weeks start on Monday.

Only cases the member may see are counted: the mission, the member's geographic scope (cases
not placed only for whole-mission members) and the restricted rule (restricted cases only for
roles with ``message.restricted_view``), so an aggregate never leaks a hidden case.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from palava.feedback.cases.selectors import cases_visible
from palava.feedback.models import Case, CaseStatus, CaseType, Category, Urgency
from palava.feedback.taxonomy import category_label
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit

GROUP_PLACE = "place"
GROUP_CATEGORY = "category"
GROUP_TYPE = "type"
GROUP_WEEK = "week"
GROUP_MONTH = "month"
GROUPS: tuple[str, ...] = (GROUP_PLACE, GROUP_CATEGORY, GROUP_TYPE, GROUP_WEEK, GROUP_MONTH)
NONE_KEY = "none"  # the group of cases without a place or a category
FINISHED: frozenset[str] = frozenset(
    {CaseStatus.RESOLVED, CaseStatus.UNFOUNDED, CaseStatus.REPORTER_INFORMED, CaseStatus.CLOSED}
)
ENDED_WITHOUT_RESPONSE: frozenset[str] = frozenset(
    {CaseStatus.UNFOUNDED, CaseStatus.REPORTER_INFORMED, CaseStatus.CLOSED}
)
MAX_LEVEL = 3
_FIELDS = (
    "id",
    "case_type",
    "status",
    "urgency",
    "admin_unit_id",
    "category_id",
    "opened_at",
    "acknowledged_at",
    "verified_at",
    "response_dispatched_at",
    "reporter_informed_at",
    "closed_at",
    "acknowledge_due_at",
    "respond_due_at",
)


@dataclass(frozen=True)
class MetricsFilters:
    """Which cases to count and how to group them; empty values do not filter."""

    since: date | None = None  # first day opened (mission time zone)
    until: date | None = None  # last day opened, inclusive
    place: str = ""  # P-code: the unit and everything inside it
    category: str = ""  # category code; a parent includes its children
    case_type: str = ""
    urgency: str = ""
    group_by: str = GROUP_PLACE
    level: int = 1  # admin level of the place groups


@dataclass
class Figures:
    """The figures of one set of cases; durations in seconds (``None``: nothing to measure)."""

    cases: int = 0
    acknowledged: int = 0
    responded: int = 0
    ack_median: float | None = None
    ack_p90: float | None = None
    respond_median: float | None = None
    respond_p90: float | None = None
    finished: int = 0
    informed: int = 0
    ack_breaches: int = 0
    respond_breaches: int = 0
    breached: int = 0  # cases with at least one breach

    @property
    def informed_share(self) -> float | None:
        return self.informed / self.finished if self.finished else None

    @property
    def breach_rate(self) -> float | None:
        return self.breached / self.cases if self.cases else None


@dataclass(frozen=True)
class Group:
    key: str  # P-code, category code, case type, ISO date of the week's/month's first day
    label: str
    figures: Figures


@dataclass(frozen=True)
class Metrics:
    totals: Figures
    groups: list[Group] = field(default_factory=list)
    group_by: str = GROUP_PLACE
    level: int = 1
    computed_at: datetime | None = None


# --- Statistics -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _breached(due: datetime | None, done: datetime | None, now: datetime) -> bool:
    if due is None:
        return False
    return (done or now) > due


def _respond_end(row: dict[str, Any]) -> datetime | None:
    """When the response clock stopped: the response, or the "unfounded" decision (a case
    finished without a response was found unfounded: resolving needs a response)."""
    if row["response_dispatched_at"] is not None:
        return row["response_dispatched_at"]  # type: ignore[no-any-return]
    if row["status"] in ENDED_WITHOUT_RESPONSE:
        return row["verified_at"] or row["closed_at"]  # type: ignore[no-any-return]
    return None


def figures_of(rows: Iterable[dict[str, Any]], *, now: datetime) -> Figures:
    """Figures of case rows (dicts with the fields of ``_FIELDS``)."""
    out = Figures()
    ack: list[float] = []
    respond: list[float] = []
    for row in rows:
        out.cases += 1
        opened = row["opened_at"]
        if row["acknowledged_at"] is not None:
            ack.append((row["acknowledged_at"] - opened).total_seconds())
        if row["response_dispatched_at"] is not None:
            respond.append((row["response_dispatched_at"] - opened).total_seconds())
        if row["status"] in FINISHED:
            out.finished += 1
            if row["reporter_informed_at"] is not None:
                out.informed += 1
        ack_late = _breached(row["acknowledge_due_at"], row["acknowledged_at"], now)
        respond_late = _breached(row["respond_due_at"], _respond_end(row), now)
        out.ack_breaches += ack_late
        out.respond_breaches += respond_late
        out.breached += ack_late or respond_late
    out.acknowledged, out.responded = len(ack), len(respond)
    out.ack_median, out.ack_p90 = percentile(ack, 0.5), percentile(ack, 0.9)
    out.respond_median, out.respond_p90 = percentile(respond, 0.5), percentile(respond, 0.9)
    return out


# --- Which cases ------------------------------------------------------------------------------


def may_see_metrics(membership: Membership) -> bool:
    return bool(membership.is_active) and role_has(membership.role, Perm.CASE_METRICS_VIEW)


def cases_counted(membership: Membership) -> QuerySet[Case]:
    """Cases the member may see (mission, scope, restricted rule) - the base of every figure."""
    if not may_see_metrics(membership):
        return Case.objects.none()
    return cases_visible(membership)


def _day_start(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _filtered(membership: Membership, filters: MetricsFilters) -> QuerySet[Case]:
    found = cases_counted(membership)
    tz = zoneinfo.ZoneInfo(membership.mission.time_zone)
    if filters.since:
        found = found.filter(opened_at__gte=_day_start(filters.since, tz))
    if filters.until:
        found = found.filter(opened_at__lt=_day_start(filters.until + timedelta(days=1), tz))
    if filters.place:
        unit = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=filters.place
        ).first()
        found = found.filter(admin_unit__path__startswith=unit.path) if unit else found.none()
    if filters.category:
        found = found.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.case_type:
        found = found.filter(case_type=filters.case_type)
    if filters.urgency:
        found = found.filter(urgency=filters.urgency)
    return found


# --- Grouping ---------------------------------------------------------------------------------


def _place_keys(
    membership: Membership, rows: Sequence[dict[str, Any]], level: int
) -> dict[int | None, tuple[str, str]]:
    """Each case's unit id -> (P-code, name) of its ancestor at ``level`` (or itself when it
    is above that level)."""
    units = {
        u.pk: u
        for u in AdminUnit.objects.filter(mission_id=membership.mission_id).only(
            "id", "pcode", "name", "level", "path"
        )
    }
    by_code = {u.pcode: u for u in units.values()}
    keys: dict[int | None, tuple[str, str]] = {None: (NONE_KEY, _("Not placed"))}
    for unit_id in {row["admin_unit_id"] for row in rows if row["admin_unit_id"]}:
        unit = units.get(unit_id)
        if unit is None:
            keys[unit_id] = keys[None]
            continue
        target = unit
        if unit.level > level:
            for code in (p for p in unit.path.split("/") if p):
                ancestor = by_code.get(code)
                if ancestor is not None and ancestor.level == level:
                    target = ancestor
                    break
        keys[unit_id] = (target.pcode, target.name)
    return keys


def _category_keys(rows: Sequence[dict[str, Any]]) -> dict[int | None, tuple[str, str]]:
    """Category id -> (code, label) of its top-level category (a child counts in its parent)."""
    ids = {row["category_id"] for row in rows if row["category_id"]}
    keys: dict[int | None, tuple[str, str]] = {None: (NONE_KEY, _("No category"))}
    for category in Category.objects.filter(pk__in=ids).select_related("parent"):
        top = category.parent or category
        keys[category.pk] = (top.code, category_label(top.code, top.name))
    return keys


def _period_key(opened: datetime, group_by: str, tz: zoneinfo.ZoneInfo) -> tuple[str, str]:
    day = opened.astimezone(tz).date()
    if group_by == GROUP_WEEK:
        start = day - timedelta(days=day.weekday())
        return start.isoformat(), _("Week of %(day)s") % {"day": date_format(start, "j M Y")}
    start = day.replace(day=1)
    return start.isoformat(), date_format(start, "F Y")


def _grouped(
    membership: Membership, rows: list[dict[str, Any]], filters: MetricsFilters
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    if filters.group_by == GROUP_PLACE:
        places = _place_keys(membership, rows, filters.level)
        for row in rows:
            groups[places.get(row["admin_unit_id"], places[None])].append(row)
    elif filters.group_by == GROUP_CATEGORY:
        cats = _category_keys(rows)
        for row in rows:
            groups[cats.get(row["category_id"], cats[None])].append(row)
    elif filters.group_by == GROUP_TYPE:
        labels = dict(CaseType.choices)
        for row in rows:
            groups[(row["case_type"], str(labels.get(row["case_type"], row["case_type"])))].append(
                row
            )
    else:
        tz = zoneinfo.ZoneInfo(membership.mission.time_zone)
        for row in rows:
            groups[_period_key(row["opened_at"], filters.group_by, tz)].append(row)
    return groups


def _order(group_by: str, groups: list[Group]) -> list[Group]:
    if group_by in (GROUP_WEEK, GROUP_MONTH):
        return sorted(groups, key=lambda g: g.key)
    if group_by == GROUP_TYPE:
        order = {value: i for i, value in enumerate(CaseType.values)}
        return sorted(groups, key=lambda g: order.get(g.key, len(order)))
    # Places and categories: most cases first, "not placed"/"no category" last.
    return sorted(groups, key=lambda g: (g.key == NONE_KEY, -g.figures.cases, g.label))


def case_metrics(
    *, membership: Membership, filters: MetricsFilters | None = None, now: datetime | None = None
) -> Metrics:
    """Totals and per-group figures of the cases the member may see matching ``filters``."""
    filters = filters or MetricsFilters()
    if filters.group_by not in GROUPS:
        filters = replace(filters, group_by=GROUP_PLACE)
    now = now or timezone.now()
    rows = list(_filtered(membership, filters).order_by().values(*_FIELDS))
    groups = [
        Group(key=key, label=label, figures=figures_of(members, now=now))
        for (key, label), members in _grouped(membership, rows, filters).items()
    ]
    return Metrics(
        totals=figures_of(rows, now=now),
        groups=_order(filters.group_by, groups),
        group_by=filters.group_by,
        level=filters.level,
        computed_at=now,
    )


def urgency_choices() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in Urgency.choices]
