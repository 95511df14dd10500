"""Helpers for the partners and 3W tests: a small gazetteer, organisations, partners, projects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from palava.actors.models import Actor, ActorKind, ActorType
from palava.engagement.models import Partner, PartnerType, Project, ProjectType, Sector
from palava.engagement.partner_services import partner_create
from palava.engagement.project_services import project_create
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set
from tests.factories import ActorFactory, AdminUnitFactory, MembershipFactory

START = dt.date(2026, 3, 1)


@dataclass
class Places:
    country: AdminUnit
    north: AdminUnit  # adm1
    north_town: AdminUnit  # adm2 in north
    north_village: AdminUnit  # adm3 in north_town
    south: AdminUnit  # adm1
    south_town: AdminUnit  # adm2 in south


def places_make(mission: Mission) -> Places:
    country = AdminUnitFactory(mission=mission, level=0, pcode="CD", name="Country")
    north = AdminUnitFactory(parent=country, pcode="CD10", name="Nord")
    north_town = AdminUnitFactory(parent=north, pcode="CD1001", name="Goma")
    north_village = AdminUnitFactory(parent=north_town, pcode="CD100101", name="Kibati")
    south = AdminUnitFactory(parent=country, pcode="CD20", name="Sud")
    south_town = AdminUnitFactory(parent=south, pcode="CD2001", name="Bukavu")
    return Places(country, north, north_town, north_village, south, south_town)


def organisation_make(mission: Mission, name: str = "", **kwargs: Any) -> Actor:
    fields: dict[str, Any] = {
        "mission": mission,
        "kind": ActorKind.ORGANISATION,
        "actor_type": ActorType.CIVIL_SOCIETY,
    }
    if name:
        fields["name"] = name
    fields.update(kwargs)
    actor: Actor = ActorFactory(**fields)
    return actor


def partner_make(
    mission: Mission,
    name: str = "",
    acronym: str = "",
    partner_type: str = PartnerType.NNGO,
    **actor_fields: Any,
) -> Partner:
    return partner_create(
        actor=None,
        mission=mission,
        actor_record=organisation_make(mission, name, **actor_fields),
        partner_type=partner_type,
        acronym=acronym,
    )


def project_make(
    mission: Mission,
    admin_unit: AdminUnit,
    code: str,
    *,
    places: tuple[AdminUnit, ...] = (),
    **fields: Any,
) -> Project:
    values: dict[str, Any] = {
        "title": f"Project {code}",
        "project_type": ProjectType.QIP,
        "sector": Sector.WASH,
        "starts_on": START,
    }
    values.update(fields)
    if values.get("budget") is not None and not isinstance(values["budget"], Decimal):
        values["budget"] = Decimal(str(values["budget"]))
    return project_create(
        actor=None, mission=mission, admin_unit=admin_unit, code=code, places=places, **values
    )


def scoped_member(mission: Mission, role: str, *units: AdminUnit) -> Membership:
    member: Membership = MembershipFactory(mission=mission, role=role)
    membership_scope_set(actor=None, membership=member, units=units)
    return member


__all__ = [
    "START",
    "Places",
    "Role",
    "organisation_make",
    "partner_make",
    "places_make",
    "project_make",
    "scoped_member",
]
