"""Hash chain over audit rows: each row's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from palava.audit.models import AuditEvent

GENESIS = "0" * 64


def canonical_payload(event: AuditEvent) -> bytes:
    body: dict[str, Any] = {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "mission_id": event.mission_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "changes": event.changes,
        "ip_address": event.ip_address,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_payload(event)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_id: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the whole trail in id order; name the first row whose hash or link is wrong."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return ChainReport(checked=checked, first_bad_id=None, reason="")
        for event in batch:
            if event.prev_hash != expected_prev:
                return ChainReport(
                    checked, event.id, "previous-hash link broken (a row was removed or inserted)"
                )
            if compute_hash(event) != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash")
            expected_prev = event.hash
            checked += 1
            last_id = event.id
