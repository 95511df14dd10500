"""Reads for the form builder: the admin levels on offer and the places of one level."""

from __future__ import annotations

from django.db.models import Max

from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit, PopulationFigure
from palava.places.selectors import admin_unit_list

FALLBACK_LEVEL = 2


def builder_levels(*, membership: Membership) -> list[int]:
    """The admin levels (1-3) at which the member sees at least one current unit."""
    levels = (
        admin_unit_list(membership=membership)
        .filter(level__gte=1)
        .order_by()
        .values_list("level", flat=True)
        .distinct()
    )
    return sorted(set(levels))


def builder_default_level(*, mission: Mission) -> int:
    """The lowest admin level that has population figures (so results can be weighted),
    else admin level 2."""
    found = PopulationFigure.objects.filter(mission=mission).aggregate(
        level=Max("admin_unit__level")
    )["level"]
    return int(found) if found else FALLBACK_LEVEL


def builder_places(*, membership: Membership, level: int) -> list[AdminUnit]:
    """The current units of ``level`` inside the member's scope, by path."""
    return list(admin_unit_list(membership=membership, level=level))


def place_labels(unit: AdminUnit, languages: tuple[str, ...]) -> dict[str, str]:
    """The unit's name per language (its main name where no translation is recorded)."""
    names = unit.names if isinstance(unit.names, dict) else {}
    return {lang: str(names.get(lang) or unit.name) for lang in languages}
