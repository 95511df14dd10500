"""Project services: codes, places, budget and currency, status dates, beneficiaries,
deliverables, and hostile input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.engagement.models import DeliverableStatus, ProjectReach, ProjectStatus
from palava.engagement.project_services import (
    deliverable_add,
    deliverable_cancel,
    deliverable_deliver,
    project_reach_set,
    project_set_status,
    project_update,
)
from palava.missions.models import Mission
from tests.engagement.helpers_partners import partner_make, places_make, project_make
from tests.factories import AdminUnitFactory, MissionFactory

pytestmark = pytest.mark.django_db


def test_project_create_with_places_is_audited(mission: Mission) -> None:
    places = places_make(mission)

    project = project_make(mission, places.north, "QIP-1", places=(places.north, places.south_town))

    # The main place is not repeated among the other places.
    assert list(project.places.all()) == [places.south_town]
    event = AuditEvent.objects.get(action="engagement.project.create")
    assert event.changes["places"] == "CD2001"


def test_code_is_unique_in_the_mission_only(mission: Mission) -> None:
    places = places_make(mission)
    project_make(mission, places.north, "QIP-1")

    with pytest.raises(ValidationError, match="code"):
        project_make(mission, places.south, " QIP-1 ")
    other = MissionFactory()
    project_make(other, AdminUnitFactory(mission=other, level=1), "QIP-1")


@pytest.mark.parametrize(
    ("budget", "currency", "field"),
    [
        ("-1", "USD", "budget"),
        ("100", "", "currency"),
        ("100", "XYZ", "currency"),
        ("100", "usd1", "currency"),
        ("1000000000000000", "USD", "budget"),
    ],
)
def test_bad_budget_or_currency_is_refused(
    mission: Mission, budget: str, currency: str, field: str
) -> None:
    places = places_make(mission)
    with pytest.raises(ValidationError) as caught:
        project_make(mission, places.north, "QIP-1", budget=budget, currency=currency)
    assert field in caught.value.message_dict


def test_currency_is_normalised(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "QIP-1", budget="10.5", currency=" usd ")
    assert (project.budget, project.currency) == (Decimal("10.5"), "USD")


def test_places_and_partners_of_another_mission_are_refused(mission: Mission) -> None:
    places = places_make(mission)
    other = MissionFactory()
    foreign_unit = AdminUnitFactory(mission=other, level=1)
    foreign_partner = partner_make(other, "Elsewhere")

    with pytest.raises(ValidationError, match="another mission"):
        project_make(mission, places.north, "A", places=(foreign_unit,))
    with pytest.raises(ValidationError, match="another mission"):
        project_make(mission, places.north, "B", partner=foreign_partner)


def test_over_long_title_is_refused(mission: Mission) -> None:
    places = places_make(mission)
    with pytest.raises(ValidationError):
        project_make(mission, places.north, "A", title="x" * 201)


def test_ends_before_start_is_refused(mission: Mission) -> None:
    places = places_make(mission)
    with pytest.raises(ValidationError, match="end before"):
        project_make(mission, places.north, "A", ends_on=dt.date(2020, 1, 1))


def test_status_changes_are_free_and_dated(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")

    project = project_set_status(
        actor=None, project=project, status=ProjectStatus.COMPLETED, on=dt.date(2026, 6, 30)
    )
    assert project.ends_on == dt.date(2026, 6, 30)
    project = project_set_status(actor=None, project=project, status=ProjectStatus.ONGOING)
    assert project.status == ProjectStatus.ONGOING

    events = list(AuditEvent.objects.filter(action="engagement.project.update").order_by("id"))
    assert events[0].changes["status"] == "completed (2026-06-30)"
    assert events[1].changes["status"] == f"ongoing ({timezone.localdate().isoformat()})"
    with pytest.raises(ValidationError):
        project_set_status(actor=None, project=project, status="exploded")


def test_update_changes_places(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A", places=(places.south,))

    project_update(actor=None, project=project, data={}, places=[places.south_town])

    assert list(project.places.all()) == [places.south_town]
    assert AuditEvent.objects.get(action="engagement.project.update").changes["places"] == (
        "CD2001"
    )


def test_reach_set_replaces_cells_and_flags_over_target(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    project_reach_set(actor=None, project=project, cells={("m", "elderly"): (3, 3)})

    over = project_reach_set(
        actor=None,
        project=project,
        cells={("f", "children"): (10, 12), ("m", "adults"): (5, 5), ("x", "elderly"): (0, 0)},
    )

    assert over == [("f", "children")]
    stored = {(r.sex, r.age_group): (r.targeted, r.reached) for r in project.reach.all()}
    assert stored == {("f", "children"): (10, 12), ("m", "adults"): (5, 5)}
    event = AuditEvent.objects.filter(action="engagement.project.reach_set").order_by("id").last()
    assert event is not None
    assert event.changes == {"targeted": 15, "reached": 17}
    assert event.object_id == str(project.public_id)


@pytest.mark.parametrize(
    "cells",
    [
        {("f", "children"): (-1, 0)},
        {("q", "children"): (1, 0)},
        {("f", "babies"): (1, 0)},
        {("f", "children"): (1, 10**9)},
        {("f", "children"): ("1", 0)},
        {("f", "children"): (True, 0)},
        {("f",): (1, 0)},
        {("f", "children"): (1,)},
    ],
)
def test_reach_set_refuses_hostile_cells(mission: Mission, cells: dict) -> None:  # type: ignore[type-arg]
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    project_reach_set(actor=None, project=project, cells={("f", "adults"): (1, 1)})

    with pytest.raises(ValidationError):
        project_reach_set(actor=None, project=project, cells=cells)
    assert ProjectReach.objects.filter(project=project).count() == 1


def test_deliverables_add_deliver_cancel(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    pump = deliverable_add(
        actor=None, project=project, description="  Pump   installed ", due_on=dt.date(2026, 5, 1)
    )
    fence = deliverable_add(actor=None, project=project, description="Fence")

    pump = deliverable_deliver(actor=None, deliverable=pump, delivered_on=dt.date(2026, 4, 28))
    fence = deliverable_cancel(actor=None, deliverable=fence)

    assert pump.description == "Pump installed"
    assert (pump.status, pump.delivered_on) == (DeliverableStatus.DELIVERED, dt.date(2026, 4, 28))
    assert fence.status == DeliverableStatus.CANCELLED
    with pytest.raises(ValidationError, match="pending"):
        deliverable_cancel(actor=None, deliverable=pump)
    again = deliverable_deliver(actor=None, deliverable=pump)  # a retry: no change
    assert again.delivered_on == dt.date(2026, 4, 28)
    assert AuditEvent.objects.filter(action="engagement.deliverable.deliver").count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "engagement.deliverable.add",
        "engagement.deliverable.deliver",
        "engagement.deliverable.cancel",
    } <= actions


def test_deliverable_cannot_be_delivered_in_the_future(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    item = deliverable_add(actor=None, project=project, description="Pump")
    with pytest.raises(ValidationError, match="future"):
        deliverable_deliver(
            actor=None,
            deliverable=item,
            delivered_on=timezone.localdate() + dt.timedelta(days=2),
        )


def test_deliverable_over_long_description_is_refused(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    with pytest.raises(ValidationError):
        deliverable_add(actor=None, project=project, description="d" * 301)
