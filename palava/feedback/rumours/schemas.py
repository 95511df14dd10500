"""JSON shapes for the rumour log. Linked messages appear as ids only (read them through the
messages API, which applies the restricted rule)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ninja import Field, Schema

from palava.feedback.models import RumourRisk, RumourStatus


class SpreadDayOut(Schema):
    day: date
    messages: int


class SpreadPlaceOut(Schema):
    place: str | None = Field(None, description="P-code; null: messages not placed yet.")
    messages: int


class RumourOut(Schema):
    id: uuid.UUID
    reference: str = Field(..., description="R-0001")
    claim: str
    status: RumourStatus
    risk: RumourRisk
    first_seen_at: datetime
    last_seen_at: datetime
    admin_unit: str | None = Field(None, description="P-code of the main place.")
    places: list[str]
    category: str | None
    counter_message: str
    counter_channels: list[str]
    countered_at: datetime | None
    counter_broadcast: uuid.UUID | None
    message_count: int = Field(..., description="Linked messages the caller may see.")


class RumourDetailOut(RumourOut):
    messages: list[uuid.UUID] = Field(..., description="Linked messages the caller may see.")
    spread: list[SpreadDayOut]
    spread_by_place: list[SpreadPlaceOut]
    notes: str


class RumourIn(Schema):
    claim: str = Field(..., min_length=1, max_length=2000)
    first_seen_at: datetime | None = None
    risk: RumourRisk = RumourRisk.MEDIUM
    admin_unit: str | None = Field(None, max_length=32, description="P-code inside your area.")
    places: list[str] = Field(default_factory=list, max_length=100)
    category: str | None = Field(None, max_length=50)
    notes: str = Field("", max_length=5000)
    messages: list[uuid.UUID] = Field(default_factory=list, max_length=200)


class LinkIn(Schema):
    messages: list[uuid.UUID] = Field(..., min_length=1, max_length=200)


class LinkOut(Schema):
    linked: int = Field(..., description="Messages newly linked.")


class StatusIn(Schema):
    status: RumourStatus
    note: str = Field("", max_length=1000)


class CounterIn(Schema):
    counter_message: str = Field(..., min_length=1, max_length=1530)
    channels: list[str] = Field(..., min_length=1, max_length=10)
    broadcast_channel: uuid.UUID | None = Field(
        None, description="Also prepare a draft broadcast through this sending channel."
    )


class RumourFilterQuery(Schema):
    status: RumourStatus | None = None
    risk: RumourRisk | None = None
    place: str | None = Field(None, max_length=32, description="P-code: in it or below it.")
    category: str | None = Field(None, max_length=50)
    q: str | None = Field(None, max_length=200, description="Words of the claim.")
