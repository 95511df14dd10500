"""Storing one inbound message, exactly once, before the channel answers 2xx.

The hot path of every webhook: one ``INSERT`` in its own transaction. The unique key
``(channel, provider_message_id)`` turns a provider's retry or a replay into a no-op that
returns the row already stored. Nothing here is slow or optional: triage, reporter linking and
clustering happen later in :mod:`palava.feedback.triage` on the worker.

Inbound messages write no audit row: the message row itself is the append-only record of what
arrived (status changes by staff are audited). See docs/adr/0006.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.core import crypto
from palava.feedback.models import MAX_BODY_CHARS, Channel, Message
from palava.places.text import fold

MAX_PROVIDER_ID_CHARS = 128
MAX_GIVEN_PLACE_CHARS = 200
MAX_SENDER_NAME_CHARS = 200
EXTRA_MAX_KEYS = 20
EXTRA_MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Ingested:
    message: Message
    created: bool


def _clean_extra(extra: Mapping[str, Any] | None) -> dict[str, str]:
    """At most 20 short string values: gateway details are kept, never trusted or unbounded."""
    out: dict[str, str] = {}
    for key, value in list((extra or {}).items())[:EXTRA_MAX_KEYS]:
        if value is None or isinstance(value, dict | list):
            continue
        out[str(key)[:60]] = str(value)[:EXTRA_MAX_VALUE_CHARS]
    return out


@sensitive_variables("sender_phone", "sender_name")
def message_ingest(
    *,
    channel: Channel,
    provider_message_id: str,
    body: str,
    sender_phone: str = "",
    sender_name: str = "",
    received_at: datetime | None = None,
    sent_at: datetime | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    given_place: str = "",
    given_language: str = "",
    extra: Mapping[str, Any] | None = None,
) -> Ingested:
    """Store the message (or find the one already stored under the same provider id).

    Raises ``ValidationError`` with a message safe to show the gateway (never echoing the phone
    number) when the input is unusable; nothing is stored then.
    """
    provider_message_id = (provider_message_id or "").strip()
    if not provider_message_id:
        provider_message_id = f"palava-{uuid.uuid4()}"
    if len(provider_message_id) > MAX_PROVIDER_ID_CHARS:
        raise ValidationError(_("The message id is longer than 128 characters."))
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError(_("The message is empty."))
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(
            _("The message is longer than %(limit)d characters.") % {"limit": MAX_BODY_CHARS}
        )
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."))
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise ValidationError(_("The coordinates are out of range."))
    pseudonym = ""
    phone: str | None = None
    if sender_phone:
        try:
            phone = crypto.normalise_phone(sender_phone)
        except crypto.InvalidPhoneNumber:
            raise ValidationError(_("The sender's number is not a phone number.")) from None
        pseudonym = crypto.pseudonym(phone, kind="phone")
    if len(sender_name) > MAX_SENDER_NAME_CHARS or len(given_place) > MAX_GIVEN_PLACE_CHARS:
        raise ValidationError(_("A field is longer than 200 characters."))
    message = Message(
        mission_id=channel.mission_id,
        channel=channel,
        provider_message_id=provider_message_id,
        received_at=received_at or timezone.now(),
        sent_at=sent_at,
        body=body,
        search_text=fold(body),
        sender_pseudonym=pseudonym,
        sender_phone=phone,
        sender_name=sender_name.strip() or None,
        latitude=latitude,
        longitude=longitude,
        given_place=given_place.strip(),
        given_language=(given_language or "")[:8],
        extra=_clean_extra(extra),
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        existing = Message.objects.filter(
            channel=channel, provider_message_id=provider_message_id
        ).first()
        if existing is None:  # a different integrity problem: let it surface
            raise
        return Ingested(existing, created=False)
    transaction.on_commit(triage_kick)
    return Ingested(message, created=True)


# --- Waking the triage task ------------------------------------------------------------------
# Enqueueing a task per message would double the writes of the hot path. Instead each process
# enqueues at most one triage run per TRIAGE_KICK_INTERVAL; the periodic ``feedback.triage``
# sweep picks up anything a crashed process never kicked.

TRIAGE_KICK_INTERVAL = 1.0
_kick_lock = threading.Lock()
_last_kick = 0.0


def triage_kick() -> None:
    global _last_kick
    now = time.monotonic()
    with _kick_lock:
        if now - _last_kick < TRIAGE_KICK_INTERVAL:
            return
        _last_kick = now
    from palava.feedback.tasks import feedback_triage_pending

    feedback_triage_pending.enqueue()


def triage_kick_reset() -> None:
    """Tests: let the next ingest enqueue again at once."""
    global _last_kick
    with _kick_lock:
        _last_kick = 0.0
