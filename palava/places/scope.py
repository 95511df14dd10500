"""Geographic scope: which admin units a member may see. Every selector of every app uses this.

A membership without ``MembershipScope`` rows sees the whole mission. A scoped membership sees
its units and everything inside them (``AdminUnit.path`` prefix), nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from palava.missions.models import Membership
from palava.places.models import AdminUnit, MembershipScope


@dataclass(frozen=True)
class Scope:
    """The paths a member may see; ``paths is None`` means the whole mission."""

    mission_id: int
    paths: tuple[str, ...] | None

    @property
    def is_whole_mission(self) -> bool:
        return self.paths is None

    def q(self, field: str) -> Q:
        """A filter for records whose admin unit is reached through ``field``.

        ``field`` names an ``AdminUnit`` foreign key (``"admin_unit"``, ``"place__admin_unit"``,
        or ``""`` to filter ``AdminUnit`` itself). Records with no unit are visible only to
        whole-mission members.
        """
        prefix = f"{field}__" if field else ""
        if self.paths is None:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        condition = Q()
        for path in self.paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition

    def contains(self, unit: AdminUnit | None) -> bool:
        """Whether the member may see ``unit`` (a unit of another mission: never).

        ``None`` (a record tied to no place) is visible only to whole-mission members.
        """
        if unit is None:
            return self.paths is None
        if unit.mission_id != self.mission_id:
            return False
        if self.paths is None:
            return True
        return any(unit.path.startswith(path) for path in self.paths)


def scope_for(membership: Membership) -> Scope:
    """The scope of an active membership (cached on the object for the request)."""
    cached = getattr(membership, "_palava_scope", None)
    if isinstance(cached, Scope):
        return cached
    paths = list(
        MembershipScope.objects.filter(membership=membership).values_list(
            "admin_unit__path", flat=True
        )
    )
    scope = Scope(
        mission_id=membership.mission_id,
        paths=tuple(sorted(set(paths))) if paths else None,
    )
    membership._palava_scope = scope  # type: ignore[attr-defined]
    return scope
