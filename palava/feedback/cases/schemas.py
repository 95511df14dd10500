"""JSON shapes for cases, their timeline and staff notifications.

No schema carries a reporter's number, name or pseudonym, nor a message body: a case lists the
public ids of its messages (read them through the messages API, which applies its own rules).
Staff appear by username.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from palava.feedback.models import (
    CaseEventKind,
    CaseMessageRole,
    CaseStatus,
    CaseType,
    Credibility,
    NotificationKind,
    ResponderType,
    ResponseOutcome,
    SourceReliability,
    Urgency,
)

TransitionAction = Literal[
    "acknowledge", "verify", "unfound", "grade", "resolve", "inform", "close"
]


class TeamRef(Schema):
    id: uuid.UUID
    name: str


class CaseOut(Schema):
    id: uuid.UUID
    reference: str = Field(..., description='"C-00042": the mission\'s case number.')
    case_type: CaseType
    status: CaseStatus
    title: str
    urgency: Urgency | Literal[""]
    category: str | None = Field(None, description="Category code.")
    admin_unit: str | None = Field(None, description="P-code of the place.")
    site: str | None = Field(None, description="Code of the settlement or site.")
    is_restricted: bool
    language: str = Field(..., description="The reporter's language (ISO 639-1), if known.")
    team: TeamRef | None
    assignee: str | None = Field(None, description="Username of the officer assigned.")
    opened_at: datetime
    acknowledged_at: datetime | None
    verified_at: datetime | None
    response_dispatched_at: datetime | None
    resolved_at: datetime | None
    reporter_informed_at: datetime | None
    closed_at: datetime | None
    acknowledge_due_at: datetime | None
    respond_due_at: datetime | None
    overdue: bool = Field(..., description="Past a running deadline (acknowledge or respond).")
    escalation_level: int
    source_reliability: SourceReliability | Literal[""]
    credibility: Credibility | Literal[""]


class CaseMessageOut(Schema):
    id: uuid.UUID = Field(..., description="Public id of the message (messages API).")
    role: CaseMessageRole
    added_at: datetime


class IncidentOut(Schema):
    id: uuid.UUID
    source: str
    reference: str
    occurred_on: date | None
    description: str
    url: str


class ResponseOut(Schema):
    id: uuid.UUID
    responder_type: ResponderType
    responder_name: str
    responded_at: datetime
    action: str
    outcome: ResponseOutcome
    notes: str


class CaseDetailOut(CaseOut):
    summary: str
    messages: list[CaseMessageOut] = Field(
        ..., description="Messages of the case the caller may see."
    )
    incidents: list[IncidentOut]
    responses: list[ResponseOut]


class CaseFilterQuery(Schema):
    status: str | None = Field(
        None, description='A status, "open" (not closed) or "overdue".', max_length=24
    )
    case_type: CaseType | None = None
    urgency: Urgency | None = None
    place: str | None = Field(None, description="P-code; includes the units below.", max_length=60)
    team: uuid.UUID | None = None
    assignee: str | None = Field(None, description='"me" or a user id.', max_length=20)
    overdue: bool = False
    q: str | None = Field(None, description="A reference or words of the title.", max_length=100)
    sort: Literal["newest", "oldest", "due"] = "newest"


class CaseCreateIn(Schema):
    case_type: CaseType
    title: str = Field(..., min_length=1, max_length=200)
    summary: str = Field("", max_length=2000)
    urgency: Urgency | Literal[""] = ""
    admin_unit: str | None = Field(None, description="P-code of the place.", max_length=60)
    messages: list[uuid.UUID] = Field(
        default_factory=list,
        description="Messages to join (ids the caller may see).",
        max_length=50,
    )


class TransitionIn(Schema):
    action: TransitionAction = Field(
        ...,
        description=(
            "acknowledge (new), verify / unfound (acknowledged), grade (any open state), "
            "resolve (response dispatched), inform (resolved or unfounded), close (resolved, "
            "unfounded or reporter informed)."
        ),
    )
    note: str = Field("", max_length=2000)
    source_reliability: SourceReliability | Literal[""] = ""
    credibility: Credibility | Literal[""] = ""


class ResponseIn(Schema):
    responder_type: ResponderType
    action: str = Field(..., min_length=1, max_length=2000, description="What was done.")
    responded_at: datetime | None = Field(
        None, description="When (default: now); never in the future nor before the case opened."
    )
    responder_name: str = Field("", max_length=200)
    outcome: ResponseOutcome = ResponseOutcome.UNKNOWN
    notes: str = Field("", max_length=2000)


class EventOut(Schema):
    kind: CaseEventKind
    at: datetime
    actor: str = Field(..., description="Username, or the system part that acted.")
    from_status: CaseStatus | Literal[""]
    to_status: CaseStatus | Literal[""]
    note: str
    level: int | None = Field(None, description="Escalation level (escalations only).")


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    title: str
    case: uuid.UUID | None
    level: int
    url: str
    created_at: datetime
    read_at: datetime | None
