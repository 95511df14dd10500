"""Helpers for case tests: a case with a chosen timeline (every timestamp given), for the metrics
tests and anyone who needs cases in a known state without walking the state machine.

``make_case`` writes the row the services would leave behind (a factory, like
``helpers_inbox.categories``): tests of the chain itself use the services under frozen clocks.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.db.models import Max

from palava.feedback.models import Case, CaseStatus, CaseType, Category
from palava.missions.models import Mission
from palava.places.models import AdminUnit

_titles = itertools.count(1)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


ACK_DUE = timedelta(minutes=15)  # the alert defaults
RESPOND_DUE = timedelta(minutes=120)


def make_case(
    mission: Mission,
    *,
    opened_at: datetime,
    case_type: str = CaseType.ALERT,
    status: str = "",
    unit: AdminUnit | None = None,
    category: Category | None = None,
    urgency: str = "",
    restricted: bool = False,
    ack_after: timedelta | None = None,
    respond_after: timedelta | None = None,
    resolve_after: timedelta | None = None,
    informed_after: timedelta | None = None,
    closed_after: timedelta | None = None,
    unfounded_after: timedelta | None = None,
    ack_due: timedelta | None = ACK_DUE,
    respond_due: timedelta | None = RESPOND_DUE,
) -> Case:
    """A case opened at ``opened_at`` whose steps happened the given times after opening; the
    status follows from the last step unless given."""

    def at(after: timedelta | None) -> datetime | None:
        return opened_at + after if after is not None else None

    if not status:
        status = CaseStatus.NEW
        for after, step in (
            (ack_after, CaseStatus.ACKNOWLEDGED),
            (unfounded_after, CaseStatus.UNFOUNDED),
            (respond_after, CaseStatus.RESPONSE_DISPATCHED),
            (resolve_after, CaseStatus.RESOLVED),
            (informed_after, CaseStatus.REPORTER_INFORMED),
            (closed_after, CaseStatus.CLOSED),
        ):
            if after is not None:
                status = step
        if informed_after is not None and resolve_after is None and unfounded_after is None:
            status = CaseStatus.REPORTER_INFORMED if closed_after is None else CaseStatus.CLOSED
    number = (Case.objects.filter(mission=mission).aggregate(n=Max("number"))["n"] or 0) + 1
    return Case.objects.create(
        mission=mission,
        number=number,
        case_type=case_type,
        status=status,
        title=f"Test case {next(_titles)}",
        urgency=urgency,
        category=category,
        admin_unit=unit,
        is_restricted=restricted,
        opened_at=opened_at,
        acknowledged_at=at(ack_after),
        verified_at=at(unfounded_after),
        response_dispatched_at=at(respond_after),
        resolved_at=at(resolve_after),
        reporter_informed_at=at(informed_after),
        closed_at=at(closed_after),
        acknowledge_due_at=at(ack_due),
        respond_due_at=at(respond_due),
    )
