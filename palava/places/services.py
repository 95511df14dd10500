"""Writes about places: admin units, sites, access status, population and geographic scope.

Every function is atomic, validates with ``full_clean()`` and writes its audit row in the same
transaction. Importers may bulk-load for speed but must compute ``path`` and ``search_text``
with :func:`unit_path` and :func:`place_search_text` so search and scope keep working.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.missions.models import Membership, Mission
from palava.places.models import (
    AccessLevel,
    AccessStatus,
    AdminUnit,
    MembershipScope,
    PopulationFigure,
    Sex,
    Site,
)
from palava.places.text import search_text

PCODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""Characters a P-code or site code may hold (no ``/``: the path is built from P-codes)."""

_UNSET: Any = object()


def _check_code(value: str, field: str) -> str:
    value = value.strip()
    if not PCODE_RE.match(value):
        raise ValidationError(
            {
                field: _(
                    "Use letters, digits, '.', '_' or '-' only, starting with a letter or digit."
                )
            }
        )
    return value


def unit_path(*, parent: AdminUnit | None, pcode: str) -> str:
    """The materialised path of a unit: ``/COD/CD20/`` for CD20 under COD."""
    return f"{parent.path if parent is not None else '/'}{pcode}/"


def place_search_text(
    *, name: str, names: Mapping[str, str] | None = None, alt_names: Sequence[str] | None = None
) -> str:
    """What a place is found by: its name, its names in other languages, its alternate names."""
    others = [v for v in (names or {}).values() if isinstance(v, str)]
    return search_text(name, *others, extra=[v for v in (alt_names or []) if isinstance(v, str)])


def _geometry_summary(boundary: dict[str, Any] | None) -> str | None:
    """Audit rows record that a boundary changed, not the (large) geometry itself."""
    if boundary is None:
        return None
    return str(boundary.get("type", "geometry"))


def _check_parent(
    *, mission: Mission, level: int, parent: AdminUnit | None, unit: AdminUnit | None = None
) -> None:
    if parent is None:
        return
    if parent.mission_id != mission.pk:
        raise ValidationError({"parent": _("The parent belongs to another mission.")})
    if unit is not None and parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved inside itself.")})
    if parent.level >= level:
        raise ValidationError({"parent": _("The parent must be at a higher admin level.")})


def _unit_changes(unit: AdminUnit, fields: Iterable[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in fields:
        if name == "boundary":
            changes[name] = _geometry_summary(unit.boundary)
        elif name == "parent":
            changes[name] = unit.parent.pcode if unit.parent is not None else None
        else:
            changes[name] = getattr(unit, name)
    return changes


@transaction.atomic
def admin_unit_create(
    *,
    actor: Any,
    mission: Mission,
    pcode: str,
    level: int,
    name: str,
    parent: AdminUnit | None = None,
    country: str | None = None,
    names: dict[str, str] | None = None,
    alt_names: list[str] | None = None,
    valid_from: date | None = None,
    source_edition: str = "",
    boundary: dict[str, Any] | None = None,
    centroid_lat: float | None = None,
    centroid_lon: float | None = None,
) -> AdminUnit:
    """Add an admin unit under ``parent`` (None for the country or a top-level unit)."""
    pcode = _check_code(pcode, "pcode")
    _check_parent(mission=mission, level=level, parent=parent)
    unit = AdminUnit(
        mission=mission,
        pcode=pcode,
        level=level,
        country=country or (parent.country if parent is not None else mission.country),
        name=name.strip(),
        names=dict(names or {}),
        alt_names=list(alt_names or []),
        parent=parent,
        path=unit_path(parent=parent, pcode=pcode),
        valid_from=valid_from,
        source_edition=source_edition,
        boundary=boundary,
        centroid_lat=centroid_lat,
        centroid_lon=centroid_lon,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    unit.search_text = place_search_text(name=unit.name, names=unit.names, alt_names=unit.alt_names)
    unit.full_clean()
    unit.save()
    audit_record(
        actor=actor,
        action="admin_unit.create",
        mission=mission,
        obj=unit,
        changes=_unit_changes(
            unit, ["pcode", "level", "name", "parent", "source_edition", "boundary"]
        ),
    )
    return unit


def _move_descendants(unit: AdminUnit, old_path: str) -> None:
    """Rewrite the paths under ``unit`` after it moved from ``old_path``."""
    descendants = list(
        AdminUnit.objects.filter(mission_id=unit.mission_id, path__startswith=old_path).exclude(
            pk=unit.pk
        )
    )
    for child in descendants:
        child.path = unit.path + child.path[len(old_path) :]
    AdminUnit.objects.bulk_update(descendants, ["path"], batch_size=500)


@transaction.atomic
def admin_unit_update(
    *,
    actor: Any,
    unit: AdminUnit,
    name: str = _UNSET,
    names: dict[str, str] = _UNSET,
    alt_names: list[str] = _UNSET,
    parent: AdminUnit | None = _UNSET,
    valid_from: date | None = _UNSET,
    retired_at: datetime | None = _UNSET,
    source_edition: str = _UNSET,
    boundary: dict[str, Any] | None = _UNSET,
    centroid_lat: float | None = _UNSET,
    centroid_lon: float | None = _UNSET,
) -> AdminUnit:
    """Change the given fields of ``unit``; a new parent moves the whole subtree.

    The P-code and level are the unit's identity and do not change: a re-coded unit is a new
    unit (and the old one is retired).
    """
    unit = (
        AdminUnit.objects.select_for_update(of=("self",))
        .select_related("parent", "mission")
        .get(pk=unit.pk)
    )
    given: dict[str, Any] = {
        "name": name,
        "names": names,
        "alt_names": alt_names,
        "valid_from": valid_from,
        "retired_at": retired_at,
        "source_edition": source_edition,
        "boundary": boundary,
        "centroid_lat": centroid_lat,
        "centroid_lon": centroid_lon,
    }
    changed: list[str] = []
    for field, value in given.items():
        if value is _UNSET:
            continue
        if isinstance(value, str):
            value = value.strip()
        if getattr(unit, field) != value:
            setattr(unit, field, value)
            changed.append(field)
    old_path = unit.path
    if parent is not _UNSET and parent != unit.parent:
        _check_parent(mission=unit.mission, level=unit.level, parent=parent, unit=unit)
        unit.parent = parent
        unit.path = unit_path(parent=parent, pcode=unit.pcode)
        changed.append("parent")
    if not changed:
        return unit
    unit.search_text = place_search_text(name=unit.name, names=unit.names, alt_names=unit.alt_names)
    unit.updated_by = acting_user(actor)
    unit.full_clean()
    unit.save()
    if unit.path != old_path:
        _move_descendants(unit, old_path)
    audit_record(
        actor=actor,
        action="admin_unit.update",
        mission=unit.mission,
        obj=unit,
        changes=_unit_changes(unit, changed),
    )
    return unit


def _check_site_unit(mission: Mission, admin_unit: AdminUnit) -> None:
    if admin_unit.mission_id != mission.pk:
        raise ValidationError({"admin_unit": _("The admin unit belongs to another mission.")})


@transaction.atomic
def site_create(
    *,
    actor: Any,
    mission: Mission,
    code: str,
    name: str,
    kind: str,
    latitude: float,
    longitude: float,
    admin_unit: AdminUnit,
    names: dict[str, str] | None = None,
    alt_names: list[str] | None = None,
) -> Site:
    """Add a settlement or site with coordinates inside ``admin_unit``."""
    code = _check_code(code, "code")
    _check_site_unit(mission, admin_unit)
    site = Site(
        mission=mission,
        code=code,
        name=name.strip(),
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        admin_unit=admin_unit,
        names=dict(names or {}),
        alt_names=list(alt_names or []),
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    site.search_text = place_search_text(name=site.name, names=site.names, alt_names=site.alt_names)
    site.full_clean()
    site.save()
    audit_record(
        actor=actor,
        action="site.create",
        mission=mission,
        obj=site,
        changes={
            "code": code,
            "name": site.name,
            "kind": kind,
            "latitude": latitude,
            "longitude": longitude,
            "admin_unit": admin_unit.pcode,
        },
    )
    return site


@transaction.atomic
def site_update(
    *,
    actor: Any,
    site: Site,
    name: str = _UNSET,
    names: dict[str, str] = _UNSET,
    alt_names: list[str] = _UNSET,
    kind: str = _UNSET,
    latitude: float = _UNSET,
    longitude: float = _UNSET,
    admin_unit: AdminUnit = _UNSET,
    retired_at: datetime | None = _UNSET,
) -> Site:
    """Change the given fields of ``site`` (its code is its identity and does not change)."""
    site = Site.objects.select_for_update().select_related("mission").get(pk=site.pk)
    given = {
        "name": name,
        "names": names,
        "alt_names": alt_names,
        "kind": kind,
        "latitude": latitude,
        "longitude": longitude,
        "retired_at": retired_at,
    }
    changes: dict[str, Any] = {}
    for field, value in given.items():
        if value is _UNSET:
            continue
        if isinstance(value, str):
            value = value.strip()
        if getattr(site, field) != value:
            setattr(site, field, value)
            changes[field] = value
    if admin_unit is not _UNSET and admin_unit.pk != site.admin_unit_id:
        _check_site_unit(site.mission, admin_unit)
        site.admin_unit = admin_unit
        changes["admin_unit"] = admin_unit.pcode
    if not changes:
        return site
    site.search_text = place_search_text(name=site.name, names=site.names, alt_names=site.alt_names)
    site.updated_by = acting_user(actor)
    site.full_clean()
    site.save()
    audit_record(actor=actor, action="site.update", mission=site.mission, obj=site, changes=changes)
    return site


@transaction.atomic
def access_status_record(
    *,
    actor: Any,
    place: AdminUnit | Site,
    level: str,
    effective_from: date,
    reason: str = "",
) -> AccessStatus:
    """Record that ``place`` is accessible, restricted or no-go from ``effective_from`` on.

    History is kept: the current status is the latest row whose date has come.
    """
    if level not in AccessLevel.values:
        raise ValidationError({"level": _("Unknown access level.")})
    if isinstance(place, Site):
        unit, site = place.admin_unit, place
    else:
        unit, site = place, None
    status = AccessStatus(
        mission_id=unit.mission_id,
        admin_unit=unit,
        site=site,
        level=level,
        effective_from=effective_from,
        reason=reason.strip(),
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    status.full_clean()
    status.save()
    audit_record(
        actor=actor,
        action="access_status.record",
        mission=unit.mission,
        obj=status,
        changes={
            "admin_unit": unit.pcode,
            "site": site.code if site is not None else None,
            "level": level,
            "effective_from": effective_from.isoformat(),
            "reason": status.reason,
        },
    )
    return status


@transaction.atomic
def population_set(
    *,
    actor: Any,
    unit: AdminUnit,
    year: int,
    sex: str,
    age_band: str,
    count: int,
    source: str = "",
) -> PopulationFigure:
    """Set the population of one cell (unit, year, sex, age band), replacing any earlier figure."""
    if sex not in Sex.values:
        raise ValidationError({"sex": _("Unknown sex code.")})
    age_band = age_band.strip()
    figure = (
        PopulationFigure.objects.select_for_update()
        .filter(admin_unit=unit, year=year, sex=sex, age_band=age_band)
        .first()
    )
    if figure is None:
        figure = PopulationFigure(
            mission_id=unit.mission_id,
            admin_unit=unit,
            year=year,
            sex=sex,
            age_band=age_band,
            count=count,
            created_by=acting_user(actor),
        )
    figure.count = count
    figure.source = source
    figure.updated_by = acting_user(actor)
    figure.full_clean()
    figure.save()
    audit_record(
        actor=actor,
        action="population.set",
        mission=unit.mission,
        obj=figure,
        changes={
            "admin_unit": unit.pcode,
            "year": year,
            "sex": sex,
            "age_band": age_band,
            "count": count,
            "source": source,
        },
    )
    return figure


@transaction.atomic
def membership_scope_set(
    *, actor: Any, membership: Membership, units: Iterable[AdminUnit]
) -> list[AdminUnit]:
    """Limit ``membership`` to ``units`` (and everything inside them); no units: whole mission.

    Replaces the previous scope. Units nested in another given unit are redundant and dropped.
    """
    chosen = {unit.pk: unit for unit in units}
    foreign = [u.pcode for u in chosen.values() if u.mission_id != membership.mission_id]
    if foreign:
        raise ValidationError(
            {
                "units": ValidationError(
                    _("These units belong to another mission: %(codes)s"),
                    params={"codes": ", ".join(sorted(foreign))},
                )
            }
        )
    kept = sorted(chosen.values(), key=lambda u: u.path)
    minimal: list[AdminUnit] = []
    for unit in kept:
        if not any(unit.path.startswith(outer.path) for outer in minimal):
            minimal.append(unit)
    MembershipScope.objects.filter(membership=membership).delete()
    MembershipScope.objects.bulk_create(
        [MembershipScope(membership=membership, admin_unit=unit) for unit in minimal]
    )
    if hasattr(membership, "_palava_scope"):
        del membership._palava_scope
    # Recorded against the membership, with the units under the scope model's classified field.
    audit_record(
        actor=actor,
        action="membership.scope_set",
        mission=membership.mission,
        obj=MembershipScope(membership=membership),
        object_id=str(membership.public_id),
        changes={"admin_unit": ",".join(u.pcode for u in minimal) or None},
    )
    return minimal
