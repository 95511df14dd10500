"""Writes about partners and their agreements.

Every function is atomic, validates with ``full_clean()`` and writes its audit row
(``engagement.partner.*``, ``engagement.agreement.*``) in the same transaction. The caller's
permission and scope are checked by the pages and the API (through the partner selectors); these
services check what the records require: a partner is an *organisation* actor of the *same*
mission, at most one partner per actor, agreement dates in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palava.actors.models import Actor, ActorKind
from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.engagement.models import Agreement, DataSharing, Partner
from palava.engagement.project_services import (  # the contract names them here too
    deliverable_add,
    project_create,
    project_reach_set,
)
from palava.missions.models import Mission

__all__ = [
    "agreement_create",
    "agreement_update",
    "deliverable_add",
    "partner_create",
    "partner_deactivate",
    "partner_update",
    "project_create",
    "project_reach_set",
]

PARTNER_UPDATABLE: frozenset[str] = frozenset({"acronym", "partner_type", "notes", "is_active"})
AGREEMENT_FIELDS: frozenset[str] = frozenset(
    {
        "kind",
        "title",
        "reference",
        "signed_on",
        "starts_on",
        "ends_on",
        "scope",
        "data_sharing",
        "data_sharing_terms",
    }
)


def _audit_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _check_actor(mission: Mission, actor_record: Actor) -> None:
    if actor_record.mission_id != mission.pk:
        raise ValidationError({"actor": _("This organisation belongs to another mission.")})
    if actor_record.kind != ActorKind.ORGANISATION:
        raise ValidationError({"actor": _("Only an organisation can be a partner.")})
    if not actor_record.is_active:
        raise ValidationError({"actor": _("This organisation is no longer active.")})
    if Partner.objects.filter(actor_id=actor_record.pk).exists():
        raise ValidationError({"actor": _("This organisation is already a partner.")})


@transaction.atomic
def partner_create(
    *,
    actor: Any,
    mission: Mission,
    actor_record: Actor,
    partner_type: str,
    acronym: str = "",
    notes: str = "",
) -> Partner:
    """Make the organisation ``actor_record`` a partner of ``mission``."""
    _check_actor(mission, actor_record)
    obj = Partner(
        mission=mission,
        actor=actor_record,
        partner_type=partner_type,
        acronym=acronym.strip(),
        notes=notes,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="engagement.partner.create",
        mission=mission,
        obj=obj,
        changes={
            "actor": str(actor_record.public_id),
            "partner_type": partner_type,
            "acronym": obj.acronym,
        },
    )
    return obj


@transaction.atomic
def partner_update(*, actor: Any, partner: Partner, data: Mapping[str, Any]) -> Partner:
    """Change the fields named in ``data`` (acronym, type, notes, active)."""
    unknown = sorted(set(data) - PARTNER_UPDATABLE)
    if unknown:
        raise ValueError(f"partner_update cannot change: {', '.join(unknown)}")
    obj = Partner.objects.select_for_update().get(pk=partner.pk)
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "acronym":
            value = str(value).strip()
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            # Notes are staff text: the audit row names the field, not the text.
            changes[name] = "(changed)" if name == "notes" else _audit_value(value)
    if not changes:
        return obj
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="engagement.partner.update",
        mission=obj.mission,
        obj=obj,
        changes=changes,
    )
    return obj


def partner_deactivate(*, actor: Any, partner: Partner) -> Partner:
    """Mark a partner as no longer current (its agreements and projects stay)."""
    return partner_update(actor=actor, partner=partner, data={"is_active": False})


def _check_agreement(obj: Agreement) -> None:
    errors: dict[str, str] = {}
    if obj.ends_on is not None and obj.starts_on is not None and obj.ends_on < obj.starts_on:
        errors["ends_on"] = _("The agreement cannot end before it starts.")
    if obj.signed_on is not None and obj.ends_on is not None and obj.signed_on > obj.ends_on:
        errors["signed_on"] = _("The agreement cannot be signed after it ends.")
    if obj.data_sharing != DataSharing.NONE and not obj.data_sharing_terms.strip():
        errors["data_sharing_terms"] = _("Write the terms under which data is shared.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_create(*, actor: Any, partner: Partner, **fields: Any) -> Agreement:
    """Record an agreement with ``partner`` (kind, title, dates, scope, data sharing)."""
    unknown = sorted(set(fields) - AGREEMENT_FIELDS)
    if unknown:
        raise ValueError(f"agreement_create does not take: {', '.join(unknown)}")
    obj = Agreement(
        partner=partner,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
        **fields,
    )
    _check_agreement(obj)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="engagement.agreement.create",
        mission=partner.mission,
        obj=obj,
        changes={
            "partner": str(partner.public_id),
            "kind": obj.kind,
            "starts_on": _audit_value(obj.starts_on),
            "ends_on": _audit_value(obj.ends_on),
            "data_sharing": obj.data_sharing,
        },
    )
    return obj


@transaction.atomic
def agreement_update(*, actor: Any, agreement: Agreement, data: Mapping[str, Any]) -> Agreement:
    """Change the fields named in ``data``; the audit row lists the fields that changed."""
    unknown = sorted(set(data) - AGREEMENT_FIELDS)
    if unknown:
        raise ValueError(f"agreement_update cannot change: {', '.join(unknown)}")
    obj = (
        Agreement.objects.select_for_update()
        .select_related("partner__mission")
        .get(pk=agreement.pk)
    )
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changes[name] = _audit_value(value)
    if not changes:
        return obj
    obj.updated_by = acting_user(actor)
    _check_agreement(obj)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="engagement.agreement.update",
        mission=obj.partner.mission,
        obj=obj,
        changes=changes,
    )
    return obj
