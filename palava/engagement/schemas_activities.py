"""JSON shapes of the activities API.

Minutes are confidential: ``minutes`` is ``null`` for callers below confidential clearance.
Participants whose actor the caller may not see are only counted (``hidden_participants``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ninja import Field, Schema

from palava.engagement.activity_services import (
    MAX_CELL_COUNT,
    MAX_ISSUE_MESSAGES,
    MAX_ISSUE_SUMMARY,
    MAX_LANGUAGES,
    MAX_LONG_TEXT,
    MAX_NOTES,
    MAX_OTHER_PLACES,
)
from palava.engagement.models import (
    ActivityStatus,
    ActivityType,
    AgeBand,
    CountSex,
    ParticipantGroup,
    ParticipantRole,
)


class ActivityFilterQuery(Schema):
    activity_type: ActivityType | None = None
    status: ActivityStatus | None = None
    place: str | None = Field(None, max_length=32, description="P-code: this unit and below.")
    since: date | None = Field(None, description="First day (mission time zone).")
    until: date | None = Field(None, description="Last day, inclusive.")
    q: str | None = Field(None, max_length=200, description="Title, venue or place name.")


class ActivityOut(Schema):
    id: uuid.UUID
    activity_type: ActivityType
    title: str
    status: ActivityStatus
    admin_unit: str = Field(..., description="P-code of the main place.")
    site: str | None = Field(None, description="Code of the settlement or site.")
    venue: str
    starts_at: datetime
    ends_at: datetime | None
    updated_at: datetime


class ParticipantOut(Schema):
    id: uuid.UUID
    actor: uuid.UUID
    name: str
    role: ParticipantRole


class CellOut(Schema):
    sex: CountSex
    age_band: AgeBand
    group: ParticipantGroup
    count: int


class IssueOut(Schema):
    id: uuid.UUID
    summary: str
    category: str | None = Field(None, description="Code of the feedback category.")
    messages: list[uuid.UUID] = Field(..., description="Linked messages the caller may see.")


class AttendanceOut(Schema):
    cells: list[CellOut]
    total: int
    women_pct: float | None
    youth_pct: float | None
    minority_pct: float | None


class ActivityDetailOut(ActivityOut):
    places: list[str]
    facilitators: list[str] = Field(..., description="User names of staff facilitators.")
    other_facilitators: str
    languages: list[str]
    interpretation: str
    agenda: str
    minutes: str | None = Field(None, description="null below confidential clearance.")
    follow_up_of: uuid.UUID | None
    follow_up_notes: str
    cancel_reason: str
    participants: list[ParticipantOut]
    hidden_participants: int = Field(..., description="Participants the caller may not see.")
    attendance: AttendanceOut
    issues: list[IssueOut]
    created_at: datetime


class ActivityIn(Schema):
    activity_type: ActivityType
    title: str = Field(..., min_length=1, max_length=200)
    status: ActivityStatus = ActivityStatus.PLANNED
    admin_unit: str = Field(..., min_length=1, max_length=32, description="P-code in your area.")
    site: str | None = Field(None, max_length=40)
    venue: str = Field("", max_length=200)
    places: list[str] = Field(default_factory=list, max_length=MAX_OTHER_PLACES)
    starts_at: datetime
    ends_at: datetime | None = None
    facilitators: list[str] = Field(
        default_factory=list, max_length=20, description="User names of mission members."
    )
    other_facilitators: str = Field("", max_length=300)
    languages: list[str] = Field(default_factory=list, max_length=MAX_LANGUAGES)
    interpretation: str = Field("", max_length=300)
    agenda: str = Field("", max_length=MAX_LONG_TEXT)
    minutes: str = Field("", max_length=MAX_LONG_TEXT)
    follow_up_of: uuid.UUID | None = None
    follow_up_notes: str = Field("", max_length=MAX_NOTES)
    cancel_reason: str = Field("", max_length=300)


class ActivityPatch(Schema):
    activity_type: ActivityType | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    status: ActivityStatus | None = None
    admin_unit: str | None = Field(None, min_length=1, max_length=32)
    site: str | None = Field(None, max_length=40)
    venue: str | None = Field(None, max_length=200)
    places: list[str] | None = Field(None, max_length=MAX_OTHER_PLACES)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    facilitators: list[str] | None = Field(None, max_length=20)
    other_facilitators: str | None = Field(None, max_length=300)
    languages: list[str] | None = Field(None, max_length=MAX_LANGUAGES)
    interpretation: str | None = Field(None, max_length=300)
    agenda: str | None = Field(None, max_length=MAX_LONG_TEXT)
    minutes: str | None = Field(None, max_length=MAX_LONG_TEXT)
    follow_up_of: uuid.UUID | None = None
    follow_up_notes: str | None = Field(None, max_length=MAX_NOTES)
    cancel_reason: str | None = Field(None, max_length=300)


class CellIn(Schema):
    sex: CountSex
    age_band: AgeBand
    group: ParticipantGroup = ParticipantGroup.GENERAL
    count: int = Field(..., ge=0, le=MAX_CELL_COUNT)


class AttendanceIn(Schema):
    cells: list[CellIn] = Field(
        ..., max_length=len(CountSex) * len(AgeBand) * len(ParticipantGroup)
    )


class ParticipantIn(Schema):
    actor: uuid.UUID = Field(..., description="Public id of a visible actor.")
    role: ParticipantRole = ParticipantRole.PARTICIPANT
    note: str = Field("", max_length=300)


class IssueIn(Schema):
    summary: str = Field(..., min_length=1, max_length=MAX_ISSUE_SUMMARY)
    category: str | None = Field(None, max_length=50, description="Feedback category code.")
    messages: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_ISSUE_MESSAGES,
        description="Public ids of messages the caller may see (needs message.view).",
    )
