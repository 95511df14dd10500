"""Writes about messages by staff: label corrections, status changes, audited reads of the
restricted queue, revealing a reporter's number to call back, and hotline entries.

Every function is atomic and writes its audit rows in the same transaction. Phone numbers and
names never reach the audit trail: a reveal is recorded by its action and the message's id only.
Inbound messages themselves are stored by :func:`palava.feedback.ingest.message_ingest`
(no audit row there, see ADR 0006).

The caller finds messages through :mod:`palava.feedback.selectors` (mission, scope, restricted
queue); the services check the role and the mission again, and re-select bulk targets through
the selectors, so a hidden message can never be changed by guessing its id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback import selectors
from palava.feedback.ingest import message_ingest
from palava.feedback.models import (
    Category,
    Channel,
    ChannelType,
    LabelSource,
    Message,
    MessageStatus,
    Urgency,
)
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for

# Statuses staff may set (``new`` belongs to triage: "awaiting triage").
STAFF_STATUSES: tuple[str, ...] = (
    MessageStatus.OPEN,
    MessageStatus.REVIEWED,
    MessageStatus.CLOSED,
    MessageStatus.SPAM,
)
HOTLINE_KINDS: tuple[str, ...] = ("call", "missed_call")
HOTLINE_CHANNEL_NAME = "Hotline"
MAX_BULK = 500


def _require(membership: Membership, perm: Perm, mission_id: int | None = None) -> None:
    if not membership.is_active or not role_has(membership.role, perm):
        raise PermissionDenied(_("Your role does not allow this."))
    if mission_id is not None and mission_id != membership.mission_id:
        raise PermissionDenied(_("Your role does not allow this."))


def category_is_restricted(category: Category | None) -> bool:
    """A category is restricted when it, or its parent, is marked restricted."""
    if category is None:
        return False
    return bool(category.is_restricted or (category.parent and category.parent.is_restricted))


# --- Labels ----------------------------------------------------------------------------------


def _check_labels(
    membership: Membership,
    category: Category | None,
    urgency: str | None,
    admin_unit: AdminUnit | None,
    site: Site | None,
) -> None:
    errors: dict[str, str] = {}
    mission_id = membership.mission_id
    if category is not None and category.mission_id != mission_id:
        errors["category"] = _("This category belongs to another mission.")
    if urgency is not None and urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency.")
    scope = scope_for(membership)
    if admin_unit is not None and (
        admin_unit.mission_id != mission_id or not scope.contains(admin_unit)
    ):
        errors["admin_unit"] = _("Choose a place inside your area.")
    if site is not None and (site.mission_id != mission_id or not scope.contains(site.admin_unit)):
        errors["site"] = _("Choose a site inside your area.")
    if errors:
        raise ValidationError(errors)


def _apply_labels(
    obj: Message,
    *,
    category: Category | None,
    urgency: str | None,
    admin_unit: AdminUnit | None,
    site: Site | None,
) -> dict[str, Any]:
    """Set the given labels with source ``staff``; returns the audit changes."""
    changes: dict[str, Any] = {}
    if category is not None:
        obj.category = category
        obj.category_source = LabelSource.STAFF
        obj.category_confidence = None
        changes["category"] = category.code
    if urgency is not None:
        obj.urgency = urgency
        obj.urgency_source = LabelSource.STAFF
        changes["urgency"] = urgency
    if site is not None:
        obj.site = site
        changes["site"] = site.code
        if admin_unit is None:
            admin_unit = site.admin_unit
    if admin_unit is not None:
        obj.admin_unit = admin_unit
        obj.place_source = LabelSource.STAFF
        changes["admin_unit"] = admin_unit.pcode
        if site is None and obj.site is not None and obj.site.admin_unit_id != admin_unit.pk:
            obj.site = None
            changes["site"] = ""
    restricted = category_is_restricted(obj.category)
    if restricted != obj.is_restricted:
        obj.is_restricted = restricted
        changes["is_restricted"] = restricted
    return changes


@transaction.atomic
def message_relabel(
    *,
    actor: Any,
    membership: Membership,
    message: Message,
    category: Category | None = None,
    urgency: str | None = None,
    admin_unit: AdminUnit | None = None,
    site: Site | None = None,
) -> Message:
    """Correct labels (``None`` keeps a label); their source becomes ``staff`` (training data).

    ``is_restricted`` follows the category: choosing sexual exploitation and abuse moves the
    message to the restricted queue (out of sight of roles without it). A new place must be
    inside the caller's scope.
    """
    _require(membership, Perm.MESSAGE_MANAGE, message.mission_id)
    _check_labels(membership, category, urgency, admin_unit, site)
    obj = Message.objects.select_for_update(of=("self",)).get(pk=message.pk)
    changes = _apply_labels(
        obj, category=category, urgency=urgency, admin_unit=admin_unit, site=site
    )
    if not changes:
        return obj
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor, action="message.relabel", mission=membership.mission, obj=obj, changes=changes
    )
    return obj


@transaction.atomic
def message_set_status(
    *, actor: Any, membership: Membership, messages: Iterable[Message], status: str
) -> int:
    """Set ``status`` on the given messages the member may see; returns how many changed.

    Messages the member may not see (another mission, outside scope, restricted) are ignored
    exactly like unknown ones. One audit row per changed message.
    """
    _require(membership, Perm.MESSAGE_MANAGE)
    if status not in STAFF_STATUSES:
        raise ValidationError({"status": _("Choose reviewed, closed, spam or open.")})
    ids = [m.pk for m in messages][:MAX_BULK]
    targets = list(
        selectors.messages_visible(membership)
        .filter(pk__in=ids)
        .exclude(status=status)
        .only("id", "public_id", "mission_id", "status")
        .select_for_update(of=("self",))
        .order_by("id")
    )
    if not targets:
        return 0
    now = timezone.now()
    user = acting_user(actor)
    Message.objects.filter(pk__in=[m.pk for m in targets]).update(
        status=status, updated_at=now, updated_by=user
    )
    for obj in targets:
        audit_record(
            actor=actor,
            action="message.status",
            mission=membership.mission,
            obj=obj,
            changes={"status": status},
        )
    return len(targets)


# --- Audited reads ---------------------------------------------------------------------------


@transaction.atomic
def message_read(*, actor: Any, membership: Membership, message: Message) -> Message:
    """Record the read of a restricted message (detail page, API detail); others need none."""
    _require(membership, Perm.MESSAGE_VIEW, message.mission_id)
    if message.is_restricted:
        if not selectors.may_see_restricted(membership):
            raise PermissionDenied(_("Your role does not allow this."))
        audit_record(actor=actor, action="message.read", mission=membership.mission, obj=message)
    return message


@transaction.atomic
def messages_listed(
    *, actor: Any, membership: Membership, messages: Iterable[Message], action: str = "message.list"
) -> int:
    """Record that the restricted messages among ``messages`` were shown in a list (a page of
    the restricted queue, an API page) or written to an export: one audit row per message,
    so "who has seen this message" is one lookup by its id. Returns how many were recorded."""
    restricted = [m for m in messages if m.is_restricted]
    if not restricted:
        return 0
    _require(membership, Perm.MESSAGE_RESTRICTED_VIEW)
    for obj in restricted:
        if obj.mission_id != membership.mission_id:
            raise PermissionDenied(_("Your role does not allow this."))
        audit_record(actor=actor, action=action, mission=membership.mission, obj=obj)
    return len(restricted)


@sensitive_variables("phone")
@transaction.atomic
def reporter_contact_reveal(*, actor: Any, membership: Membership, message: Message) -> str:
    """The sender's phone number, decrypted to call them back; audited (never the number).

    Raises ``ValidationError`` when no number is on file.
    """
    _require(membership, Perm.REPORTER_CONTACT_VIEW, message.mission_id)
    if not selectors.messages_visible(membership).filter(pk=message.pk).exists():
        raise PermissionDenied(_("Your role does not allow this."))
    phone = (message.reporter.phone if message.reporter else None) or message.sender_phone
    if not phone:
        raise ValidationError(_("No phone number is on file for this message."))
    audit_record(
        actor=actor, action="reporter.contact_reveal", mission=membership.mission, obj=message
    )
    return str(phone)


# --- Hotline ---------------------------------------------------------------------------------


@transaction.atomic
def hotline_channel_ensure(*, actor: Any, mission: Mission) -> Channel:
    """The mission's active hotline channel, created (audited) on first use.

    General channel management lives in ``channel_services`` (whose ``channel_create`` this
    calls, audited there); this only makes sure a staff member can log a call before an
    administrator has set channels up.
    """
    found = (
        Channel.objects.filter(mission=mission, channel_type=ChannelType.HOTLINE, is_active=True)
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    taken = set(Channel.objects.filter(mission=mission).values_list("name", flat=True))
    name = HOTLINE_CHANNEL_NAME
    number = 1
    while name in taken:
        number += 1
        name = f"{HOTLINE_CHANNEL_NAME} {number}"
    from palava.feedback.channel_services import channel_create

    try:
        with transaction.atomic():
            created = channel_create(
                actor=actor, mission=mission, name=name, channel_type=ChannelType.HOTLINE
            )
    except IntegrityError:  # another staff member created it at the same moment
        return Channel.objects.get(mission=mission, channel_type=ChannelType.HOTLINE, name=name)
    return created.channel


@sensitive_variables("caller_phone", "caller_name")
@transaction.atomic
def hotline_message_create(
    *,
    actor: Any,
    membership: Membership,
    body: str,
    kind: str = "call",
    channel: Channel | None = None,
    caller_phone: str = "",
    caller_name: str = "",
    entry_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
    language: str = "",
    admin_unit: AdminUnit | None = None,
    site: Site | None = None,
    category: Category | None = None,
    urgency: str | None = None,
) -> Message:
    """Record what a caller said on the hotline (a call, or a call-back after a missed call).

    ``entry_id`` comes from the form: submitting the same form twice stores one message. The
    number is stored encrypted with a pseudonym, like an SMS sender's; staff labels given here
    have the source ``staff``. One ``message.hotline_create`` audit row (never the number).
    """
    _require(membership, Perm.MESSAGE_MANAGE)
    if kind not in HOTLINE_KINDS:
        raise ValidationError({"kind": _("Choose a call or a missed-call call-back.")})
    _check_labels(membership, category, urgency, admin_unit, site)
    mission = membership.mission
    if channel is None:
        channel = hotline_channel_ensure(actor=actor, mission=mission)
    elif channel.mission_id != mission.pk or channel.channel_type != ChannelType.HOTLINE:
        raise ValidationError({"channel": _("Choose one of the mission's hotline channels.")})
    place_name = (site.name if site else admin_unit.name if admin_unit else "")[:200]
    ingested = message_ingest(
        channel=channel,
        provider_message_id=f"hotline-{entry_id or uuid.uuid4()}",
        body=body,
        sender_phone=caller_phone,
        sender_name=caller_name,
        received_at=received_at,
        given_place=place_name,
        given_language=language,
        extra={"entry": kind},
    )
    obj = ingested.message
    if not ingested.created:
        return obj
    changes = _apply_labels(
        obj, category=category, urgency=urgency, admin_unit=admin_unit, site=site
    )
    obj.created_by = obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="message.hotline_create",
        mission=mission,
        obj=obj,
        changes={"channel": channel.name, "extra": kind, **changes},
    )
    return obj
