"""JSON shapes of the commitments ledger API.

Linked actors appear (``made_by.actor``) only when the caller may see the actor; otherwise the
commitment's own name text stands alone (see ``commitment_selectors``). The verification note
is confidential: it is null for a caller whose clearance does not allow it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ninja import Field, Schema

from palava.actors.schemas import SensitivityName
from palava.engagement.commitment_services import MAX_NOTE
from palava.engagement.models import (
    CommitmentEventKind,
    CommitmentStatus,
    EvidenceKind,
    PartyKind,
    Verification,
)


class PartyOut(Schema):
    kind: PartyKind
    name: str
    actor: uuid.UUID | None = Field(None, description="The registry actor, if you may see it.")


class CommitmentOut(Schema):
    id: uuid.UUID
    reference: str = Field(..., description="C-0001")
    made_by: PartyOut
    made_to: PartyOut
    description: str
    admin_unit: str = Field(..., description="P-code of the place.")
    activity: uuid.UUID | None = Field(None, description="Where it was made, if you may see it.")
    made_on: date
    due_date: date | None
    status: CommitmentStatus
    status_changed_at: datetime | None
    overdue: bool = Field(..., description="Open and past its due date (mission time zone).")
    verification: Verification
    verified_at: datetime | None
    owner: str | None = Field(None, description="User name of who follows it up.")
    sensitivity: SensitivityName
    updated_at: datetime


class EventOut(Schema):
    kind: CommitmentEventKind
    at: datetime
    by: str | None
    from_status: str
    to_status: str
    changes: dict[str, object]
    note: str


class EvidenceOut(Schema):
    id: uuid.UUID
    kind: EvidenceKind
    document: uuid.UUID | None
    filename: str | None
    activity: uuid.UUID | None = Field(None, description="Null if you may not see the activity.")
    note: str
    created_at: datetime


class CommitmentDetailOut(CommitmentOut):
    status_note: str
    verification_note: str | None = Field(None, description="Confidential; null if not cleared.")
    evidence: list[EvidenceOut]
    history: list[EventOut]


class CountsOut(Schema):
    all: int
    pending: int
    in_progress: int
    done: int
    broken: int
    cancelled: int
    overdue: int


class CommitmentIn(Schema):
    made_by_kind: PartyKind
    made_by_name: str = Field(..., min_length=1, max_length=200)
    made_by_actor: uuid.UUID | None = None
    made_to_kind: PartyKind
    made_to_name: str = Field(..., min_length=1, max_length=200)
    made_to_actor: uuid.UUID | None = None
    description: str = Field(..., min_length=1, max_length=MAX_NOTE)
    admin_unit: str = Field(..., min_length=1, max_length=32, description="P-code in your area.")
    made_on: date
    due_date: date | None = None
    activity: uuid.UUID | None = None
    owner: str | None = Field(None, max_length=150, description="User name of a staff member.")
    sensitivity: SensitivityName | None = Field(
        None, description="Default by party: armed-group representatives confidential."
    )


class CommitmentPatch(Schema):
    made_by_kind: PartyKind | None = None
    made_by_name: str | None = Field(None, min_length=1, max_length=200)
    made_to_kind: PartyKind | None = None
    made_to_name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, min_length=1, max_length=MAX_NOTE)
    admin_unit: str | None = Field(None, min_length=1, max_length=32)
    made_on: date | None = None
    due_date: date | None = None
    clear_due_date: bool = False
    owner: str | None = Field(None, max_length=150)
    clear_owner: bool = False
    sensitivity: SensitivityName | None = None


class StatusIn(Schema):
    status: CommitmentStatus
    note: str = Field("", max_length=MAX_NOTE)


class VerifyIn(Schema):
    verification: Verification
    note: str = Field("", max_length=MAX_NOTE)


class EvidenceIn(Schema):
    kind: EvidenceKind = Field(..., description="note or activity (files: upload on the page).")
    activity: uuid.UUID | None = None
    note: str = Field("", max_length=MAX_NOTE)


class CommitmentFilterQuery(Schema):
    status: CommitmentStatus | None = None
    overdue: bool = Field(False, description="Open and past due (mission time zone).")
    party_kind: PartyKind | None = Field(None, description="Made by or made to this kind.")
    made_by_kind: PartyKind | None = None
    made_to_kind: PartyKind | None = None
    q: str | None = Field(None, max_length=200, description="Text in the made by / to names.")
    place: str | None = Field(None, max_length=32, description="P-code: this unit or below.")
    due_from: date | None = None
    due_to: date | None = None
    verification: Verification | None = None
    activity: uuid.UUID | None = None
