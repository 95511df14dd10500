"""Test helpers of the commitments ledger: records made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from palava.engagement.commitment_services import commitment_create
from palava.engagement.models import Commitment, PartyKind
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit
from tests.factories import AdminUnitFactory


def unit_of(mission: Mission, **kwargs: Any) -> AdminUnit:
    found: AdminUnit = AdminUnitFactory(mission=mission, **kwargs)
    return found


def make_commitment(
    mission: Mission,
    *,
    by: Membership | None = None,
    admin_unit: AdminUnit | None = None,
    made_on: dt.date = dt.date(2026, 3, 1),
    due_date: dt.date | None = dt.date(2026, 3, 31),
    made_by_kind: str = PartyKind.MISSION,
    **kwargs: Any,
) -> Commitment:
    fields: dict[str, Any] = {
        "made_by_name": "Civil Affairs section",
        "made_to_kind": PartyKind.COMMUNITY,
        "made_to_name": "Residents of Kalehe",
        "description": "Repair the borehole at the market",
    }
    fields.update(kwargs)
    return commitment_create(
        actor=by.user if by is not None else None,
        mission=mission,
        made_by_kind=made_by_kind,
        admin_unit=admin_unit or unit_of(mission),
        made_on=made_on,
        due_date=due_date,
        **fields,
    )
