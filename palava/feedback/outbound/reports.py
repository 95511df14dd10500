"""Delivery reports from the gateways, and the staff's actions on a message (retry a dead
letter with the same key, cancel)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback.models import Channel, OutboundMessage, OutboundStatus
from palava.feedback.outbound.common import FINAL, history_add, send_soon
from palava.feedback.outbound.effects import notify_failure, on_delivered


@transaction.atomic
def outbound_status_report(
    *,
    channel: Channel,
    provider_message_id: str,
    status: str,
    at: datetime | None = None,
    ref: str = "",
) -> OutboundMessage | None:
    """Apply a provider's report (``delivered`` / ``undelivered`` / ``sent``); None when the
    message is unknown. A delivered message never goes back; repeated reports change nothing."""
    rows = OutboundMessage.objects.select_for_update().filter(channel=channel)
    row = (
        rows.filter(provider_message_id=provider_message_id).first()
        if provider_message_id
        else None
    )
    if row is None and ref:
        row = rows.filter(public_id=ref).first() if _is_uuid(ref) else None
    if row is None:
        return None
    now = timezone.now()
    when = min(at, now) if at is not None else now
    previous = row.status
    if status == "delivered" and previous != OutboundStatus.DELIVERED:
        row.status = OutboundStatus.DELIVERED
        row.delivered_at = when
    elif status == "undelivered" and previous in (
        OutboundStatus.SENT,
        OutboundStatus.SENDING,
        OutboundStatus.RETRYING,
    ):
        row.status = OutboundStatus.UNDELIVERED
        row.failed_at = when
    if row.provider_message_id == "" and provider_message_id:
        row.provider_message_id = provider_message_id
    row.history = history_add(row, f"report:{status}", now)
    if row.status in FINAL:
        row.lease_expires_at = None
        row.next_attempt_at = None
    row.save(
        update_fields=[
            "status",
            "delivered_at",
            "failed_at",
            "provider_message_id",
            "history",
            "lease_expires_at",
            "next_attempt_at",
            "updated_at",
        ]
    )
    if previous != row.status:
        if row.status == OutboundStatus.DELIVERED:
            on_delivered(row)
        elif row.status == OutboundStatus.UNDELIVERED:
            notify_failure(row, dead=False)
    return row


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- Staff actions ----------------------------------------------------------------------------


@transaction.atomic
def outbound_retry(*, outbound: OutboundMessage, actor: Any) -> OutboundMessage:
    """A dead letter goes back to the queue (same key: a provider that got it dedupes it)."""
    now = timezone.now()
    done = OutboundMessage.objects.filter(pk=outbound.pk, status=OutboundStatus.DEAD).update(
        status=OutboundStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        failed_at=None,
        history=history_add(outbound, "retry", now),
        updated_at=now,
        updated_by=acting_user(actor),
    )
    if not done:
        raise ValidationError(_("Only a failed message can be retried."))
    outbound.refresh_from_db()
    audit_record(
        actor=actor,
        action="outbound.retry",
        mission=outbound.mission,
        obj=outbound,
        changes={"status": outbound.status},
    )
    send_soon([outbound.pk])
    return outbound


@transaction.atomic
def outbound_cancel(*, outbound: OutboundMessage, actor: Any) -> OutboundMessage:
    """A message waiting or failed is not sent (any more)."""
    now = timezone.now()
    done = OutboundMessage.objects.filter(
        pk=outbound.pk,
        status__in=(OutboundStatus.QUEUED, OutboundStatus.RETRYING, OutboundStatus.DEAD),
    ).update(
        status=OutboundStatus.CANCELLED,
        next_attempt_at=None,
        history=history_add(outbound, "cancelled", now),
        updated_at=now,
        updated_by=acting_user(actor),
    )
    if not done:
        raise ValidationError(_("This message can no longer be cancelled."))
    outbound.refresh_from_db()
    audit_record(
        actor=actor,
        action="outbound.cancel",
        mission=outbound.mission,
        obj=outbound,
        changes={"status": outbound.status},
    )
    return outbound
