"""Fixtures and builders for the activity tests: a small geography and activities made through
the services (so validation and audit run as in use)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from palava.actors.models import Actor
from palava.engagement.activity_services import activity_create
from palava.engagement.models import Activity, ActivityType
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import admin_unit_create, membership_scope_set
from tests.factories import ActorFactory, MembershipFactory


@dataclass(frozen=True)
class Geo:
    mission: Mission
    country: AdminUnit
    north: AdminUnit  # province AC10
    north_town: AdminUnit  # territory AC1001 in the north
    south: AdminUnit  # province AC20


def make_geo(mission: Mission) -> Geo:
    country = admin_unit_create(actor=None, mission=mission, pcode="AC", level=0, name="Congo")
    north = admin_unit_create(
        actor=None, mission=mission, pcode="AC10", level=1, name="Nord", parent=country
    )
    south = admin_unit_create(
        actor=None, mission=mission, pcode="AC20", level=1, name="Sud", parent=country
    )
    north_town = admin_unit_create(
        actor=None, mission=mission, pcode="AC1001", level=2, name="Beni", parent=north
    )
    return Geo(mission, country, north, north_town, south)


def member_in(mission: Mission, role: str = Role.OFFICER, *units: AdminUnit) -> Membership:
    """A member of ``mission`` with ``role`` scoped to ``units`` (none: the whole mission)."""
    membership: Membership = MembershipFactory(mission=mission, role=role)
    if units:
        membership_scope_set(actor=None, membership=membership, units=units)
    return membership


def make_activity(
    mission: Mission, unit: AdminUnit, *, actor: Any = None, **fields: Any
) -> Activity:
    values: dict[str, Any] = {
        "activity_type": ActivityType.DIALOGUE_FORUM,
        "title": "Forum on the well",
        "admin_unit": unit,
        "starts_at": timezone.now() - dt.timedelta(days=2),
    }
    values.update(fields)
    return activity_create(actor=actor, mission=mission, **values)


def make_actor(mission: Mission, unit: AdminUnit, **fields: Any) -> Actor:
    actor: Actor = ActorFactory(mission=mission, admin_unit=unit, **fields)
    return actor
