"""Writes about missions and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.missions.models import Membership, Mission, Role


@transaction.atomic
def mission_create(
    *,
    actor: Any,
    slug: str,
    name: str,
    country: str,
    languages: list[str],
    time_zone: str = "UTC",
    require_two_factor: bool = True,
    is_demo: bool = False,
) -> Mission:
    mission = Mission(
        slug=slug,
        name=name,
        country=country,
        languages=languages,
        time_zone=time_zone,
        require_two_factor=require_two_factor,
        is_demo=is_demo,
        created_by=acting_user(actor),
    )
    mission.full_clean()
    mission.save()
    audit_record(
        actor=actor,
        action="mission.create",
        mission=mission,
        obj=mission,
        changes={"slug": slug, "name": name, "country": country, "time_zone": time_zone},
    )
    return mission


@transaction.atomic
def membership_set(
    *, actor: Any, mission: Mission, user: Any, role: str, is_active: bool = True
) -> Membership:
    """Add ``user`` to ``mission`` with ``role``, or change an existing membership."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    membership = Membership.objects.select_for_update().filter(mission=mission, user=user).first()
    created = membership is None
    if membership is None:
        membership = Membership(mission=mission, user=user)
        membership.created_by = acting_user(actor)
    membership.role = role
    membership.is_active = is_active
    membership.updated_by = acting_user(actor)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.create" if created else "membership.update",
        mission=mission,
        obj=membership,
        changes={"user": user.get_username(), "role": role, "is_active": is_active},
    )
    return membership
