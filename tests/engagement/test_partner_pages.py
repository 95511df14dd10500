"""Partner and project pages: reads by role and scope, forms, uploads, hostile form input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from palava.actors.models import ActorKind
from palava.engagement.models import (
    Agreement,
    AgreementKind,
    DeliverableStatus,
    Document,
    Partner,
    Project,
)
from palava.engagement.partner_services import agreement_create
from palava.engagement.project_services import deliverable_add, project_reach_set
from palava.missions.models import Mission, Role
from tests.engagement.helpers_partners import (
    START,
    organisation_make,
    partner_make,
    places_make,
    project_make,
    scoped_member,
)
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db


def _u(name: str, mission: Mission, **kwargs: Any) -> str:
    return reverse(name, kwargs={"mission_slug": mission.slug, **kwargs})


def test_partner_pages_for_a_partner_role_show_no_notes_or_documents(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    places = places_make(mission)
    partner = partner_make(mission, "Amani Water", "AMW")
    partner.notes = "internal staff remark"
    partner.save()
    agreement_create(
        actor=None,
        partner=partner,
        kind=AgreementKind.MOU,
        title="MoU 2026",
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        ends_on=timezone.localdate() + dt.timedelta(days=20),
    )
    project_make(mission, places.north, "QIP-1", partner=partner)
    client = client_for(member_of(Role.PARTNER).user)

    listing = client.get(_u("partners:list", mission))
    detail = client.get(_u("partners:detail", mission, partner_id=partner.public_id))

    assert listing.status_code == 200
    assert "Amani Water" in listing.content.decode()
    assert "Add a partner" not in listing.content.decode()
    page = detail.content.decode()
    assert "Expiring soon" in page
    assert "internal staff remark" not in page
    assert "QIP-1" in page
    assert _u("actors:detail", mission, actor_id=partner.actor.public_id) in page
    agreement = Agreement.objects.get()
    agreement_page = client.get(
        _u("partners:agreement_detail", mission, agreement_id=agreement.public_id)
    ).content.decode()
    assert "documents-heading" not in agreement_page
    assert client.get(_u("partners:create", mission)).status_code == 403


def test_manager_adds_an_organisation_as_partner(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    org = organisation_make(mission, "Amani Water")
    person = ActorFactory(mission=mission, kind=ActorKind.PERSON, name="Chief Person")
    client = client_for(member_of(Role.MANAGER).user)

    form = client.get(_u("partners:create", mission)).content.decode()
    assert "Amani Water" in form
    assert "Chief Person" not in form
    response = client.post(
        _u("partners:create", mission),
        {"organisation": str(org.public_id), "partner_type": "nngo", "acronym": "AMW"},
    )
    partner = Partner.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _u("partners:detail", mission, partner_id=partner.public_id)
    refused = client.post(
        _u("partners:create", mission),
        {"organisation": str(person.public_id), "partner_type": "nngo"},
    )
    assert refused.status_code == 400


def test_agreement_form_refuses_bad_dates_and_saves_good_ones(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    partner = partner_make(mission, "Amani")
    client = client_for(member_of(Role.OFFICER).user)
    url = _u("partners:agreement_create", mission, partner_id=partner.public_id)
    body = {"kind": "mou", "title": "MoU", "starts_on": "2026-05-01", "data_sharing": "none"}

    bad = client.post(url, {**body, "ends_on": "2026-01-01"})
    good = client.post(url, {**body, "ends_on": "2026-12-01"})
    agreement = Agreement.objects.get()
    edit = client.post(
        _u("partners:agreement_edit", mission, agreement_id=agreement.public_id),
        {**body, "title": "MoU renewed"},
    )

    assert bad.status_code == 400
    assert good.status_code == 302
    assert edit.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "MoU renewed"


def test_agreement_document_upload(mission: Mission, member_of: Any, client_for: Any) -> None:
    partner = partner_make(mission, "Amani")
    agreement = agreement_create(
        actor=None,
        partner=partner,
        kind=AgreementKind.MOU,
        title="MoU",
        starts_on=timezone.localdate(),
    )
    client = client_for(member_of(Role.MANAGER).user)

    response = client.post(
        _u("partners:agreement_document_add", mission, agreement_id=agreement.public_id),
        {"file": SimpleUploadedFile("mou.txt", b"signed text\n", "text/plain")},
    )

    assert response.status_code == 302
    assert Document.objects.get().agreement == agreement
    page = client.get(
        _u("partners:agreement_detail", mission, agreement_id=agreement.public_id)
    ).content.decode()
    assert "mou.txt" in page


def test_project_pages_create_reach_deliverables_and_documents(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    places_make(mission)
    partner = partner_make(mission, "Amani", "AMW")
    agreement = agreement_create(
        actor=None, partner=partner, kind=AgreementKind.MOU, title="QIP MoU", starts_on=START
    )
    client = client_for(member_of(Role.MANAGER).user)
    form = client.get(_u("projects:create", mission)).content.decode()
    assert "Amani (AMW)" in form
    assert "Amani: QIP MoU" in form
    body = {
        "agreement": str(agreement.public_id),
        "code": "QIP-1",
        "title": "Kibati well",
        "project_type": "qip",
        "sector": "wash",
        "partner": str(partner.public_id),
        "admin_unit": "CD100101",
        "other_places": "CD2001, CD20",
        "budget": "2500",
        "currency": "usd",
        "starts_on": "2026-03-01",
        "status": "ongoing",
    }

    created = client.post(_u("projects:create", mission), body)
    project = Project.objects.get()
    detail_url = _u("projects:detail", mission, project_id=project.public_id)
    reach = client.post(
        _u("projects:reach", mission, project_id=project.public_id),
        {"targeted_f_children": "10", "reached_f_children": "15", "targeted_m_adults": "4"},
        follow=True,
    )
    client.post(
        _u("projects:deliverable_add", mission, project_id=project.public_id),
        {"description": "Pump installed", "due_on": "2026-04-01"},
    )
    item = project.deliverables.get()
    client.post(
        _u(
            "projects:deliverable_deliver",
            mission,
            project_id=project.public_id,
            deliverable_id=item.public_id,
        ),
        {"delivered_on": "2026-03-20"},
    )
    client.post(
        _u("projects:document_add", mission, project_id=project.public_id),
        {"file": SimpleUploadedFile("photo.txt", b"handover notes\n", "text/plain")},
    )

    assert created.status_code == 302
    assert created["Location"] == detail_url
    assert project.currency == "USD"
    assert project.agreement == agreement
    assert sorted(u.pcode for u in project.places.all()) == ["CD20", "CD2001"]
    assert "More people were reached than targeted" in reach.content.decode()
    item.refresh_from_db()
    assert item.status == DeliverableStatus.DELIVERED
    page = client.get(detail_url).content.decode()
    assert "photo.txt" in page
    assert "Kibati" in page
    listing = client.get(_u("projects:list", mission) + "?place=CD20").content.decode()
    assert "QIP-1" in listing
    assert "USD" in listing


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"budget": "-10"}, "budget"),
        ({"currency": "XYZ"}, "ISO 4217"),
        ({"currency": ""}, "currency"),
        ({"admin_unit": "ELSEWHERE"}, "outside your area"),
        ({"title": "t" * 201}, "title"),
        ({"ends_on": "2020-01-01"}, "end before"),
    ],
)
def test_project_form_hostile_input(
    mission: Mission, member_of: Any, client_for: Any, change: dict[str, str], field_error: str
) -> None:
    places_make(mission)
    client = client_for(member_of(Role.MANAGER).user)
    body = {
        "code": "QIP-1",
        "title": "Well",
        "project_type": "qip",
        "sector": "wash",
        "admin_unit": "CD10",
        "budget": "100",
        "currency": "USD",
        "starts_on": "2026-03-01",
        "status": "planned",
        **change,
    }

    response = client.post(_u("projects:create", mission), body)

    assert response.status_code == 400
    assert not Project.objects.exists()
    assert field_error.split()[0].lower() in response.content.decode().lower()


def test_hostile_reach_form_is_refused(mission: Mission, member_of: Any, client_for: Any) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "QIP-1")
    client = client_for(member_of(Role.MANAGER).user)

    response = client.post(
        _u("projects:reach", mission, project_id=project.public_id),
        {"targeted_f_children": "-3", "reached_m_adults": "1e99"},
    )

    assert response.status_code == 400
    assert not project.reach.exists()


def test_scoped_member_gets_404_outside_their_area(mission: Mission, client_for: Any) -> None:
    places = places_make(mission)
    north = project_make(mission, places.north, "N-1")
    project_make(mission, places.south_town, "S-1")
    member = scoped_member(mission, Role.VIEWER, places.south)
    client = client_for(member.user)

    listing = client.get(_u("projects:list", mission)).content.decode()

    assert "S-1" in listing
    assert "N-1" not in listing
    assert client.get(_u("projects:detail", mission, project_id=north.public_id)).status_code == (
        404
    )


def test_viewer_reads_project_without_forms(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "QIP-1")
    project_reach_set(actor=None, project=project, cells={("f", "adults"): (3, 5)})
    deliverable_add(actor=None, project=project, description="Pump")
    client = client_for(member_of(Role.VIEWER).user)

    page = client.get(_u("projects:detail", mission, project_id=project.public_id))

    content = page.content.decode()
    assert page.status_code == 200
    assert "Save the beneficiaries" not in content
    assert "Mark delivered" not in content
    assert "5 of 3" in content
    assert "documents-heading" not in content
    denied = client.post(_u("projects:reach", mission, project_id=project.public_id), {})
    assert denied.status_code == 403


def test_empty_states(mission: Mission, member_of: Any, client_for: Any) -> None:
    client = client_for(member_of(Role.MANAGER).user)

    partners = client.get(_u("partners:list", mission)).content.decode()
    projects = client.get(_u("projects:list", mission)).content.decode()
    create = client.get(_u("partners:create", mission)).content.decode()

    assert "No partner matches" in partners
    assert "No project matches" in projects
    assert "Record the organisation in the actors registry first" in create


def test_project_page_does_not_name_an_organisation_above_clearance(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    places = places_make(mission)
    secret = partner_make(mission, "Hidden Militia Front", "HMF", sensitivity=3)
    project = project_make(mission, places.north, "QIP-1", partner=secret, funder=secret)
    member = member_of(Role.VIEWER)

    page = client_for(member.user).get(_u("projects:detail", mission, project_id=project.public_id))

    assert page.status_code == 200
    assert "Hidden Militia Front" not in page.content.decode()
