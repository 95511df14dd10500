"""JSON shapes for actors, relationships and consent.

Contact values appear only in ``ActorContactOut`` (its own audited route). Fields classed above
the reader's clearance (notes, sources of information, withdrawal reasons) are sent as ``null``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from palava.actors.models import (
    INFLUENCE_MAX,
    INFLUENCE_MIN,
    ActorKind,
    ActorType,
    Confidence,
    ConsentMethod,
    ConsentPurpose,
    Gender,
    RelationshipKind,
)
from palava.core.sensitivity import Sensitivity

SensitivityName = Literal["public", "internal", "confidential", "strictly_confidential"]


def sensitivity_name(value: int) -> SensitivityName:
    return Sensitivity(value).name.lower()  # type: ignore[return-value]


def sensitivity_value(name: SensitivityName) -> int:
    return int(Sensitivity[name.upper()])


class ActorRef(Schema):
    id: uuid.UUID
    name: str


class ActorOut(Schema):
    id: uuid.UUID
    kind: ActorKind
    actor_type: ActorType
    name: str
    alt_names: list[str]
    gender: Gender | Literal[""]
    title: str
    admin_unit: str | None = Field(None, description="P-code of the main place.")
    site: str | None = Field(None, description="Code of the settlement or site.")
    languages: list[str]
    influence: int | None
    stance_peace_process: int | None
    stance_mission: int | None
    sensitivity: SensitivityName
    has_contact: bool = Field(..., description="Whether contact details are on file.")
    is_active: bool
    updated_at: datetime


class ActorDetailOut(ActorOut):
    places: list[str] = Field(..., description="P-codes of other places of influence.")
    notes: str | None = Field(None, description="null when above the reader's clearance.")
    merged_into: uuid.UUID | None = None
    created_at: datetime


class ActorFilterQuery(Schema):
    actor_type: list[ActorType] = Field(default_factory=list)
    kind: list[ActorKind] = Field(default_factory=list)
    place: str | None = Field(
        None, max_length=32, description="P-code: actors in this unit or below it."
    )
    influence_min: int | None = Field(None, ge=INFLUENCE_MIN, le=INFLUENCE_MAX)
    influence_max: int | None = Field(None, ge=INFLUENCE_MIN, le=INFLUENCE_MAX)
    stance_peace_process: list[int] = Field(default_factory=list)
    stance_mission: list[int] = Field(default_factory=list)
    stance_unknown: bool = Field(False, description="Also keep actors whose stance is unknown.")
    q: str | None = Field(None, max_length=200, description="Name search (case, accents ignored).")


class ActorIn(Schema):
    kind: ActorKind
    actor_type: ActorType
    name: str = Field(..., min_length=1, max_length=200)
    alt_names: list[str] = Field(default_factory=list, max_length=50)
    gender: Gender | Literal[""] = ""
    title: str = Field("", max_length=200)
    admin_unit: str | None = Field(None, max_length=32, description="P-code of the main place.")
    places: list[str] = Field(default_factory=list, max_length=100)
    site: str | None = Field(None, max_length=40)
    languages: list[str] = Field(default_factory=list, max_length=20)
    influence: int | None = Field(None, ge=INFLUENCE_MIN, le=INFLUENCE_MAX)
    stance_peace_process: int | None = Field(None, ge=-2, le=2)
    stance_mission: int | None = Field(None, ge=-2, le=2)
    sensitivity: SensitivityName | None = Field(
        None, description="Default: strictly_confidential for armed-group figures, else internal."
    )
    notes: str = Field("", max_length=10_000)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    contact_other: str | None = Field(None, max_length=2_000)


class ActorPatch(Schema):
    kind: ActorKind | None = None
    actor_type: ActorType | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    alt_names: list[str] | None = Field(None, max_length=50)
    gender: Gender | Literal[""] | None = None
    title: str | None = Field(None, max_length=200)
    admin_unit: str | None = Field(None, max_length=32)
    places: list[str] | None = Field(None, max_length=100)
    site: str | None = Field(None, max_length=40)
    languages: list[str] | None = Field(None, max_length=20)
    influence: int | None = Field(None, ge=INFLUENCE_MIN, le=INFLUENCE_MAX)
    stance_peace_process: int | None = Field(None, ge=-2, le=2)
    stance_mission: int | None = Field(None, ge=-2, le=2)
    sensitivity: SensitivityName | None = None
    notes: str | None = Field(None, max_length=10_000)


class ContactOut(Schema):
    phone: str | None
    email: str | None
    contact_other: str | None


class ContactIn(Schema):
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    contact_other: str | None = Field(None, max_length=2_000)
    clear: list[Literal["phone", "email", "contact_other"]] = Field(default_factory=list)


class RelationshipOut(Schema):
    id: uuid.UUID
    source: ActorRef
    target: ActorRef
    kind: RelationshipKind
    symmetric: bool
    start_date: date | None
    end_date: date | None
    information_source: str | None = Field(None, description="null above clearance.")
    confidence: Confidence
    notes: str | None = Field(None, description="null above clearance.")


class RelationshipIn(Schema):
    target: uuid.UUID = Field(..., description="The other actor.")
    kind: RelationshipKind
    start_date: date | None = None
    end_date: date | None = None
    information_source: str = Field("", max_length=300)
    confidence: Confidence = Confidence.MEDIUM
    notes: str = Field("", max_length=10_000)


class RelationshipEndIn(Schema):
    end_date: date | None = Field(None, description="Default: today.")


class ConsentOut(Schema):
    id: uuid.UUID
    actor: uuid.UUID
    purposes: list[str]
    details: str | None = Field(None, description="null above clearance.")
    given_at: datetime
    method: ConsentMethod
    recorded_by: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None = Field(None, description="null above clearance.")
    in_force: bool


class ConsentIn(Schema):
    purposes: list[ConsentPurpose] = Field(..., min_length=1)
    method: ConsentMethod
    given_at: datetime | None = Field(None, description="Default: now. With a UTC offset.")
    details: str = Field("", max_length=5_000)


class ConsentWithdrawIn(Schema):
    reason: str = Field("", max_length=5_000)
    withdrawn_at: datetime | None = Field(None, description="Default: now.")


class GridRowOut(Schema):
    influence: int | None
    counts: list[int]


class GridOut(Schema):
    stance_field: str
    stances: list[int | None] = Field(..., description="Column order: -2 .. +2, then unknown.")
    rows: list[GridRowOut] = Field(..., description="Influence 5 .. 1, then unknown.")
    total: int


class GraphNodeOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    actor_type: str
    influence: int | None
    stance_peace_process: int | None
    admin_unit: str | None


class GraphEdgeOut(Schema):
    id: uuid.UUID
    source: uuid.UUID
    target: uuid.UUID
    kind: str
    confidence: str
    symmetric: bool
    ended: bool


class GraphOut(Schema):
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]
    truncated: bool = Field(..., description="True when more actors matched than were sent.")
