"""Edge cases of the partner and project services and selectors: bad ids, foreign records,
unknown fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from palava.actors.services import actor_deactivate
from palava.audit.models import AuditEvent
from palava.engagement.models import AgreementKind, ProjectStatus, ProjectType
from palava.engagement.partner_selectors import (
    agreement_get,
    organisation_available_get,
    organisations_available,
    partner_get,
)
from palava.engagement.partner_services import (
    agreement_create,
    agreement_update,
    partner_create,
)
from palava.engagement.project_selectors import (
    ProjectFilters,
    deliverable_get,
    project_get,
    project_list,
)
from palava.engagement.project_services import deliverable_add, project_create, project_update
from palava.missions.models import Mission, Role
from tests.engagement.helpers_partners import (
    START,
    organisation_make,
    partner_make,
    places_make,
    project_make,
    scoped_member,
)
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db


def test_an_inactive_organisation_cannot_become_a_partner(mission: Mission) -> None:
    org = organisation_make(mission, "Closed Org")
    org = actor_deactivate(actor=None, record=org, reason="closed")
    with pytest.raises(ValidationError, match="no longer active"):
        partner_create(actor=None, mission=mission, actor_record=org, partner_type="nngo")


def test_unknown_fields_are_programming_errors(mission: Mission) -> None:
    places = places_make(mission)
    partner = partner_make(mission, "Amani")
    agreement = agreement_create(
        actor=None, partner=partner, kind=AgreementKind.MOU, title="MoU", starts_on=START
    )
    project = project_make(mission, places.north, "A")

    with pytest.raises(ValueError, match="does not take"):
        agreement_create(actor=None, partner=partner, colour="red")
    with pytest.raises(ValueError, match="cannot change"):
        agreement_update(actor=None, agreement=agreement, data={"partner": None})
    with pytest.raises(ValueError, match="does not take"):
        project_create(actor=None, mission=mission, mission_id=1)
    with pytest.raises(ValueError, match="cannot change"):
        project_update(actor=None, project=project, data={"mission": None})


def test_getters_refuse_malformed_ids(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    member = MembershipFactory(mission=mission, role=Role.MANAGER)

    assert partner_get(membership=member, public_id="garbage") is None
    assert agreement_get(membership=member, public_id="garbage") is None
    assert project_get(membership=member, public_id="garbage") is None
    assert organisation_available_get(membership=member, public_id="garbage") is None
    assert deliverable_get(membership=member, project=project, public_id="garbage") is None


def test_deliverable_of_a_project_outside_scope_is_not_found(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    item = deliverable_add(actor=None, project=project, description="Pump")
    south = scoped_member(mission, Role.MANAGER, places.south)

    assert deliverable_get(membership=south, project=project, public_id=item.public_id) is None


def test_organisation_search_and_project_type_filter(mission: Mission) -> None:
    places = places_make(mission)
    organisation_make(mission, "Amani Water")
    organisation_make(mission, "Bukavu Women")
    project_make(mission, places.north, "A", project_type=ProjectType.CVR)
    project_make(mission, places.north, "B")
    member = MembershipFactory(mission=mission, role=Role.MANAGER)

    found = organisations_available(membership=member, query="bukavu")
    codes = project_list(membership=member, filters=ProjectFilters(project_type="cvr"))

    assert [a.name for a in found] == ["Bukavu Women"]
    assert [p.code for p in codes] == ["A"]


def test_foreign_main_place_and_agreement_are_refused(mission: Mission) -> None:
    places = places_make(mission)
    other = MissionFactory()
    foreign_agreement = agreement_create(
        actor=None,
        partner=partner_make(other, "Elsewhere"),
        kind=AgreementKind.MOU,
        title="MoU",
        starts_on=START,
    )
    with pytest.raises(ValidationError, match="another mission"):
        project_make(mission, AdminUnitFactory(mission=other, level=1), "A")
    with pytest.raises(ValidationError, match="another mission"):
        project_make(mission, places.north, "B", agreement=foreign_agreement)


def test_agreement_must_be_with_the_partner_or_funder(mission: Mission) -> None:
    places = places_make(mission)
    amani = partner_make(mission, "Amani")
    other = partner_make(mission, "Other")
    agreement = agreement_create(
        actor=None, partner=other, kind=AgreementKind.MOU, title="MoU", starts_on=START
    )

    with pytest.raises(ValidationError, match="implementing partner or funder"):
        project_make(mission, places.north, "A", partner=amani, agreement=agreement)
    ok = project_make(mission, places.north, "B", partner=amani, funder=other, agreement=agreement)
    assert ok.agreement == agreement


def test_currency_without_budget_is_dropped_and_completed_projects_end(mission: Mission) -> None:
    places = places_make(mission)

    project = project_make(
        mission, places.north, "A", currency="USD", status=ProjectStatus.COMPLETED
    )

    assert project.currency == ""
    assert project.ends_on == timezone.localdate()


def test_moving_the_main_place_is_audited_by_pcode(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A", starts_on=dt.date(2026, 1, 1))

    project_update(actor=None, project=project, data={"admin_unit": places.south})

    event = AuditEvent.objects.get(action="engagement.project.update")
    assert event.changes == {"admin_unit": "CD20"}
