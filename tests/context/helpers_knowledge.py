"""A small world for the knowledge tests: a province with two territories, a site, members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from palava.context.knowledge_services import entry_create, entry_review
from palava.context.models import KnowledgeEntry, Topic
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit, Site
from palava.places.services import membership_scope_set
from tests.factories import AdminUnitFactory, MembershipFactory, SiteFactory


@dataclass
class World:
    mission: Mission
    province: AdminUnit
    north: AdminUnit
    south: AdminUnit
    site: Site  # in north


def world_make(mission: Mission) -> World:
    province = AdminUnitFactory(mission=mission, level=1, name="Kivu Province")
    north = AdminUnitFactory(mission=mission, parent=province, name="North Territory")
    south = AdminUnitFactory(mission=mission, parent=province, name="South Territory")
    site = SiteFactory(admin_unit=north, name="Kanyabayonga")
    return World(mission=mission, province=province, north=north, south=south, site=site)


def member(mission: Mission, role: str, *units: AdminUnit) -> Membership:
    found: Membership = MembershipFactory(mission=mission, role=role)
    if units:
        membership_scope_set(actor=None, membership=found, units=units)
    return found


def entry_make(author: Membership, **kwargs: Any) -> KnowledgeEntry:
    """An entry written by ``author`` (defaults: internal, English, greetings)."""
    values: dict[str, Any] = {
        "topic": Topic.LANGUAGES,
        "title": "Greetings",
        "body": "Greet the elders first.",
        "language": "en",
        "sensitivity": 1,
        "source": "Liaison assistant, May 2026",
    }
    values.update(kwargs)
    return entry_create(actor=author.user, membership=author, **values)


def reviewed_make(author: Membership, reviewer: Membership, **kwargs: Any) -> KnowledgeEntry:
    entry = entry_make(author, submit=True, **kwargs)
    return entry_review(actor=reviewer.user, membership=reviewer, entry=entry, approve=True)


__all__ = ["Role", "World", "entry_make", "member", "reviewed_make", "world_make"]
