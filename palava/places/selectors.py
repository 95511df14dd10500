"""Reads about places. Every function takes the asking ``membership`` and filters by its mission
and its geographic scope (:func:`palava.places.scope.scope_for`); none takes a bare id.

A unit outside the member's scope does not exist for them: getters return ``None`` (the page or
the API answers 404) and lists leave it out. Scope is hierarchical, so every descendant of a
visible unit is visible too.

**Ancestors outside scope.** A member scoped to a territory still needs the breadcrumb
"country > province > territory". :func:`admin_unit_ancestors` therefore returns the P-code, name
and level of every ancestor (gazetteer names and P-codes are public reference data) with
``visible=False`` for those outside scope; it never returns the ancestors' records, and no other
selector gives their children, sites, access history or population. Pages must not link an
ancestor whose ``visible`` is false.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet
from django.utils import timezone

from palava.missions.models import Membership
from palava.places.models import AccessStatus, AdminUnit, PopulationFigure, Sex, Site
from palava.places.scope import scope_for

# --- Admin units -----------------------------------------------------------------------------


def admin_units_visible(*, membership: Membership) -> QuerySet[AdminUnit]:
    """Every admin unit of the member's mission inside their scope (retired ones included)."""
    return AdminUnit.objects.filter(mission_id=membership.mission_id).filter(
        scope_for(membership).q("")
    )


def admin_unit_list(
    *,
    membership: Membership,
    level: int | None = None,
    parent_pcode: str | None = None,
    include_retired: bool = False,
) -> QuerySet[AdminUnit]:
    """Visible units, optionally of one level and/or directly under one parent, by path."""
    units = admin_units_visible(membership=membership).select_related("parent")
    if level is not None:
        units = units.filter(level=level)
    if parent_pcode is not None:
        units = units.filter(parent__pcode=parent_pcode)
    if not include_retired:
        units = units.filter(retired_at__isnull=True)
    return units.order_by("path")


def admin_unit_get(*, membership: Membership, pcode: str) -> AdminUnit | None:
    """The visible unit with this P-code, or None (no such unit, or outside scope)."""
    return (
        admin_units_visible(membership=membership)
        .select_related("parent")
        .filter(pcode=pcode)
        .first()
    )


def admin_unit_children(
    *, membership: Membership, unit: AdminUnit, include_retired: bool = False
) -> QuerySet[AdminUnit]:
    """Visible units directly under ``unit``, by name."""
    children = admin_units_visible(membership=membership).filter(parent_id=unit.pk)
    if not include_retired:
        children = children.filter(retired_at__isnull=True)
    return children.order_by("name", "pcode")


@dataclass(frozen=True)
class Crumb:
    """An ancestor in a breadcrumb: names only; ``visible`` says whether it may be linked."""

    pcode: str
    name: str
    level: int
    visible: bool


def admin_unit_ancestors(*, membership: Membership, unit: AdminUnit) -> list[Crumb]:
    """The chain from the top down to ``unit``'s parent (see the module note on scope)."""
    scope = scope_for(membership)
    if not scope.contains(unit):
        return []
    pcodes = unit.path.strip("/").split("/")[:-1]
    rows = AdminUnit.objects.filter(mission_id=membership.mission_id, pcode__in=pcodes).values(
        "pcode", "name", "level", "path", "mission_id"
    )
    by_pcode = {row["pcode"]: row for row in rows}
    crumbs: list[Crumb] = []
    for pcode in pcodes:
        row = by_pcode.get(pcode)
        if row is None:  # pragma: no cover - a path names only existing units
            continue
        visible = scope.paths is None or any(row["path"].startswith(p) for p in scope.paths)
        crumbs.append(Crumb(pcode=pcode, name=row["name"], level=row["level"], visible=visible))
    return crumbs


@dataclass(frozen=True)
class UnitCounts:
    children: int
    sites: int


def admin_unit_counts(*, membership: Membership, unit: AdminUnit) -> UnitCounts:
    """How many current child units and current sites (directly in ``unit``) the member sees."""
    children = admin_unit_children(membership=membership, unit=unit).count()
    sites = sites_in_unit(membership=membership, unit=unit, descendants=False).count()
    return UnitCounts(children=children, sites=sites)


def admin_unit_children_counts(*, membership: Membership, units: list[AdminUnit]) -> dict[int, int]:
    """Current visible children per unit id, in one query (for lists)."""
    rows = (
        admin_units_visible(membership=membership)
        .filter(parent_id__in=[u.pk for u in units], retired_at__isnull=True)
        .order_by()
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    counts = {unit.pk: 0 for unit in units}
    counts.update({int(parent_id): n for parent_id, n in rows if parent_id is not None})
    return counts


# --- Sites -----------------------------------------------------------------------------------


def sites_visible(*, membership: Membership) -> QuerySet[Site]:
    """Every site of the member's mission whose admin unit is inside their scope."""
    return Site.objects.filter(mission_id=membership.mission_id).filter(
        scope_for(membership).q("admin_unit")
    )


def sites_in_unit(
    *,
    membership: Membership,
    unit: AdminUnit,
    descendants: bool = True,
    include_retired: bool = False,
) -> QuerySet[Site]:
    """Visible sites in ``unit`` (and, by default, in every unit inside it), by name."""
    sites = sites_visible(membership=membership).select_related("admin_unit")
    if descendants:
        sites = sites.filter(admin_unit__path__startswith=unit.path)
    else:
        sites = sites.filter(admin_unit_id=unit.pk)
    if not include_retired:
        sites = sites.filter(retired_at__isnull=True)
    return sites.order_by("name", "code")


def site_get(*, membership: Membership, code: str) -> Site | None:
    """The visible site with this code, or None."""
    return (
        sites_visible(membership=membership).select_related("admin_unit").filter(code=code).first()
    )


# --- Access status ---------------------------------------------------------------------------


def _access_visible(membership: Membership) -> QuerySet[AccessStatus]:
    return AccessStatus.objects.filter(mission_id=membership.mission_id).filter(
        scope_for(membership).q("admin_unit")
    )


def _today(membership: Membership) -> date:
    """Today in the mission's time zone (access changes are dated in local time)."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(membership.mission.time_zone))


def access_current(
    *,
    membership: Membership,
    place: AdminUnit | Site,
    today: date | None = None,
) -> AccessStatus | None:
    """The status in force for the unit itself (site rows aside) or the site, or None.

    In force: the latest ``effective_from`` on or before today; a later entry of the same day
    wins. A unit does not inherit its parent's status, and a site not its unit's: pages show
    "not assessed" rather than a guess.
    """
    rows = _access_visible(membership).filter(effective_from__lte=today or _today(membership))
    if isinstance(place, Site):
        rows = rows.filter(site_id=place.pk)
    else:
        rows = rows.filter(admin_unit_id=place.pk, site__isnull=True)
    return rows.select_related("site", "admin_unit").order_by("-effective_from", "-id").first()


def access_current_for_units(
    *, membership: Membership, units: list[AdminUnit], today: date | None = None
) -> dict[int, AccessStatus]:
    """Current unit-level status per unit id (units without one are left out), for lists."""
    rows = (
        _access_visible(membership)
        .filter(
            admin_unit_id__in=[u.pk for u in units],
            site__isnull=True,
            effective_from__lte=today or _today(membership),
        )
        .order_by("admin_unit_id", "-effective_from", "-id")
    )
    current: dict[int, AccessStatus] = {}
    for row in rows:
        current.setdefault(row.admin_unit_id, row)
    return current


def access_history(
    *, membership: Membership, place: AdminUnit | Site, include_sites: bool = True
) -> QuerySet[AccessStatus]:
    """Every recorded status, newest first (future-dated entries included).

    For a unit: its own rows and, with ``include_sites``, those of the sites directly in it.
    """
    rows = _access_visible(membership).select_related("site", "admin_unit", "created_by")
    if isinstance(place, Site):
        rows = rows.filter(site_id=place.pk)
    else:
        rows = rows.filter(admin_unit_id=place.pk)
        if not include_sites:
            rows = rows.filter(site__isnull=True)
    return rows.order_by("-effective_from", "-id")


# --- Population ------------------------------------------------------------------------------

_BAND_START = re.compile(r"^\s*(\d+)")


def _band_key(band: str) -> tuple[int, str]:
    match = _BAND_START.match(band)
    return (int(match.group(1)) if match else 10_000, band)


@dataclass(frozen=True)
class PyramidRow:
    age_band: str
    female: int
    male: int

    @property
    def total(self) -> int:
        return self.female + self.male


@dataclass(frozen=True)
class Pyramid:
    """Population by age band and sex for one unit and year.

    ``from_children`` is true when the unit has no figures of its own for the year and the
    figures are the sum of its children's (recursively).
    """

    year: int | None
    rows: list[PyramidRow] = field(default_factory=list)
    from_children: bool = False

    @property
    def female(self) -> int:
        return sum(r.female for r in self.rows)

    @property
    def male(self) -> int:
        return sum(r.male for r in self.rows)

    @property
    def total(self) -> int:
        return self.female + self.male

    @property
    def is_empty(self) -> bool:
        return not self.rows


Cells = dict[tuple[str, str], int]


def population_years(*, membership: Membership, unit: AdminUnit) -> list[int]:
    """Reference years with figures for ``unit`` or anything inside it, newest first."""
    if not scope_for(membership).contains(unit):
        return []
    return list(
        PopulationFigure.objects.filter(
            mission_id=membership.mission_id, admin_unit__path__startswith=unit.path
        )
        .filter(scope_for(membership).q("admin_unit"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def population_pyramid(
    *, membership: Membership, unit: AdminUnit, year: int | None = None
) -> Pyramid:
    """Totals by sex and age band for ``unit`` in ``year`` (default: the latest year).

    A unit without figures of its own adds up its children's, each child again falling back
    to its own children; retired units count when they carry figures for the year.
    """
    scope = scope_for(membership)
    if not scope.contains(unit):
        return Pyramid(year=None)
    if year is None:
        years = population_years(membership=membership, unit=unit)
        if not years:
            return Pyramid(year=None)
        year = years[0]
    figures = (
        PopulationFigure.objects.filter(
            mission_id=membership.mission_id, admin_unit__path__startswith=unit.path, year=year
        )
        .filter(scope.q("admin_unit"))
        .values_list("admin_unit_id", "sex", "age_band", "count")
    )
    own: dict[int, Cells] = defaultdict(dict)
    for unit_id, sex, band, count in figures:
        own[unit_id][(sex, band)] = count
    if not own:
        return Pyramid(year=year)
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit_id, parent_id in (
        admin_units_visible(membership=membership)
        .filter(path__startswith=unit.path)
        .exclude(pk=unit.pk)
        .values_list("id", "parent_id")
    ):
        children[parent_id].append(unit_id)

    def cells_of(unit_id: int) -> Cells:
        if unit_id in own:
            return own[unit_id]
        total: Cells = defaultdict(int)
        for child_id in children.get(unit_id, []):
            for key, count in cells_of(child_id).items():
                total[key] += count
        return total

    cells = cells_of(unit.pk)
    bands = sorted({band for _sex, band in cells}, key=_band_key)
    rows = [
        PyramidRow(
            age_band=band,
            female=cells.get((Sex.FEMALE, band), 0),
            male=cells.get((Sex.MALE, band), 0),
        )
        for band in bands
    ]
    return Pyramid(year=year, rows=rows, from_children=unit.pk not in own)
