"""Routing administration (teams, members, assignment rules, SLA policies) and read receipts of
notifications (re-exported by ``services``). Every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback.models import (
    AssignmentRule,
    Category,
    Notification,
    SlaPolicy,
    Team,
    TeamMember,
)
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit


def _check_member(mission: Mission, user: Any, field: str) -> None:
    if user is None:
        return
    if not Membership.objects.filter(mission=mission, user=user, is_active=True).exists():
        raise ValidationError({field: _("Choose a member of the mission.")})


def _check_own(mission: Mission, value: Any, field: str) -> None:
    if value is not None and value.mission_id != mission.pk:
        raise ValidationError({field: _("This belongs to another mission.")})


@transaction.atomic
def team_save(
    *,
    mission: Mission,
    actor: Any,
    name: str,
    team: Team | None = None,
    duty_officer: Any = None,
    email: str = "",
    is_active: bool = True,
) -> Team:
    """Create a team, or change one (``team``): name, duty officer, mailbox, active."""
    _check_member(mission, duty_officer, "duty_officer")
    obj = team or Team(mission=mission, created_by=acting_user(actor))
    _check_own(mission, obj, "team")
    obj.name = " ".join(name.split())
    obj.duty_officer = duty_officer
    obj.email = email.strip()
    obj.is_active = is_active
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="team.save",
        mission=mission,
        obj=obj,
        changes={
            "name": obj.name,
            "duty_officer": duty_officer.pk if duty_officer else None,
            "is_active": is_active,
        },
    )
    return obj


@transaction.atomic
def team_member_set(*, team: Team, actor: Any, user: Any, is_lead: bool = False) -> TeamMember:
    """Add ``user`` to the team or change whether they lead it (leads get level 2)."""
    _check_member(team.mission, user, "user")
    member, _created = TeamMember.objects.update_or_create(
        team=team, user=user, defaults={"is_lead": is_lead}
    )
    audit_record(
        actor=actor,
        action="team.member_set",
        mission=team.mission,
        obj=team,
        changes={"user": user.pk, "is_lead": is_lead},
    )
    return member


@transaction.atomic
def team_member_remove(*, team: Team, actor: Any, user: Any) -> bool:
    deleted, _rows = TeamMember.objects.filter(team=team, user=user).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="team.member_remove",
            mission=team.mission,
            obj=team,
            changes={"user": user.pk},
        )
    return bool(deleted)


@transaction.atomic
def rule_save(
    *,
    mission: Mission,
    actor: Any,
    name: str,
    team: Team,
    rule: AssignmentRule | None = None,
    order: int = 100,
    admin_unit: AdminUnit | None = None,
    category: Category | None = None,
    case_type: str = "",
    min_urgency: str = "",
    assignee: Any = None,
    is_active: bool = True,
) -> AssignmentRule:
    """Create or change an assignment rule (first matching active rule by order wins)."""
    for field, value in (("team", team), ("admin_unit", admin_unit), ("category", category)):
        _check_own(mission, value, field)
    _check_member(mission, assignee, "assignee")
    obj = rule or AssignmentRule(mission=mission, created_by=acting_user(actor))
    _check_own(mission, obj, "rule")
    obj.name = " ".join(name.split())
    obj.team, obj.order, obj.admin_unit, obj.category = team, order, admin_unit, category
    obj.case_type, obj.min_urgency, obj.assignee = case_type, min_urgency, assignee
    obj.is_active = is_active
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="rule.save",
        mission=mission,
        obj=obj,
        changes={
            "name": obj.name,
            "team": team.name,
            "order": order,
            "admin_unit": admin_unit.pcode if admin_unit else "",
            "category": category.code if category else "",
            "case_type": case_type,
            "min_urgency": min_urgency,
            "assignee": assignee.pk if assignee else None,
            "is_active": is_active,
        },
    )
    return obj


@transaction.atomic
def rule_delete(*, rule: AssignmentRule, actor: Any) -> None:
    audit_record(
        actor=actor,
        action="rule.delete",
        mission=rule.mission,
        obj=rule,
        changes={"name": rule.name},
    )
    rule.delete()


@transaction.atomic
def sla_policy_save(
    *,
    mission: Mission,
    actor: Any,
    case_type: str,
    acknowledge_minutes: int,
    respond_minutes: int,
    repeat_minutes: int,
    urgency: str = "",
    policy: SlaPolicy | None = None,
) -> SlaPolicy:
    """Create or change the SLA of a case type (and urgency; empty = any). Running clocks keep
    the times they opened with."""
    obj = policy or SlaPolicy(mission=mission, created_by=acting_user(actor))
    _check_own(mission, obj, "policy")
    obj.case_type, obj.urgency = case_type, urgency
    obj.acknowledge_minutes, obj.respond_minutes = acknowledge_minutes, respond_minutes
    obj.repeat_minutes = repeat_minutes
    errors = {}
    for name in ("acknowledge_minutes", "respond_minutes", "repeat_minutes"):
        if int(getattr(obj, name) or 0) < 1:
            errors[name] = _("At least one minute.")
    if errors:
        raise ValidationError(errors)
    if respond_minutes < acknowledge_minutes:
        raise ValidationError(
            {"respond_minutes": _("The time to respond cannot be shorter than to acknowledge.")}
        )
    obj.updated_by = acting_user(actor)
    obj.full_clean(validate_constraints=False)  # the unique scope is reported below
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise ValidationError(
            _("A policy for this case type and urgency exists already.")
        ) from error
    audit_record(
        actor=actor,
        action="sla.save",
        mission=mission,
        obj=obj,
        changes={
            "case_type": case_type,
            "urgency": urgency,
            "acknowledge_minutes": acknowledge_minutes,
            "respond_minutes": respond_minutes,
            "repeat_minutes": repeat_minutes,
        },
    )
    return obj


@transaction.atomic
def sla_policy_delete(*, policy: SlaPolicy, actor: Any) -> None:
    audit_record(
        actor=actor,
        action="sla.delete",
        mission=policy.mission,
        obj=policy,
        changes={"case_type": policy.case_type, "urgency": policy.urgency},
    )
    policy.delete()


@transaction.atomic
def notification_mark_read(
    *, membership: Membership, actor: Any, ids: Iterable[int] | None = None
) -> int:
    """Mark the member's own notices of this mission read (all unread ones when ``ids`` is
    None); returns how many. A read receipt, not audited (nothing about a case changes)."""
    rows = Notification.objects.filter(
        recipient_id=membership.user_id, mission_id=membership.mission_id, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=[int(i) for i in ids])
    return rows.update(read_at=timezone.now())
