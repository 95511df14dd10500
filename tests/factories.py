"""Factories for tests. They call services, so audit rows and validation happen as in use."""

from __future__ import annotations

from typing import Any

import factory

from palava.accounts.models import User
from palava.accounts.services import user_create
from palava.actors.models import Actor, ActorKind, ActorType, Consent, Relationship
from palava.actors.services import actor_create, consent_record, relationship_create
from palava.missions.models import Membership, Mission, Role
from palava.missions.services import membership_set, mission_create
from palava.places.models import AdminUnit, Site, SiteKind
from palava.places.services import admin_unit_create, site_create

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return user_create(actor=None, validate=False, **kwargs)


class MissionFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = Mission

    slug = factory.Sequence(lambda n: f"mission-{n}")
    name = factory.Sequence(lambda n: f"Mission {n}")
    country = "COD"
    languages = factory.LazyFunction(lambda: ["fr", "en"])
    time_zone = "Africa/Lubumbashi"
    require_two_factor = False

    @classmethod
    def _create(cls, model_class: type[Mission], *args: Any, **kwargs: Any) -> Mission:
        return mission_create(actor=None, **kwargs)


class MembershipFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    mission = factory.SubFactory(MissionFactory)
    role = Role.OFFICER

    @classmethod
    def _create(cls, model_class: type[Membership], *args: Any, **kwargs: Any) -> Membership:
        return membership_set(actor=None, **kwargs)


class ActorFactory(factory.Factory):  # type: ignore[misc]
    """An actor through ``actor_create``; pass ``admin_unit=`` for scoped tests."""

    class Meta:
        model = Actor

    mission = factory.SubFactory(MissionFactory)
    kind = ActorKind.PERSON
    actor_type = ActorType.TRADITIONAL_AUTHORITY
    name = factory.Sequence(lambda n: f"Chief Actor {n}")

    @classmethod
    def _create(cls, model_class: type[Actor], *args: Any, **kwargs: Any) -> Actor:
        return actor_create(actor=kwargs.pop("actor", None), **kwargs)


class RelationshipFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = Relationship

    source = factory.SubFactory(ActorFactory)
    target = factory.SubFactory(ActorFactory, mission=factory.SelfAttribute("..source.mission"))
    kind = "member_of"

    @classmethod
    def _create(cls, model_class: type[Relationship], *args: Any, **kwargs: Any) -> Relationship:
        return relationship_create(actor=kwargs.pop("actor", None), **kwargs)


class ConsentFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = Consent

    record = factory.SubFactory(ActorFactory)
    purposes = factory.LazyFunction(lambda: ["contact_phone", "store_contact"])
    method = "verbal"

    @classmethod
    def _create(cls, model_class: type[Consent], *args: Any, **kwargs: Any) -> Consent:
        return consent_record(actor=kwargs.pop("actor", None), **kwargs)


class AdminUnitFactory(factory.Factory):  # type: ignore[misc]
    """An admin unit through ``admin_unit_create``; a child takes its parent's mission and the
    next level unless given."""

    class Meta:
        model = AdminUnit

    mission = factory.LazyAttribute(
        lambda o: o.parent.mission if o.parent is not None else MissionFactory()
    )
    parent = None
    level = factory.LazyAttribute(lambda o: o.parent.level + 1 if o.parent is not None else 0)
    pcode = factory.Sequence(lambda n: f"XU{n:05d}")
    name = factory.Sequence(lambda n: f"Unit {n}")

    @classmethod
    def _create(cls, model_class: type[AdminUnit], *args: Any, **kwargs: Any) -> AdminUnit:
        return admin_unit_create(actor=kwargs.pop("actor", None), **kwargs)


class SiteFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = Site

    admin_unit = factory.SubFactory(AdminUnitFactory)
    mission = factory.SelfAttribute("admin_unit.mission")
    code = factory.Sequence(lambda n: f"XS{n:05d}")
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = SiteKind.VILLAGE
    latitude = -1.68
    longitude = 29.22

    @classmethod
    def _create(cls, model_class: type[Site], *args: Any, **kwargs: Any) -> Site:
        return site_create(actor=kwargs.pop("actor", None), **kwargs)
