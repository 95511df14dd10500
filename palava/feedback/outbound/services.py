"""Outbound sending: enqueue once, send with a lease, retry with back-off, record delivery.

Exactly once, as far as Palava can make it:

- one row per idempotency key (:func:`outbound_enqueue` returns the existing row for a key);
- a worker claims a row with a conditional ``UPDATE`` (queued/retrying and due, or sending with
  an expired lease -> sending with a new lease) before any network call, so two workers never
  send the same row at once (PostgreSQL re-checks the condition on the locked row);
- the key goes to the gateway with every attempt, so a retry after a timeout (the provider may
  have accepted it) is deduplicated by a provider that honours keys (see ``gateways``);
- a recorded success is final: only ``queued``/``retrying``/expired ``sending`` rows are sent.

Back-off after a failed attempt: 30 s, 2 min, 10 min, 30 min, 2 h (plus up to 10 % jitter,
fixed per key); after ``PALAVA_OUTBOUND_MAX_ATTEMPTS`` (6) attempts, or a non-retryable error,
the row is ``dead`` (the dead-letter page) and the case's assignee is notified. Nothing here
logs a phone number or a text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.audit.services import audit_record
from palava.core import crypto
from palava.core.models import acting_user
from palava.feedback.models import (
    MAX_OUTBOUND_CHARS,
    Channel,
    OutboundMessage,
    OutboundPurpose,
    OutboundStatus,
)
from palava.feedback.outbound import gateways
from palava.feedback.outbound.common import DUE, history_add, send_soon
from palava.feedback.outbound.effects import notify_failure, on_delivered
from palava.feedback.outbound.optout import is_opted_out

# Delivery reports and staff actions live in ``reports`` (re-exported: one import for callers).
from palava.feedback.outbound.reports import (
    outbound_cancel,
    outbound_retry,
    outbound_status_report,
)

__all__ = [
    "BACKOFF",
    "backoff",
    "max_attempts",
    "on_delivered",
    "outbound_cancel",
    "outbound_enqueue",
    "outbound_retry",
    "outbound_send_due",
    "outbound_status_report",
    "send_soon",
]


BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=2),
)
DEFAULT_MAX_ATTEMPTS = 6


def max_attempts() -> int:
    return int(getattr(settings, "PALAVA_OUTBOUND_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def lease_length() -> timedelta:
    return timedelta(seconds=max(60.0, gateways.timeout_seconds() * 3))


def backoff(attempts: int, key: str) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1-based), with a jitter of 0-10 %
    derived from the key (so a test with a frozen clock knows the bounds)."""
    base = BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]
    spread = int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) / 0xFFFF  # 0..1
    return base + base * 0.1 * spread


@sensitive_variables("phone")
def _phone_of(phone: str | None, *people: Any) -> str:
    if phone:
        return phone
    for person in people:
        value = getattr(person, "phone", None) if person is not None else None
        if value:
            return str(value)
    return ""


@transaction.atomic
@sensitive_variables("phone")
def outbound_enqueue(
    *,
    mission: Any,
    channel: Channel,
    purpose: str,
    body: str,
    idempotency_key: str,
    actor: Any,
    phone: str | None = None,
    reporter: Any = None,
    actor_record: Any = None,
    recipient_user: Any = None,
    case: Any = None,
    broadcast: Any = None,
    language: str = "",
    send_on_commit: bool = True,
) -> OutboundMessage:
    """A message to send once; the same key returns the existing row, never a second one.

    A broadcast to an opted-out number is stored ``suppressed`` (never sent). Raises
    ``ValidationError`` when the channel does not send or there is no number. With
    ``send_on_commit=False`` the caller enqueues the sending (one task for a batch, see
    :func:`send_soon`) or leaves it to the minute's sweep.
    """
    existing = OutboundMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if channel.mission_id != mission.pk:
        raise ValidationError(_("This channel belongs to another mission."))
    if channel.outbound_mode not in ("live", "sandbox"):
        raise ValidationError(_("Sending is off for the channel %(name)s.") % {"name": channel})
    if purpose not in OutboundPurpose.values:
        raise ValidationError(_("Unknown purpose."))
    text = (body or "").strip()
    if not text:
        raise ValidationError(_("The message text is empty."))
    if len(text) > MAX_OUTBOUND_CHARS:
        raise ValidationError(
            _("The message is longer than %(limit)d characters.") % {"limit": MAX_OUTBOUND_CHARS}
        )
    number = _phone_of(phone, reporter, actor_record, recipient_user)
    if not number:
        raise ValidationError(_("There is no phone number to send to."))
    pseudonym = crypto.pseudonym(number, kind="phone")
    now = timezone.now()
    suppressed = purpose == OutboundPurpose.BROADCAST and (
        is_opted_out(mission.pk, pseudonym) or bool(getattr(reporter, "opted_out", False))
    )
    row = OutboundMessage(
        mission=mission,
        channel=channel,
        idempotency_key=idempotency_key,
        purpose=purpose,
        case=case,
        broadcast=broadcast,
        reporter=reporter,
        actor=actor_record,
        recipient_user=recipient_user,
        recipient_phone=number,
        recipient_pseudonym=pseudonym,
        body=text,
        language=language[:8],
        status=OutboundStatus.SUPPRESSED if suppressed else OutboundStatus.QUEUED,
        next_attempt_at=None if suppressed else now,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    row.history = history_add(row, "suppressed" if suppressed else "queued", now)
    row.full_clean(exclude=["mission", "channel", "case", "broadcast", "reporter", "actor"])
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same key enqueued meanwhile by another worker
        found = OutboundMessage.objects.filter(idempotency_key=idempotency_key).first()
        if found is None:
            raise
        return found
    if purpose in (OutboundPurpose.REPLY, OutboundPurpose.NOTIFICATION):
        audit_record(
            actor=actor,
            action="outbound.enqueue",
            mission=mission,
            obj=row,
            changes={"purpose": purpose, "channel": channel.pk, "status": row.status},
        )
    if not suppressed and send_on_commit:
        send_soon([row.pk])
    return row


# --- Sending ----------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    waiting = Q(status__in=DUE) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stale = Q(status=OutboundStatus.SENDING, lease_expires_at__lt=now)
    return waiting | stale


def _claim(row_id: int, now: datetime) -> datetime | None:
    """Take the row for one attempt; the lease's end, or None when another worker has it."""
    lease = now + lease_length()
    # One table, no join: Django turns a joined filter into ``id IN (subquery)``, which
    # PostgreSQL does not re-check against the locked row, so two workers could both claim it.
    claimed = OutboundMessage.objects.filter(_due(now), pk=row_id).update(
        status=OutboundStatus.SENDING,
        lease_expires_at=lease,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return lease if claimed else None


def outbound_send_due(
    *, now: datetime | None = None, limit: int = 200, ids: Iterable[int] | None = None
) -> int:
    """Send what is due (only ``ids`` when given); returns how many attempts were made."""
    now = now or timezone.now()
    candidates = OutboundMessage.objects.filter(_due(now)).filter(
        channel__outbound_mode__in=("live", "sandbox")
    )
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    row_ids = list(
        candidates.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    attempts = 0
    for row_id in row_ids:
        lease = _claim(row_id, now)
        if lease is None:
            continue
        row = OutboundMessage.objects.select_related("channel").get(pk=row_id)
        attempts += 1
        _attempt(row, lease, now)
    return attempts


@sensitive_variables("phone")
def _attempt(row: OutboundMessage, lease: datetime, now: datetime) -> None:
    if row.purpose == OutboundPurpose.BROADCAST and is_opted_out(
        row.mission_id, row.recipient_pseudonym
    ):
        _finish(row, lease, now, status=OutboundStatus.SUPPRESSED, event="suppressed")
        return
    phone = row.recipient_phone or ""
    result = gateways.send(
        row.channel,
        phone=phone,
        body=row.body,
        key=row.idempotency_key,
        ref=str(row.public_id),
    )
    del phone
    if result.ok:
        _record_success(row, lease, now, result, row.channel.outbound_mode == "sandbox")
        return
    _record_failure(row, lease, now, result)


def _mine(row: OutboundMessage, lease: datetime) -> Any:
    return OutboundMessage.objects.filter(
        pk=row.pk, status=OutboundStatus.SENDING, lease_expires_at=lease
    )


def _finish(
    row: OutboundMessage, lease: datetime, now: datetime, *, status: str, event: str
) -> None:
    _mine(row, lease).update(
        status=status,
        lease_expires_at=None,
        next_attempt_at=None,
        history=history_add(row, event, now),
        updated_at=now,
    )


@transaction.atomic
def _record_success(
    row: OutboundMessage,
    lease: datetime,
    now: datetime,
    result: gateways.SendResult,
    sandbox: bool,
) -> None:
    provider_id = result.provider_message_id
    history = history_add(row, "sent", now, attempt=row.attempts, provider_id=provider_id)
    status = OutboundStatus.DELIVERED if sandbox else OutboundStatus.SENT
    done = _mine(row, lease).update(
        status=status,
        provider_message_id=provider_id,
        sent_at=now,
        delivered_at=now if sandbox else None,
        lease_expires_at=None,
        next_attempt_at=None,
        last_error="",
        history=history,
        updated_at=now,
    )
    if not done:
        # a delivery report overtook the answer (or the lease was lost): keep the id only
        OutboundMessage.objects.filter(pk=row.pk, provider_message_id="").update(
            provider_message_id=provider_id
        )
        OutboundMessage.objects.filter(pk=row.pk, sent_at__isnull=True).update(sent_at=now)
        return
    if sandbox:
        row.refresh_from_db()
        on_delivered(row)


@transaction.atomic
def _record_failure(
    row: OutboundMessage, lease: datetime, now: datetime, result: gateways.SendResult
) -> None:
    attempts = row.attempts
    dead = not result.retryable or attempts >= max_attempts()
    history = history_add(row, "failed", now, attempt=attempts, error=result.error[:200])
    done = _mine(row, lease).update(
        status=OutboundStatus.DEAD if dead else OutboundStatus.RETRYING,
        next_attempt_at=None if dead else now + backoff(attempts, row.idempotency_key),
        failed_at=now if dead else None,
        lease_expires_at=None,
        last_error=result.error[:300],
        history=history,
        updated_at=now,
    )
    if done and dead:
        row.refresh_from_db()
        notify_failure(row, dead=True)
