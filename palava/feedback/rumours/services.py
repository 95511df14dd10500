"""Writes about the rumour log: record a rumour, change it, link the messages that repeat it,
set its status, and record the counter-message (channels used, optionally a broadcast draft).

Linking checks the messages against :func:`palava.feedback.selectors.messages_visible` of the
member who links: a message they may not see (outside their area, or in the restricted queue
without ``message.restricted_view``) cannot be linked, whatever id is sent. The places of the
rumour grow with the places of its unrestricted messages; first and last seen follow the
messages. Audit rows carry ids and statuses, never message bodies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback import selectors as message_selectors
from palava.feedback.models import (
    Category,
    Channel,
    Message,
    Rumour,
    RumourMessage,
    RumourRisk,
    RumourStatus,
)
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

MAX_LINK = 200
COUNTER_CHANNELS: tuple[tuple[str, Any], ...] = (
    ("sms_broadcast", gettext_lazy("SMS broadcast")),
    ("radio", gettext_lazy("Community radio")),
    ("community_meeting", gettext_lazy("Community meeting")),
    ("leaders", gettext_lazy("Through community leaders")),
    ("social_media", gettext_lazy("Social media")),
    ("leaflets", gettext_lazy("Leaflets and posters")),
    ("patrol", gettext_lazy("Patrols and liaison visits")),
    ("other", gettext_lazy("Other")),
)
COUNTER_CHANNEL_CODES = frozenset(code for code, _label in COUNTER_CHANNELS)


def _require(membership: Membership, perm: Perm, mission_id: int) -> None:
    if (
        not membership.is_active
        or not role_has(membership.role, perm)
        or membership.mission_id != mission_id
    ):
        raise PermissionDenied(_("Your role does not allow this."))


def _check_places(
    membership: Membership,
    admin_unit: AdminUnit | None,
    places: Sequence[AdminUnit],
    category: Category | None,
) -> None:
    scope = scope_for(membership)
    errors: dict[str, str] = {}
    if not scope.contains(admin_unit):  # no place: whole-mission members only
        errors["admin_unit"] = _("Choose a place inside your area.")
    if any(p.mission_id != membership.mission_id for p in places):
        errors["places"] = _("Choose places of this mission.")
    if category is not None and category.mission_id != membership.mission_id:
        errors["category"] = _("This category belongs to another mission.")
    if errors:
        raise ValidationError(errors)


def _next_number(mission: Mission) -> int:
    last = Rumour.objects.filter(mission=mission).aggregate(n=Max("number"))["n"]
    return int(last or 0) + 1


@transaction.atomic
def rumour_create(
    *,
    mission: Mission,
    actor: Any,
    membership: Membership,
    claim: str,
    first_seen_at: datetime | None = None,
    risk: str = RumourRisk.MEDIUM,
    admin_unit: AdminUnit | None = None,
    places: Sequence[AdminUnit] = (),
    category: Category | None = None,
    notes: str = "",
    messages: Sequence[Message] = (),
) -> Rumour:
    """Record a rumour (status ``monitoring``), optionally with the messages that carry it."""
    _require(membership, Perm.RUMOUR_MANAGE, mission.pk)
    _check_places(membership, admin_unit, places, category)
    seen = first_seen_at or timezone.now()
    obj = Rumour(
        mission=mission,
        claim=claim.strip(),
        first_seen_at=seen,
        last_seen_at=seen,
        risk=risk,
        admin_unit=admin_unit,
        category=category,
        notes=notes.strip(),
        owner=acting_user(actor),
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    for _attempt in range(3):
        obj.number = _next_number(mission)
        obj.full_clean()
        try:
            with transaction.atomic():
                obj.save()
            break
        except IntegrityError:  # two rumours numbered at once: take the next number
            obj.pk = None
    else:  # pragma: no cover - three collisions in a row
        raise ValidationError(_("Please try again."))
    obj.places.set({*places, *([admin_unit] if admin_unit else [])})
    audit_record(
        actor=actor,
        action="rumour.create",
        mission=mission,
        obj=obj,
        changes={"number": obj.number, "risk": obj.risk, "status": obj.status},
    )
    if messages:
        _link(obj, membership=membership, actor=actor, messages=messages)
    return obj


def _locked(rumour: Rumour) -> Rumour:
    return Rumour.objects.select_for_update().select_related("mission").get(pk=rumour.pk)


@transaction.atomic
def rumour_update(
    *,
    rumour: Rumour,
    actor: Any,
    membership: Membership,
    claim: str,
    risk: str,
    admin_unit: AdminUnit | None,
    places: Sequence[AdminUnit] = (),
    category: Category | None = None,
    notes: str = "",
    first_seen_at: datetime | None = None,
) -> Rumour:
    obj = _locked(rumour)
    _require(membership, Perm.RUMOUR_MANAGE, obj.mission_id)
    _check_places(membership, admin_unit, places, category)
    obj.claim = claim.strip()
    obj.risk = risk
    obj.admin_unit = admin_unit
    obj.category = category
    obj.notes = notes.strip()
    if first_seen_at is not None:
        obj.first_seen_at = first_seen_at
        obj.last_seen_at = max(obj.last_seen_at, first_seen_at)
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    obj.places.set({*places, *([admin_unit] if admin_unit else [])})
    audit_record(
        actor=actor,
        action="rumour.update",
        mission=obj.mission,
        obj=obj,
        changes={"risk": obj.risk, "places": sorted(p.pcode for p in obj.places.all())},
    )
    return obj


def _link(obj: Rumour, *, membership: Membership, actor: Any, messages: Iterable[Message]) -> int:
    ids = [m.pk for m in messages][: MAX_LINK + 1]
    if len(ids) > MAX_LINK:
        raise ValidationError(_("Link at most %(n)d messages at once.") % {"n": MAX_LINK})
    visible = list(
        message_selectors.messages_visible(membership)
        .filter(pk__in=ids)
        .only("id", "received_at", "admin_unit_id", "is_restricted")
    )
    if len(visible) != len(set(ids)):
        raise ValidationError(_("One of these messages is not one you may see."))
    now = timezone.now()
    known = set(
        RumourMessage.objects.filter(rumour=obj, message_id__in=ids).values_list(
            "message_id", flat=True
        )
    )
    new = [m for m in visible if m.pk not in known]
    RumourMessage.objects.bulk_create(
        [RumourMessage(rumour=obj, message=m, added_at=now) for m in new], ignore_conflicts=True
    )
    if new:
        obj.first_seen_at = min([obj.first_seen_at, *(m.received_at for m in new)])
        obj.last_seen_at = max([obj.last_seen_at, *(m.received_at for m in new)])
        obj.save(update_fields=["first_seen_at", "last_seen_at", "updated_at"])
        places = {m.admin_unit_id for m in new if m.admin_unit_id and not m.is_restricted}
        if places:
            obj.places.add(*places)
        audit_record(
            actor=actor,
            action="rumour.link_messages",
            mission=obj.mission,
            obj=obj,
            changes={"messages": [str(m.pk) for m in new]},
        )
    return len(new)


@transaction.atomic
def rumour_link_messages(
    *, rumour: Rumour, actor: Any, membership: Membership, messages: Sequence[Message]
) -> int:
    """Link messages that repeat the rumour; returns how many were newly linked."""
    obj = _locked(rumour)
    _require(membership, Perm.RUMOUR_MANAGE, obj.mission_id)
    return _link(obj, membership=membership, actor=actor, messages=messages)


@transaction.atomic
def rumour_unlink_message(
    *, rumour: Rumour, actor: Any, membership: Membership, message: Message
) -> None:
    obj = _locked(rumour)
    _require(membership, Perm.RUMOUR_MANAGE, obj.mission_id)
    if not message_selectors.messages_visible(membership).filter(pk=message.pk).exists():
        raise ValidationError(_("One of these messages is not one you may see."))
    deleted, _rows = RumourMessage.objects.filter(rumour=obj, message=message).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="rumour.unlink_message",
            mission=obj.mission,
            obj=obj,
            changes={"message": str(message.pk)},
        )


@transaction.atomic
def rumour_set_status(
    *, rumour: Rumour, actor: Any, membership: Membership, status: str, note: str = ""
) -> Rumour:
    obj = _locked(rumour)
    _require(membership, Perm.RUMOUR_MANAGE, obj.mission_id)
    if status not in RumourStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    was = obj.status
    obj.status = status
    if note.strip():
        stamp = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
        obj.notes = (obj.notes + "\n\n" if obj.notes else "") + f"[{stamp}] {note.strip()}"
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="rumour.status",
        mission=obj.mission,
        obj=obj,
        changes={"status": status, "was": was},
    )
    return obj


@transaction.atomic
def rumour_counter(
    *,
    rumour: Rumour,
    actor: Any,
    membership: Membership,
    counter_message: str,
    channels: Sequence[str],
    broadcast_channel: Channel | None = None,
) -> Rumour:
    """Record the counter-message and the channels used; status becomes ``countered``.

    With ``broadcast_channel``, a draft broadcast of the counter-message to the rumour's places
    is prepared (it still has to be scheduled by someone allowed to send broadcasts)."""
    obj = _locked(rumour)
    _require(membership, Perm.RUMOUR_MANAGE, obj.mission_id)
    text = counter_message.strip()
    codes = list(dict.fromkeys(channels))
    if not text:
        raise ValidationError({"counter_message": _("Write the counter-message.")})
    if not codes or any(code not in COUNTER_CHANNEL_CODES for code in codes):
        raise ValidationError({"counter_channels": _("Choose the channels used.")})
    if broadcast_channel is not None:
        from palava.feedback.broadcasts.services import broadcast_create

        _require(membership, Perm.BROADCAST_MANAGE, obj.mission_id)
        language = (obj.mission.languages or ["fr"])[0]
        obj.counter_broadcast = broadcast_create(
            mission=obj.mission,
            actor=actor,
            membership=membership,
            title=_("Counter-message for %(reference)s") % {"reference": obj.reference},
            texts={language: text},
            default_language=language,
            channel=broadcast_channel,
            admin_units=list(obj.places.all()),
        )
        if "sms_broadcast" not in codes:
            codes.append("sms_broadcast")
    obj.counter_message = text
    obj.counter_channels = codes
    obj.countered_at = obj.countered_at or timezone.now()
    was = obj.status
    obj.status = RumourStatus.COUNTERED
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="rumour.counter",
        mission=obj.mission,
        obj=obj,
        changes={"status": obj.status, "was": was, "channels": codes},
    )
    return obj
