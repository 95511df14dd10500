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
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.core import crypto
from palava.core.fields import PseudonymField
from palava.feedback.models import MAX_BODY_CHARS, Channel, Message
from palava.places.text import fold

MAX_PROVIDER_ID_CHARS = 128
MAX_GIVEN_PLACE_CHARS = 200
MAX_SENDER_NAME_CHARS = 200
EXTRA_MAX_KEYS = 20
EXTRA_MAX_VALUE_CHARS = 200


def _insert_sql() -> tuple[str, list[Any]]:
    """``INSERT ... ON CONFLICT (channel, provider id) DO NOTHING RETURNING id`` for Message.

    Built once per process. One statement: in autocommit it is its own durable transaction (no
    savepoint, no ``IntegrityError`` to recover from), and inside a caller's transaction a
    duplicate leaves that transaction usable. SQLite >= 3.35 and PostgreSQL both support it.
    """
    global _INSERT
    if _INSERT is None:
        connection = connections[DEFAULT_DB_ALIAS]
        quote = connection.ops.quote_name
        fields = [f for f in Message._meta.local_concrete_fields if not f.primary_key]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        by_name = {f.name: f for f in fields}
        conflict = ", ".join(quote(str(by_name[name].column)) for name in _UNIQUE_KEY)
        # Identifiers come from the model's own metadata, values are parameters.
        table = quote(Message._meta.db_table)
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote('id')}"
        )
        _INSERT = (sql, fields)
    return _INSERT


_UNIQUE_KEY = ("channel", "provider_message_id")
# Field classes whose Python value is already what the database driver takes (strings, numbers,
# booleans, None, foreign-key ids): the hot path skips the ORM's conversion for them. Every
# other field (dates, JSON, UUIDs, encrypted text) goes through ``get_db_prep_save``.
_PLAIN_FIELDS: frozenset[type[Any]] = frozenset(
    {models.CharField, models.TextField, models.BooleanField, models.FloatField, PseudonymField}
    | {models.ForeignKey}
)
_INSERT: tuple[str, list[Any]] | None = None


def _insert_once(message: Message) -> int | None:
    """Insert ``message``; its new id, or None when the unique key already exists."""
    sql, fields = _insert_sql()
    connection = connections[DEFAULT_DB_ALIAS]
    params = [
        getattr(message, field.attname)
        if type(field) in _PLAIN_FIELDS
        else field.get_db_prep_save(field.pre_save(message, add=True), connection)
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


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
def message_build(
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
    ack_text: str = "",
) -> Message:
    """The unsaved, validated row for an inbound message (what ``message_ingest`` stores).

    Raises ``ValidationError`` with a message safe to show the gateway (never echoing the phone
    number) when the input is unusable. The demo builds its bulk rows here too, so they hold
    exactly what a webhook would store.
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
        ack_text=ack_text[:480],
    )
    return message


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
    ack_text: str = "",
) -> Ingested:
    """Store the message (or find the one already stored under the same provider id).

    Raises ``ValidationError`` with a message safe to show the gateway (never echoing the phone
    number) when the input is unusable; nothing is stored then. ``ack_text`` is the
    acknowledgement sent back for a new message, stored in the same insert.
    """
    message = message_build(
        channel=channel,
        provider_message_id=provider_message_id,
        body=body,
        sender_phone=sender_phone,
        sender_name=sender_name,
        received_at=received_at,
        sent_at=sent_at,
        latitude=latitude,
        longitude=longitude,
        given_place=given_place,
        given_language=given_language,
        extra=extra,
        ack_text=ack_text,
    )
    new_id = _insert_once(message)
    if new_id is None:
        existing = Message.objects.filter(
            channel=channel, provider_message_id=message.provider_message_id
        ).first()
        if existing is None:  # pragma: no cover - the conflicting row cannot vanish
            raise ValidationError(_("The message cannot be stored."))
        return Ingested(existing, created=False)
    message.pk = new_id
    message._state.adding = False
    message._state.db = DEFAULT_DB_ALIAS
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
