"""Writing audit rows. Every service calls ``audit_record`` inside its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from palava.audit.chain import GENESIS, compute_hash
from palava.audit.models import AuditEvent
from palava.core.request_context import current_ip
from palava.core.sensitivity import Sensitivity, classify_field

# An arbitrary constant: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x7A1A_0A0D

REDACTED = "[redacted]"


class AuditOutsideTransactionError(RuntimeError):
    """Audit rows must be written in the same transaction as the change they record."""


def _safe_changes(
    model: type[models.Model] | None, changes: dict[str, Any] | None
) -> dict[str, Any]:
    """Keep field names; keep values only for fields classed public or internal."""
    if not changes:
        return {}
    safe: dict[str, Any] = {}
    for name, value in changes.items():
        field_class = classify_field(model, name) if model is not None else None
        if field_class is None or field_class.level >= Sensitivity.CONFIDENTIAL:
            safe[name] = REDACTED
        elif isinstance(value, str | int | float | bool) or value is None:
            safe[name] = value
        else:
            safe[name] = str(value)
    return safe


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: transactions are opened IMMEDIATE, so writers are already serialised.


def audit_record(
    *,
    actor: Any,
    action: str,
    mission: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row to the audit trail.

    ``changes`` maps field names to new values; values of confidential fields (and of fields
    of unknown class) are replaced by ``[redacted]`` so no secret reaches the trail.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError("audit_record must run inside transaction.atomic")
    model = type(obj) if obj is not None else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else str(actor or "system"))[:150],
        mission=mission,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=_safe_changes(model, changes),
        ip_address=current_ip.get(),
        prev_hash=last or GENESIS,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class AuditEntry:
    """One row for :func:`audit_record_many` (same meaning as ``audit_record``'s arguments)."""

    actor: Any
    action: str
    mission: Any = None
    obj: models.Model | None = None
    changes: dict[str, Any] | None = None


def audit_record_many(entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Append several rows with one lock, one read and one insert (a triage batch's cases).

    The rows are chained in order exactly as consecutive ``audit_record`` calls would chain them.
    """
    if not entries:
        return []
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError("audit_record must run inside transaction.atomic")
    _lock_chain()
    prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    now = timezone.now()
    ip_address = current_ip.get()
    events: list[AuditEvent] = []
    for entry in entries:
        actor, obj = entry.actor, entry.obj
        is_user = actor is not None and getattr(actor, "is_authenticated", False)
        event = AuditEvent(
            occurred_at=now,
            actor=actor if is_user else None,
            actor_label=(actor.get_username() if is_user else str(actor or "system"))[:150],
            mission=entry.mission,
            action=entry.action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(getattr(obj, "public_id", None) or obj.pk) if obj is not None else "",
            changes=_safe_changes(type(obj) if obj is not None else None, entry.changes),
            ip_address=ip_address,
            prev_hash=prev,
        )
        event.hash = compute_hash(event)
        prev = event.hash
        events.append(event)
    return AuditEvent.objects.bulk_create(events)


@transaction.atomic
def audit_trail_read(*, actor: Any, mission: Any, filters: dict[str, Any]) -> AuditEvent:
    """Record that ``actor`` read the mission's trail with its values (a confidential read).

    Filter values are recorded by name only: ``audit_record`` redacts fields of no model.
    """
    return audit_record(
        actor=actor,
        action="audit.read",
        mission=mission,
        object_type="audit.auditevent",
        changes=filters,
    )
