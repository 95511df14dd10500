"""The partners/projects API: reads by scope, writes, hostile bodies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.actors.models import ActorKind
from palava.engagement.models import Deliverable, Project
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_partners import (
    organisation_make,
    partner_make,
    places_make,
    project_make,
    scoped_member,
)
from tests.factories import ActorFactory, MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(mission: Mission, tail: str) -> str:
    return f"/api/v1/missions/{mission.slug}/{tail}"


def _send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=body, content_type="application/json")


def test_create_partner_agreement_project_reach_and_deliverable(mission: Mission) -> None:
    places = places_make(mission)
    org = organisation_make(mission, "Amani Water")
    manager = _client(MembershipFactory(mission=mission, role=Role.MANAGER))

    created = _send(
        manager,
        "post",
        _url(mission, "partners"),
        {"organisation": str(org.public_id), "partner_type": "nngo", "acronym": "AMW"},
    )
    assert created.status_code == 201, created.content
    partner_id = created.json()["id"]
    agreement = _send(
        manager,
        "post",
        _url(mission, f"partners/{partner_id}/agreements"),
        {"kind": "mou", "title": "MoU 2026", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    )
    assert agreement.status_code == 201, agreement.content
    project = _send(
        manager,
        "post",
        _url(mission, "projects"),
        {
            "code": "QIP-1",
            "title": "Well",
            "project_type": "qip",
            "sector": "wash",
            "partner": partner_id,
            "agreement": agreement.json()["id"],
            "admin_unit": "CD10",
            "places": ["CD2001"],
            "budget": "1500.00",
            "currency": "usd",
            "starts_on": "2026-02-01",
        },
    )
    assert project.status_code == 201, project.content
    body = project.json()
    assert (body["currency"], body["places"], body["partner"]["acronym"]) == (
        "USD",
        ["CD2001"],
        "AMW",
    )
    reach = _send(
        manager,
        "put",
        _url(mission, f"projects/{body['id']}/reach"),
        {
            "cells": [
                {"sex": "f", "age_group": "children", "targeted": 10, "reached": 12},
                {"sex": "m", "age_group": "adults", "targeted": 5, "reached": 1},
            ]
        },
    )
    assert reach.status_code == 200, reach.content
    assert reach.json()["reached"] == 13
    assert [c["sex"] for c in reach.json()["over_target"]] == ["f"]
    item = _send(
        manager,
        "post",
        _url(mission, f"projects/{body['id']}/deliverables"),
        {"description": "Pump installed"},
    )
    assert item.status_code == 201
    done = _send(
        manager,
        "post",
        _url(mission, f"projects/{body['id']}/deliverables/{item.json()['id']}/status"),
        {"status": "delivered", "delivered_on": "2026-03-01"},
    )
    assert done.json()["status"] == "delivered"
    detail = manager.get(_url(mission, f"projects/{body['id']}")).json()
    assert detail["reach"]["targeted"] == 15
    assert detail["deliverables"][0]["delivered_on"] == "2026-03-01"
    partner = manager.get(_url(mission, f"partners/{partner_id}")).json()
    assert partner["agreements"][0]["state"] in {"active", "expiring", "expired"}
    assert partner["projects"] == [body["id"]]
    assert places.north.pcode == "CD10"


def test_updates_through_the_api(mission: Mission) -> None:
    places = places_make(mission)
    partner = partner_make(mission, "Amani")
    project = project_make(mission, places.north, "QIP-1", partner=partner)
    manager = _client(MembershipFactory(mission=mission, role=Role.OFFICER))

    patched = _send(
        manager,
        "patch",
        _url(mission, f"projects/{project.public_id}"),
        {"status": "completed", "budget": "10", "currency": "EUR", "places": ["CD20"]},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["status"] == "completed"
    assert patched.json()["ends_on"] is not None
    assert patched.json()["places"] == ["CD20"]
    off = _send(
        manager, "patch", _url(mission, f"partners/{partner.public_id}"), {"is_active": False}
    )
    assert off.json()["is_active"] is False


def test_partner_role_reads_without_notes_and_cannot_write(mission: Mission) -> None:
    places = places_make(mission)
    partner = partner_make(mission, "Amani")
    project_make(mission, places.north, "QIP-1", partner=partner)
    reader = _client(MembershipFactory(mission=mission, role=Role.PARTNER))

    listed = reader.get(_url(mission, "partners"))
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    detail = reader.get(_url(mission, f"partners/{partner.public_id}")).json()
    assert detail["notes"] is None
    denied = _send(
        reader, "patch", _url(mission, f"partners/{partner.public_id}"), {"acronym": "X"}
    )
    assert denied.status_code == 403


def test_scoped_reader_sees_only_their_projects(mission: Mission) -> None:
    places = places_make(mission)
    project_make(mission, places.north, "N-1")
    south = project_make(mission, places.south_town, "S-1")
    reader = _client(scoped_member(mission, Role.VIEWER, places.south))

    found = reader.get(_url(mission, "projects")).json()

    assert [p["code"] for p in found["items"]] == ["S-1"]
    north = Project.objects.get(code="N-1")
    assert reader.get(_url(mission, f"projects/{north.public_id}")).status_code == 404
    assert reader.get(_url(mission, f"projects/{south.public_id}")).status_code == 200
    assert reader.get(_url(mission, "projects?place=CD10")).json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"budget": "-5"}, ""),
        ({"currency": "ABC"}, "currency"),
        ({"currency": "USDX"}, ""),
        ({"code": "C" * 41}, ""),
        ({"title": "t" * 201}, ""),
        ({"admin_unit": "NOWHERE"}, "place"),
        ({"places": ["NOWHERE"]}, "place"),
        ({"ends_on": "2020-01-01"}, "end"),
        ({"sector": "weapons"}, ""),
        ({"partner": "not-a-uuid"}, ""),
    ],
)
def test_hostile_project_bodies_are_refused_with_422(
    mission: Mission, change: dict[str, Any], needle: str
) -> None:
    places_make(mission)
    manager = _client(MembershipFactory(mission=mission, role=Role.MANAGER))
    body = {
        "code": "QIP-9",
        "title": "Well",
        "project_type": "qip",
        "sector": "wash",
        "admin_unit": "CD10",
        "budget": "100",
        "currency": "USD",
        "starts_on": "2026-02-01",
        **change,
    }

    response = _send(manager, "post", _url(mission, "projects"), body)

    assert response.status_code == 422, response.content
    assert needle in str(response.json()["detail"]).lower()
    assert not Project.objects.exists()


def test_person_or_foreign_actor_cannot_become_a_partner(mission: Mission) -> None:
    person = ActorFactory(mission=mission, kind=ActorKind.PERSON)
    foreign = organisation_make(MissionFactory())
    manager = _client(MembershipFactory(mission=mission, role=Role.MANAGER))

    for actor in (person, foreign):
        response = _send(
            manager,
            "post",
            _url(mission, "partners"),
            {"organisation": str(actor.public_id), "partner_type": "nngo"},
        )
        assert response.status_code == 422


def test_hostile_reach_and_deliverable_bodies(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "QIP-1")
    manager = _client(MembershipFactory(mission=mission, role=Role.MANAGER))
    url = _url(mission, f"projects/{project.public_id}/reach")

    for cells in (
        [{"sex": "f", "age_group": "children", "targeted": -1}],
        [{"sex": "z", "age_group": "children"}],
        [{"sex": "f", "age_group": "children", "reached": 10**12}],
        [{"sex": "f", "age_group": "children"}] * 2,
        [{"sex": "f", "age_group": "adults"}] * 100,
    ):
        assert _send(manager, "put", url, {"cells": cells}).status_code == 422
    too_long = _send(
        manager,
        "post",
        _url(mission, f"projects/{project.public_id}/deliverables"),
        {"description": "d" * 301},
    )
    assert too_long.status_code == 422
    assert not Deliverable.objects.exists()


def test_api_does_not_name_an_organisation_above_clearance(mission: Mission) -> None:
    places = places_make(mission)
    secret = partner_make(mission, "Hidden Militia Front", "HMF", sensitivity=3)
    project = project_make(mission, places.north, "QIP-1", partner=secret)
    reader = _client(MembershipFactory(mission=mission, role=Role.PARTNER))

    listed = reader.get(_url(mission, "projects")).json()
    detail = reader.get(_url(mission, f"projects/{project.public_id}")).json()

    assert listed["items"][0]["partner"] is None
    assert detail["partner"] is None
    assert "Hidden" not in str(listed) + str(detail)
    assert reader.get(_url(mission, f"partners/{secret.public_id}")).status_code == 404
