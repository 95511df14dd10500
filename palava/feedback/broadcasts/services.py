"""Writes about broadcasts: create, update, schedule, cancel, and the periodic sender.

A broadcast is written as a draft, scheduled for a time (or now), and sent by
:func:`broadcasts_send_due` (periodic task ``feedback.broadcasts`` every minute, also enqueued
on commit when a broadcast is scheduled for now). Sending materialises the audience (see
:mod:`.audience`) in batches through
:func:`palava.feedback.outbound.services.outbound_enqueue` with the idempotency key
``broadcast:<public id>:<pseudonym>``: a worker that dies half-way leaves the broadcast
``sending`` and the next run enqueues only the rows that are missing, never a second message to
a number. Opted-out numbers are left out here and checked again by the outbound sender right
before each message goes out.

Audit rows carry ids, statuses and counts, never the texts' recipients.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.actors.models import Actor, ActorKind, ActorType
from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback.broadcasts.audience import Recipient, audience_of, audience_resolve
from palava.feedback.models import (
    MAX_OUTBOUND_CHARS,
    Broadcast,
    BroadcastStatus,
    Channel,
    OutboundMessage,
    OutboundPurpose,
    OutboundStatus,
    Reporter,
)
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

BATCH_SIZE = 200
# A broadcast left ``sending`` without progress for this long is taken over by the next run
# (its worker died); a live worker refreshes ``updated_at`` after every batch.
SENDING_LEASE = timedelta(minutes=5)
EDITABLE = (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED)
PENDING = (OutboundStatus.QUEUED, OutboundStatus.RETRYING)
WORKER_ACTOR = "system:worker"


def _clean_texts(texts: dict[str, str], default_language: str) -> dict[str, str]:
    cleaned = {
        str(code).strip()[:8]: str(text).strip()
        for code, text in (texts or {}).items()
        if str(code).strip() and str(text or "").strip()
    }
    errors: dict[str, str] = {}
    if not cleaned.get(default_language):
        errors["texts"] = _("Write the text in the default language.")
    elif any(len(text) > MAX_OUTBOUND_CHARS for text in cleaned.values()):
        errors["texts"] = _("A text is longer than %(limit)d characters.") % {
            "limit": MAX_OUTBOUND_CHARS
        }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_audience(
    *,
    mission: Mission,
    channel: Channel,
    admin_units: Sequence[AdminUnit],
    groups: Sequence[Actor],
    actor_types: Sequence[str],
    to_reporters: bool,
    to_actors: bool,
    membership: Membership | None,
) -> None:
    errors: dict[str, str] = {}
    if channel.mission_id != mission.pk:
        errors["channel"] = _("This channel belongs to another mission.")
    if not to_reporters and not to_actors:
        errors["to_reporters"] = _("Send to reporters, to actors, or to both.")
    if any(u.mission_id != mission.pk for u in admin_units):
        errors["admin_units"] = _("Choose places of this mission.")
    elif membership is not None:
        scope = scope_for(membership)
        if not scope.is_whole_mission and not admin_units:
            errors["admin_units"] = _("Choose at least one place inside your area.")
        elif not all(scope.contains(u) for u in admin_units):
            errors["admin_units"] = _("Choose places inside your area.")
    if any(g.mission_id != mission.pk or g.kind == ActorKind.PERSON for g in groups):
        errors["groups"] = _("Choose groups or organisations of this mission.")
    if any(t not in ActorType.values for t in actor_types):
        errors["actor_types"] = _("Unknown actor type.")
    if errors:
        raise ValidationError(errors)


def _check_member(membership: Membership | None, mission: Mission) -> None:
    if membership is not None and (not membership.is_active or membership.mission_id != mission.pk):
        raise PermissionDenied(_("Your role does not allow this."))


@transaction.atomic
def broadcast_create(
    *,
    mission: Mission,
    actor: Any,
    title: str,
    texts: dict[str, str],
    channel: Channel,
    default_language: str = "",
    to_reporters: bool = True,
    to_actors: bool = False,
    admin_units: Sequence[AdminUnit] = (),
    groups: Sequence[Actor] = (),
    actor_types: Sequence[str] = (),
    languages: Sequence[str] = (),
    membership: Membership | None = None,
) -> Broadcast:
    """A draft broadcast; ``membership`` (from pages and the API) limits the areas to its
    scope."""
    _check_member(membership, mission)
    default_language = default_language or (mission.languages or ["fr"])[0]
    _check_audience(
        mission=mission,
        channel=channel,
        admin_units=admin_units,
        groups=groups,
        actor_types=actor_types,
        to_reporters=to_reporters,
        to_actors=to_actors,
        membership=membership,
    )
    obj = Broadcast(
        mission=mission,
        title=title.strip(),
        texts=_clean_texts(texts, default_language),
        default_language=default_language,
        channel=channel,
        to_reporters=to_reporters,
        to_actors=to_actors,
        actor_types=sorted(set(actor_types)),
        languages=sorted({code for code in languages if code}),
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    obj.full_clean()
    obj.save()
    obj.admin_units.set(admin_units)
    obj.groups.set(groups)
    audit_record(
        actor=actor,
        action="broadcast.create",
        mission=mission,
        obj=obj,
        changes={"title": obj.title, "languages": sorted(obj.texts)},
    )
    return obj


def _locked(broadcast: Broadcast) -> Broadcast:
    return Broadcast.objects.select_for_update().select_related("mission").get(pk=broadcast.pk)


@transaction.atomic
def broadcast_update(
    *,
    broadcast: Broadcast,
    actor: Any,
    title: str,
    texts: dict[str, str],
    channel: Channel,
    default_language: str,
    to_reporters: bool,
    to_actors: bool,
    admin_units: Sequence[AdminUnit] = (),
    groups: Sequence[Actor] = (),
    actor_types: Sequence[str] = (),
    languages: Sequence[str] = (),
    membership: Membership | None = None,
) -> Broadcast:
    """Change a draft or scheduled broadcast (a scheduled one keeps its time)."""
    obj = _locked(broadcast)
    _check_member(membership, obj.mission)
    if obj.status not in EDITABLE:
        raise ValidationError(_("A broadcast being sent or already sent cannot be changed."))
    _check_audience(
        mission=obj.mission,
        channel=channel,
        admin_units=admin_units,
        groups=groups,
        actor_types=actor_types,
        to_reporters=to_reporters,
        to_actors=to_actors,
        membership=membership,
    )
    obj.title = title.strip()
    obj.texts = _clean_texts(texts, default_language)
    obj.default_language = default_language
    obj.channel = channel
    obj.to_reporters = to_reporters
    obj.to_actors = to_actors
    obj.actor_types = sorted(set(actor_types))
    obj.languages = sorted({code for code in languages if code})
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    obj.admin_units.set(admin_units)
    obj.groups.set(groups)
    audit_record(
        actor=actor,
        action="broadcast.update",
        mission=obj.mission,
        obj=obj,
        changes={"title": obj.title, "languages": sorted(obj.texts)},
    )
    return obj


@transaction.atomic
def broadcast_schedule(
    *, broadcast: Broadcast, actor: Any, scheduled_at: datetime | None = None
) -> Broadcast:
    """Schedule a draft (or move a scheduled broadcast) to ``scheduled_at``; None: now."""
    obj = _locked(broadcast)
    if obj.status not in EDITABLE:
        raise ValidationError(_("Only a draft or a scheduled broadcast can be scheduled."))
    now = timezone.now()
    when = scheduled_at or now
    if timezone.is_naive(when):
        raise ValidationError({"scheduled_at": _("Give a date and time with a time zone.")})
    if when < now - timedelta(minutes=1):
        raise ValidationError({"scheduled_at": _("Choose a time in the future.")})
    channel = obj.channel
    if not channel.is_active or getattr(channel, "outbound_mode", "off") == "off":
        raise ValidationError({"channel": _("This channel does not send messages.")})
    obj.status = BroadcastStatus.SCHEDULED
    obj.scheduled_at = when
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="broadcast.schedule",
        mission=obj.mission,
        obj=obj,
        changes={"status": obj.status, "scheduled_at": when.isoformat()},
    )
    if when <= now:
        transaction.on_commit(_enqueue_sender)
    return obj


def _enqueue_sender() -> None:
    from palava.feedback.broadcasts.tasks import feedback_broadcasts_send

    feedback_broadcasts_send.enqueue()


def broadcast_can_cancel(broadcast: Broadcast) -> bool:
    """Draft, scheduled, being sent, or sent with messages still waiting for the gateway."""
    if broadcast.status in (*EDITABLE, BroadcastStatus.SENDING):
        return True
    return (
        broadcast.status == BroadcastStatus.SENT
        and OutboundMessage.objects.filter(broadcast=broadcast, status__in=PENDING).exists()
    )


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, actor: Any) -> Broadcast:
    """Cancel a draft, a scheduled broadcast, or the rest of one being sent (messages not yet
    handed to the gateway are cancelled; those already sent stay sent)."""
    obj = _locked(broadcast)
    if not broadcast_can_cancel(obj):
        raise ValidationError(_("This broadcast can no longer be cancelled."))
    was = obj.status
    obj.status = BroadcastStatus.CANCELLED
    obj.finished_at = timezone.now()
    obj.updated_by = acting_user(actor)
    obj.save()
    stopped = OutboundMessage.objects.filter(broadcast=obj, status__in=PENDING).update(
        status=OutboundStatus.CANCELLED, updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="broadcast.cancel",
        mission=obj.mission,
        obj=obj,
        changes={"status": obj.status, "was": was, "messages_cancelled": stopped},
    )
    return obj


# --- Sending ---------------------------------------------------------------------------------


def _text_for(broadcast: Broadcast, language: str) -> tuple[str, str]:
    texts = broadcast.texts or {}
    if language and texts.get(language):
        return texts[language], language
    return texts.get(broadcast.default_language, ""), broadcast.default_language


def _claim(broadcast_id: int, now: datetime) -> bool:
    """Take a due broadcast (or one whose sender stopped) for this run; one winner only."""
    due = Q(status=BroadcastStatus.SCHEDULED, scheduled_at__lte=now) | Q(
        status=BroadcastStatus.SENDING, updated_at__lt=now - SENDING_LEASE
    )
    return (
        Broadcast.objects.filter(due, pk=broadcast_id).update(
            status=BroadcastStatus.SENDING, updated_at=now
        )
        == 1
    )


def _enqueue_batch(broadcast: Broadcast, batch: Iterable[Recipient], now: datetime) -> bool:
    """Enqueue one batch in one transaction; False when the broadcast was cancelled."""
    from palava.feedback.outbound.services import outbound_enqueue

    rows = list(batch)
    reporters = Reporter.objects.in_bulk([r.reporter_id for r in rows if r.reporter_id])
    actors = Actor.objects.in_bulk([r.actor_id for r in rows if r.actor_id])
    with transaction.atomic():
        state = Broadcast.objects.select_for_update().filter(pk=broadcast.pk).first()
        if state is None or state.status != BroadcastStatus.SENDING:
            return False
        for recipient in rows:
            body, language = _text_for(broadcast, recipient.language)
            outbound_enqueue(
                mission=broadcast.mission,
                channel=broadcast.channel,
                purpose=OutboundPurpose.BROADCAST,
                body=body,
                idempotency_key=f"broadcast:{broadcast.public_id}:{recipient.pseudonym}"[:100],
                actor=WORKER_ACTOR,
                reporter=reporters.get(recipient.reporter_id or 0),
                actor_record=actors.get(recipient.actor_id or 0),
                broadcast=broadcast,
                language=language,
            )
        Broadcast.objects.filter(pk=broadcast.pk).update(updated_at=max(timezone.now(), now))
    return True


def broadcast_send(*, broadcast: Broadcast, now: datetime | None = None) -> Broadcast:
    """Materialise the recipients of a broadcast this run has claimed (status ``sending``)."""
    now = now or timezone.now()
    obj = Broadcast.objects.select_related("mission", "channel").get(pk=broadcast.pk)
    with transaction.atomic():
        if obj.started_at is None:
            Broadcast.objects.filter(pk=obj.pk).update(started_at=now)
            obj.started_at = now
            audit_record(
                actor=WORKER_ACTOR,
                action="broadcast.start",
                mission=obj.mission,
                obj=obj,
                changes={"status": BroadcastStatus.SENDING},
            )
    resolved = audience_resolve(audience_of(obj), now=now)
    already = set(
        OutboundMessage.objects.filter(broadcast=obj).values_list("recipient_pseudonym", flat=True)
    )
    todo = [r for r in resolved.recipients if r.pseudonym not in already]
    for start in range(0, len(todo), BATCH_SIZE):
        if not _enqueue_batch(obj, todo[start : start + BATCH_SIZE], now):
            return Broadcast.objects.get(pk=obj.pk)
    with transaction.atomic():
        fresh = Broadcast.objects.select_for_update().get(pk=obj.pk)
        if fresh.status != BroadcastStatus.SENDING:
            return fresh
        fresh.status = BroadcastStatus.SENT
        fresh.finished_at = timezone.now()
        fresh.recipient_count = OutboundMessage.objects.filter(broadcast=fresh).count()
        fresh.suppressed_count = resolved.suppressed
        fresh.save(
            update_fields=[
                "status",
                "finished_at",
                "recipient_count",
                "suppressed_count",
                "updated_at",
            ]
        )
        audit_record(
            actor=WORKER_ACTOR,
            action="broadcast.sent",
            mission=fresh.mission,
            obj=fresh,
            changes={
                "status": fresh.status,
                "recipients": fresh.recipient_count,
                "suppressed": fresh.suppressed_count,
            },
        )
    return fresh


def broadcasts_send_due(*, now: datetime | None = None) -> int:
    """Send every broadcast due at ``now`` (and resume any whose sender died); returns how
    many were handled. Safe to run in several workers and to re-run after a crash."""
    now = now or timezone.now()
    candidates = list(
        Broadcast.objects.filter(
            Q(status=BroadcastStatus.SCHEDULED, scheduled_at__lte=now)
            | Q(status=BroadcastStatus.SENDING, updated_at__lt=now - SENDING_LEASE)
        )
        .order_by("scheduled_at", "id")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in candidates:
        if not _claim(pk, now):
            continue
        broadcast_send(broadcast=Broadcast.objects.get(pk=pk), now=now)
        done += 1
    return done
