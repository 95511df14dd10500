"""JSON shapes for the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime

from palava.audit.models import AuditEvent


class AuditEventOut(Schema):
    id: int = Field(..., description="Position in the hash chain.")
    occurred_at: datetime
    actor: str = Field(..., description="Username of the actor, or 'system'.")
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any] = Field(
        ..., description="Changed fields; values of confidential fields read '[redacted]'."
    )

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> str:
        return obj.actor_label


class AuditFilters(Schema):
    action: str | None = Field(None, max_length=100, description="Exact action, e.g. token.create.")
    actor: str | None = Field(None, max_length=150, description="Exact username of the actor.")
    object_id: str | None = Field(None, max_length=64, description="Exact public id of the object.")
    since: AwareDatetime | None = Field(None, description="Events at or after (with a UTC offset).")
    until: AwareDatetime | None = Field(None, description="Events before (with a UTC offset).")
