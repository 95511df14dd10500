"""JSON shapes for messages.

No schema carries a phone number, a name or a pseudonym: the sender appears only as the public
id of their :class:`~palava.feedback.models.Reporter` (``null`` until triage links one). The
sender's coordinates appear only in the detail, rounded to ~100 m, for roles that manage
messages (see ``palava.feedback.selectors.coordinates_for``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from palava.feedback.models import ChannelType, LabelSource, MessageStatus, Urgency

StaffStatus = Literal["open", "reviewed", "closed", "spam"]


class ChannelRef(Schema):
    id: uuid.UUID
    name: str
    channel_type: ChannelType


class MessageOut(Schema):
    id: uuid.UUID
    channel: ChannelRef
    received_at: datetime
    sent_at: datetime | None
    body: str
    status: MessageStatus
    language: str = Field(..., description="ISO 639-1 code, empty until detected.")
    language_confidence: float | None
    category: str | None = Field(None, description="Category code (see the mission's taxonomy).")
    category_parent: str | None = Field(None, description="Code of the parent category.")
    category_source: LabelSource
    category_confidence: float | None
    urgency: Urgency | Literal[""]
    urgency_source: LabelSource
    admin_unit: str | None = Field(None, description="P-code of the place.")
    site: str | None = Field(None, description="Code of the settlement or site.")
    place_source: LabelSource
    is_restricted: bool
    cluster: uuid.UUID | None = Field(None, description="Near-duplicate group of the event.")
    reporter: uuid.UUID | None = Field(None, description="Public id of the sender's reporter.")
    triaged_at: datetime | None


class MessageDetailOut(MessageOut):
    cluster_size: int = Field(
        ..., description="Messages of the cluster the caller may see (0 without a cluster)."
    )
    reporter_other_messages: int = Field(
        ..., description="Other messages of the same sender that the caller may see."
    )
    given_place: str = Field(..., description="The place as the sender named it.")
    latitude: float | None = Field(
        None, description="Sender's latitude, rounded to 3 decimals; message.manage only."
    )
    longitude: float | None = Field(
        None, description="Sender's longitude, rounded to 3 decimals; message.manage only."
    )


class MessageFilterQuery(Schema):
    restricted: bool = Field(
        False,
        description="true: the restricted queue instead of the inbox "
        "(needs message.restricted_view; every message returned is audited).",
    )
    channel: uuid.UUID | None = Field(None, description="Channel id.")
    category: str | None = Field(
        None, max_length=50, description="Category code; a parent includes its children."
    )
    urgency: Urgency | None = None
    place: str | None = Field(
        None,
        max_length=32,
        description="P-code: in this unit or below it ('none': not placed yet).",
    )
    language: str | None = Field(None, max_length=8)
    status: MessageStatus | None = None
    since: date | None = Field(None, description="First day received (mission time zone).")
    until: date | None = Field(None, description="Last day received, inclusive.")
    cluster: uuid.UUID | None = None
    reporter: uuid.UUID | None = None
    q: str | None = Field(
        None, max_length=200, description="Words of the message (case and accents ignored)."
    )
    sort: Literal["newest", "oldest", "urgency"] = "newest"


class MessagePatch(Schema):
    category: str | None = Field(None, max_length=50, description="Category code.")
    urgency: Urgency | None = None
    admin_unit: str | None = Field(None, max_length=32, description="P-code inside your area.")
    site: str | None = Field(None, max_length=40, description="Site code inside your area.")
    status: StaffStatus | None = None
