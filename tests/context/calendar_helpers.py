"""A small geography and members for the cultural-calendar tests (H3 calendar-core)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from palava.context.calendar_services import event_create
from palava.context.models import CalendarEvent
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import admin_unit_create, membership_scope_set
from tests.factories import MembershipFactory


@dataclass(frozen=True)
class Geo:
    mission: Mission
    country: AdminUnit  # CC
    north: AdminUnit  # CC10
    north_town: AdminUnit  # CC1001 in the north
    south: AdminUnit  # CC20


def make_geo(mission: Mission) -> Geo:
    country = admin_unit_create(actor=None, mission=mission, pcode="CC", level=0, name="Congo")
    north = admin_unit_create(
        actor=None, mission=mission, pcode="CC10", level=1, name="Nord", parent=country
    )
    south = admin_unit_create(
        actor=None, mission=mission, pcode="CC20", level=1, name="Sud", parent=country
    )
    north_town = admin_unit_create(
        actor=None, mission=mission, pcode="CC1001", level=2, name="Beni", parent=north
    )
    return Geo(mission, country, north, north_town, south)


def member_in(mission: Mission, role: str = Role.OFFICER, *units: AdminUnit) -> Membership:
    """A member of ``mission`` with ``role`` scoped to ``units`` (none: the whole mission)."""
    membership: Membership = MembershipFactory(mission=mission, role=role)
    if units:
        membership_scope_set(actor=None, membership=membership, units=units)
    return membership


def weekly(
    member: Membership, title: str = "Market day", weekdays: tuple[int, ...] = (3,), **extra: Any
) -> CalendarEvent:
    return event_create(
        actor=member.user,
        membership=member,
        category=extra.pop("category", "market"),
        title=title,
        rule_kind="weekly",
        rule={"weekdays": list(weekdays)},
        **extra,
    )
