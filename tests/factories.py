"""Factories for tests. They call services, so audit rows and validation happen as in use."""

from __future__ import annotations

from typing import Any

import factory

from palava.accounts.models import User
from palava.accounts.services import user_create
from palava.missions.models import Membership, Mission, Role
from palava.missions.services import membership_set, mission_create

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
