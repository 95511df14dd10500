"""JSON shapes for outbound messages and reply templates: no number, no pseudonym, no text of
a message (the templates' texts are the mission's wording, not personal data)."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Field, Schema

from palava.feedback.models import OutboundPurpose, OutboundStatus


class OutboundFilterQuery(Schema):
    status: OutboundStatus | None = None
    purpose: OutboundPurpose | None = None


class OutboundOut(Schema):
    id: uuid.UUID
    purpose: OutboundPurpose
    status: OutboundStatus
    channel: uuid.UUID
    case: str | None = Field(None, description="Case reference, e.g. C-00042.")
    language: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None


class ReplyTemplateOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    case_type: str
    texts: dict[str, str] = Field(..., description="Language code to text; {reference} is kept.")
    is_active: bool
    order: int


class ReplyTemplateIn(Schema):
    code: str = Field(..., max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., max_length=120)
    case_type: str = ""
    texts: dict[str, str]
    is_active: bool = True
    order: int = Field(0, ge=0, le=999)
