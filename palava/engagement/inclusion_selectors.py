"""Reads behind the inclusion pages and API: attendance, population and coverage by place and
by period, in a few queries each (the formulas are in :mod:`palava.engagement.inclusion`).

Every read starts from ``activities_visible`` (mission + geographic scope) and
``admin_units_visible``; places outside the member's scope are never listed, and their
activities and population never counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from palava.engagement import inclusion as calc
from palava.engagement.models import (
    Activity,
    ActivityStatus,
    AttendanceCount,
    EngagementSettings,
)
from palava.engagement.selectors import (
    activities_visible,
    engagement_settings_get,
    mission_zone,
)
from palava.missions.models import Membership
from palava.places.models import AdminUnit, PopulationFigure
from palava.places.scope import scope_for
from palava.places.selectors import admin_units_visible


def targets_for(membership: Membership, settings: EngagementSettings | None = None) -> calc.Targets:
    settings = settings or engagement_settings_get(membership.mission)
    return calc.Targets(
        women=settings.target_women_pct,
        youth=settings.target_youth_pct,
        minority=settings.target_minority_pct,
    )


# --- Which places ----------------------------------------------------------------------------


def visible_levels(*, membership: Membership) -> list[int]:
    return sorted(
        set(
            admin_units_visible(membership=membership)
            .filter(retired_at__isnull=True)
            .order_by()
            .values_list("level", flat=True)
            .distinct()
        )
    )


def places_for(
    *, membership: Membership, place: AdminUnit | None, level: int | None
) -> QuerySet[AdminUnit]:
    """Current visible units at ``level`` (inside ``place`` when given; default: its children)."""
    units = admin_units_visible(membership=membership).filter(retired_at__isnull=True)
    if place is not None:
        units = units.filter(path__startswith=place.path).exclude(pk=place.pk)
        if level is None:
            level = place.level + 1
    if level is not None:
        units = units.filter(level=level)
    return units.order_by("name", "pcode")


def _owner(
    path: str, by_path: dict[str, int], memo: dict[str, int | None] | None = None
) -> int | None:
    """The index of the listed unit whose path is a prefix of ``path`` (nearest first).

    ``memo`` caches the answer per path: grouped rows repeat a few hundred paths many times.
    """
    if memo is not None and path in memo:
        return memo[path]
    found: int | None = None
    parts = path.strip("/").split("/")
    for end in range(len(parts), 0, -1):
        found = by_path.get("/" + "/".join(parts[:end]) + "/")
        if found is not None:
            break
    if memo is not None:
        memo[path] = found
    return found


# --- Attendance and population ---------------------------------------------------------------


def held_between(*, membership: Membership, start: date, end: date) -> QuerySet[Activity]:
    """Visible held activities whose start falls on ``start``..``end`` (mission time zone)."""
    low, high = calc.day_bounds(start, end, mission_zone(membership))
    return activities_visible(membership=membership).filter(
        status=ActivityStatus.HELD, starts_at__gte=low, starts_at__lt=high
    )


def _population_rows(membership: Membership, under: AdminUnit | None) -> list[calc.PopulationRow]:
    figures = PopulationFigure.objects.filter(mission_id=membership.mission_id).filter(
        scope_for(membership).q("admin_unit")
    )
    if under is not None:
        figures = figures.filter(admin_unit__path__startswith=under.path)
    return list(
        figures.order_by().values_list(
            "admin_unit__path", "admin_unit__level", "year", "sex", "age_band", "count"
        )
    )


def _population(
    settings: EngagementSettings, rows: Sequence[calc.PopulationRow], root: str
) -> calc.Population:
    return calc.population_of(
        rows, root=root, youth_min=settings.youth_min_age, youth_max=settings.youth_max_age
    )


@dataclass(frozen=True)
class PlaceFigures:
    unit: AdminUnit
    figures: calc.Inclusion


def inclusion_by_place(
    *,
    membership: Membership,
    units: Sequence[AdminUnit],
    start: date,
    end: date,
    under: AdminUnit | None = None,
) -> list[PlaceFigures]:
    """Inclusion figures of each unit (two queries whatever the number of units).

    ``under`` narrows the population query to a subtree containing every unit.
    """
    by_path = {unit.path: index for index, unit in enumerate(units)}
    attendance = [calc.Attendance() for _ in units]
    cells = (
        AttendanceCount.objects.filter(
            activity__in=held_between(membership=membership, start=start, end=end)
        )
        .order_by()
        .values_list("activity__admin_unit__path", "sex", "age_band", "group")
        .annotate(n=Sum("count"))
    )
    owners: dict[str, int | None] = {}
    for path, sex, band, group, count in cells:
        index = _owner(path, by_path, owners)
        if index is not None:
            attendance[index].add(sex, band, group, count or 0)
    settings = engagement_settings_get(membership.mission)
    targets = targets_for(membership, settings)
    rows: list[list[calc.PopulationRow]] = [[] for _ in units]
    for row in _population_rows(membership, under):
        index = _owner(row[0], by_path, owners)
        if index is not None:
            rows[index].append(row)
    return [
        PlaceFigures(
            unit=unit,
            figures=calc.inclusion_of(
                attendance[index], _population(settings, rows[index], unit.path), targets
            ),
        )
        for index, unit in enumerate(units)
    ]


def inclusion_total(
    *, membership: Membership, place: AdminUnit | None, start: date, end: date
) -> calc.Inclusion:
    """The figures of ``place`` as a whole (``None``: everything the member sees)."""
    activities = held_between(membership=membership, start=start, end=end)
    if place is not None:
        activities = activities.filter(admin_unit__path__startswith=place.path)
    cells = (
        AttendanceCount.objects.filter(activity__in=activities)
        .order_by()
        .values_list("sex", "age_band", "group")
        .annotate(n=Sum("count"))
    )
    attendance = calc.attendance_of((s, b, g, n or 0) for s, b, g, n in cells)
    settings = engagement_settings_get(membership.mission)
    population = _population(
        settings, _population_rows(membership, place), place.path if place else "/"
    )
    return calc.inclusion_of(attendance, population, targets_for(membership, settings))


@dataclass(frozen=True)
class PeriodFigures:
    start: date
    figures: calc.Inclusion


def inclusion_by_period(
    *,
    membership: Membership,
    place: AdminUnit | None,
    start: date,
    end: date,
    grain: str,
) -> list[PeriodFigures]:
    """Figures of ``place`` (or all visible places) month by month or quarter by quarter.

    The population is the same in every period (the latest figures); two queries in all.
    """
    zone = mission_zone(membership)
    activities = held_between(membership=membership, start=start, end=end)
    if place is not None:
        activities = activities.filter(admin_unit__path__startswith=place.path)
    cells = (
        AttendanceCount.objects.filter(activity__in=activities)
        .order_by()
        .values_list("activity__starts_at", "sex", "age_band", "group", "count")
    )
    keys = calc.periods_between(start, end, grain)
    attendance = {key: calc.Attendance() for key in keys}
    for starts_at, sex, band, group, count in cells:
        key = calc.period_key(timezone.localtime(starts_at, zone).date(), grain)
        if key in attendance:
            attendance[key].add(sex, band, group, count)
    settings = engagement_settings_get(membership.mission)
    population = _population(
        settings, _population_rows(membership, place), place.path if place else "/"
    )
    targets = targets_for(membership, settings)
    return [
        PeriodFigures(start=key, figures=calc.inclusion_of(attendance[key], population, targets))
        for key in keys
    ]


# --- Coverage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceCoverage:
    unit: AdminUnit
    last: date | None
    state: str


def coverage_for(
    *, membership: Membership, units: Sequence[AdminUnit], days: int
) -> list[PlaceCoverage]:
    """Each unit's last held activity (main place or another place taking part) and its state.

    Only visible activities count (their main place is in the member's scope). Activities
    recorded as held but starting in the future are ignored. Two queries.
    """
    zone = mission_zone(membership)
    held = activities_visible(membership=membership).filter(
        status=ActivityStatus.HELD, starts_at__lte=timezone.now()
    )
    by_path = {unit.path: index for index, unit in enumerate(units)}
    last: dict[int, datetime] = {}

    def note(path: str, when: datetime | None) -> None:
        index = _owner(path, by_path)
        if index is not None and when is not None and (index not in last or when > last[index]):
            last[index] = when

    for path, when in (
        held.order_by().values_list("admin_unit__path").annotate(last=Max("starts_at"))
    ):
        note(path, when)
    joined = Activity.places.through.objects.filter(activity__in=held)
    for path, when in (
        joined.order_by().values_list("adminunit__path").annotate(last=Max("activity__starts_at"))
    ):
        note(path, when)
    today = timezone.localdate(timezone=zone)
    found: list[PlaceCoverage] = []
    for index, unit in enumerate(units):
        when = last.get(index)
        day = timezone.localtime(when, zone).date() if when is not None else None
        found.append(
            PlaceCoverage(
                unit=unit, last=day, state=calc.coverage_state(day, today=today, days=days)
            )
        )
    return found


def coverage_counts(rows: Sequence[PlaceCoverage]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return {state: counts[state] for state in (calc.RECENT, calc.EARLIER, calc.NEVER)}
