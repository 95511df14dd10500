"""JSON shapes for broadcasts. Counts only: no number, name or pseudonym of a recipient."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Field, Schema

from palava.feedback.models import BroadcastStatus


class BroadcastStatsOut(Schema):
    total: int = Field(..., description="Messages enqueued plus numbers left out as opted out.")
    queued: int
    sent: int
    delivered: int
    failed: int
    suppressed: int = Field(..., description="Not sent: the number opted out (STOP).")
    cancelled: int
    percent_done: int


class BroadcastOut(Schema):
    id: uuid.UUID
    title: str
    status: BroadcastStatus
    texts: dict[str, str] = Field(..., description="Language code to text.")
    default_language: str
    channel: uuid.UUID
    to_reporters: bool
    to_actors: bool
    areas: list[str] = Field(..., description="P-codes; each includes the units inside it.")
    groups: list[uuid.UUID] = Field(..., description="Actor ids of the groups.")
    actor_types: list[str]
    languages: list[str]
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    stats: BroadcastStatsOut


class BroadcastIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    texts: dict[str, str] = Field(..., description="Language code to text (max 1530 chars).")
    default_language: str = Field("", max_length=8)
    channel: uuid.UUID
    to_reporters: bool = True
    to_actors: bool = False
    areas: list[str] = Field(default_factory=list, max_length=200, description="P-codes.")
    groups: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    actor_types: list[str] = Field(default_factory=list, max_length=20)
    languages: list[str] = Field(default_factory=list, max_length=20)


class ScheduleIn(Schema):
    scheduled_at: datetime | None = Field(
        None, description="When to send (with a time zone); empty: now."
    )


class AudienceOut(Schema):
    total: int
    reporters: int
    actors: int
    suppressed: int
    duplicates: int
