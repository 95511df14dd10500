"""JSON shapes for partners, agreements and projects (3W).

Nothing above internal: the organisation is given by its actor id and name only (contacts stay
with the actors API); partner notes are sent only to roles that manage partners (``null``
otherwise).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from palava.engagement.models import (
    AgreementKind,
    BeneficiaryAge,
    CountSex,
    DataSharing,
    DeliverableStatus,
    PartnerType,
    ProjectStatus,
    ProjectType,
    Sector,
)
from palava.engagement.project_forms import MAX_OTHER_PLACES
from palava.engagement.project_services import MAX_REACH

AgreementStateName = Literal["active", "expiring", "expired", "not_started", "none"]
TEXT_MAX = 10_000


class OrganisationRef(Schema):
    id: uuid.UUID = Field(..., description="The organisation's actor id (see the actors API).")
    name: str


class PartnerRef(Schema):
    id: uuid.UUID
    name: str
    acronym: str


class AgreementOut(Schema):
    id: uuid.UUID
    partner: uuid.UUID
    kind: AgreementKind
    title: str
    reference: str
    signed_on: date | None
    starts_on: date
    ends_on: date | None
    scope: str
    data_sharing: DataSharing
    data_sharing_terms: str
    state: AgreementStateName = Field(
        ..., description="active, expiring (ends within 60 days), expired or not_started."
    )


class PartnerOut(Schema):
    id: uuid.UUID
    organisation: OrganisationRef
    acronym: str
    partner_type: PartnerType
    is_active: bool
    agreement_state: AgreementStateName


class PartnerDetailOut(PartnerOut):
    notes: str | None = Field(None, description="Only for roles that manage partners.")
    agreements: list[AgreementOut]
    projects: list[uuid.UUID] = Field(..., description="Visible projects it implements or funds.")


class PartnerFilterQuery(Schema):
    partner_type: PartnerType | None = None
    active: bool | None = None
    q: str | None = Field(None, max_length=100)


class PartnerIn(Schema):
    organisation: uuid.UUID = Field(..., description="An organisation actor you can see.")
    partner_type: PartnerType
    acronym: str = Field("", max_length=40)
    notes: str = Field("", max_length=TEXT_MAX)


class PartnerPatch(Schema):
    partner_type: PartnerType | None = None
    acronym: str | None = Field(None, max_length=40)
    notes: str | None = Field(None, max_length=TEXT_MAX)
    is_active: bool | None = None


class AgreementIn(Schema):
    kind: AgreementKind
    title: str = Field(..., min_length=1, max_length=200)
    reference: str = Field("", max_length=100)
    signed_on: date | None = None
    starts_on: date
    ends_on: date | None = None
    scope: str = Field("", max_length=TEXT_MAX)
    data_sharing: DataSharing = DataSharing.NONE
    data_sharing_terms: str = Field("", max_length=TEXT_MAX)


class AgreementPatch(Schema):
    kind: AgreementKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    reference: str | None = Field(None, max_length=100)
    signed_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    scope: str | None = Field(None, max_length=TEXT_MAX)
    data_sharing: DataSharing | None = None
    data_sharing_terms: str | None = Field(None, max_length=TEXT_MAX)


class ReachCellIO(Schema):
    sex: CountSex
    age_group: BeneficiaryAge
    targeted: int = Field(0, ge=0, le=MAX_REACH)
    reached: int = Field(0, ge=0, le=MAX_REACH)


class ReachOut(Schema):
    cells: list[ReachCellIO]
    targeted: int
    reached: int
    over_target: list[ReachCellIO] = Field(..., description="Cells reached above target.")


class ReachIn(Schema):
    cells: list[ReachCellIO] = Field(..., max_length=len(CountSex) * len(BeneficiaryAge))


class DeliverableOut(Schema):
    id: uuid.UUID
    description: str
    due_on: date | None
    status: DeliverableStatus
    delivered_on: date | None


class DeliverableIn(Schema):
    description: str = Field(..., min_length=1, max_length=300)
    due_on: date | None = None


class DeliverableStatusIn(Schema):
    status: Literal["delivered", "cancelled"]
    delivered_on: date | None = Field(None, description="Delivered: the day (today if empty).")


class ProjectOut(Schema):
    id: uuid.UUID
    code: str
    title: str
    project_type: ProjectType
    sector: Sector
    partner: PartnerRef | None
    funder: PartnerRef | None
    admin_unit: str = Field(..., description="P-code of the main place.")
    places: list[str] = Field(..., description="P-codes of the other places.")
    budget: Decimal | None
    currency: str
    starts_on: date
    ends_on: date | None
    status: ProjectStatus


class ProjectDetailOut(ProjectOut):
    description: str
    agreement: uuid.UUID | None
    reach: ReachOut
    deliverables: list[DeliverableOut]


class ProjectFilterQuery(Schema):
    sector: Sector | None = None
    project_type: ProjectType | None = None
    status: ProjectStatus | None = None
    partner: uuid.UUID | None = None
    place: str | None = Field(None, max_length=32)
    q: str | None = Field(None, max_length=100)


class ProjectIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=200)
    project_type: ProjectType
    sector: Sector
    partner: uuid.UUID | None = None
    funder: uuid.UUID | None = None
    agreement: uuid.UUID | None = None
    admin_unit: str = Field(..., min_length=1, max_length=32)
    places: list[str] = Field([], max_length=MAX_OTHER_PLACES)
    description: str = Field("", max_length=TEXT_MAX)
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("", max_length=3)
    starts_on: date
    ends_on: date | None = None
    status: ProjectStatus = ProjectStatus.PLANNED


class ProjectPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=40)
    title: str | None = Field(None, min_length=1, max_length=200)
    project_type: ProjectType | None = None
    sector: Sector | None = None
    partner: uuid.UUID | None = None
    funder: uuid.UUID | None = None
    agreement: uuid.UUID | None = None
    admin_unit: str | None = Field(None, min_length=1, max_length=32)
    places: list[str] | None = Field(None, max_length=MAX_OTHER_PLACES)
    description: str | None = Field(None, max_length=TEXT_MAX)
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, max_length=3)
    starts_on: date | None = None
    ends_on: date | None = None
    status: ProjectStatus | None = None
