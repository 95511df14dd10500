"""A small geography for actor tests: one country, two provinces, a territory in each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import admin_unit_create, membership_scope_set
from tests.factories import MembershipFactory


@dataclass(frozen=True)
class Geo:
    mission: Mission
    country: AdminUnit
    north: AdminUnit  # province CD10
    north_town: AdminUnit  # territory CD1001 in the north
    south: AdminUnit  # province CD20
    south_town: AdminUnit  # territory CD2001 in the south


@pytest.fixture
def geo(mission: Mission) -> Geo:
    country = admin_unit_create(actor=None, mission=mission, pcode="CD", level=0, name="Congo")
    north = admin_unit_create(
        actor=None, mission=mission, pcode="CD10", level=1, name="Nord", parent=country
    )
    south = admin_unit_create(
        actor=None, mission=mission, pcode="CD20", level=1, name="Sud", parent=country
    )
    north_town = admin_unit_create(
        actor=None, mission=mission, pcode="CD1001", level=2, name="Béni", parent=north
    )
    south_town = admin_unit_create(
        actor=None, mission=mission, pcode="CD2001", level=2, name="Uvira", parent=south
    )
    return Geo(mission, country, north, north_town, south, south_town)


@pytest.fixture
def member_in(mission: Mission) -> Callable[..., Membership]:
    """``member_in(role, *units)`` -> a member of ``mission`` scoped to ``units`` (none: all)."""

    def make(role: str = Role.OFFICER, *units: AdminUnit) -> Membership:
        membership = MembershipFactory(mission=mission, role=role)
        if units:
            membership_scope_set(actor=None, membership=membership, units=units)
        return membership

    return make
