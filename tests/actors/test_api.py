"""The actors API: scope and clearance on every route, writes, relationships and consent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.actors.models import Actor, Consent, Relationship
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Role
from tests.actors.conftest import Geo
from tests.factories import ActorFactory, ConsentFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

MemberIn = Callable[..., Membership]


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(member: Membership, tail: str = "") -> str:
    return f"/api/v1/missions/{member.mission.slug}/actors{tail}"


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=body, content_type="application/json")


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=body, content_type="application/json")


# --- Scope -----------------------------------------------------------------------------------


def test_a_member_scoped_to_one_province_sees_nothing_of_another(
    geo: Geo, member_in: MemberIn
) -> None:
    # given a chief in the north, one in the south, related, and a member scoped to the north
    north = ActorFactory(mission=geo.mission, name="North", admin_unit=geo.north_town, influence=4)
    south = ActorFactory(mission=geo.mission, name="South", admin_unit=geo.south, influence=4)
    rel = RelationshipFactory(source=north, target=south, kind="in_dispute_with")
    consent = ConsentFactory(record=south)
    member = member_in(Role.MANAGER, geo.north)
    client = _client(member)
    # then the list, grid and graph hold only the north
    listed = client.get(_url(member)).json()
    assert [a["name"] for a in listed["items"]] == ["North"]
    assert listed["count"] == 1
    grid = client.get(_url(member, "/grid")).json()
    assert grid["total"] == 1
    graph = client.get(_url(member, "/graph")).json()
    assert [n["name"] for n in graph["nodes"]] == ["North"]
    assert graph["edges"] == []
    assert client.get(_url(member, f"/{north.public_id}/relationships")).json()["count"] == 0
    # and every route naming the south answers 404
    slug = geo.mission.slug
    for method, url, body in [
        ("get", _url(member, f"/{south.public_id}"), None),
        ("patch", _url(member, f"/{south.public_id}"), {"title": "x"}),
        ("get", _url(member, f"/{south.public_id}/contact"), None),
        ("put", _url(member, f"/{south.public_id}/contact"), {"phone": "+243990000001"}),
        ("get", _url(member, f"/{south.public_id}/relationships"), None),
        (
            "post",
            _url(member, f"/{south.public_id}/relationships"),
            {"target": str(north.public_id), "kind": "allied_with"},
        ),
        ("get", _url(member, f"/{south.public_id}/consents"), None),
        (
            "post",
            _url(member, f"/{south.public_id}/consents"),
            {"purposes": ["photograph"], "method": "verbal"},
        ),
        ("post", f"/api/v1/missions/{slug}/relationships/{rel.public_id}/end", {}),
        ("post", f"/api/v1/missions/{slug}/consents/{consent.public_id}/withdraw", {}),
    ]:
        response = client.generic(
            method.upper(),
            url,
            data="" if body is None else json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json() == {"detail": "Not found."}
    # and nothing was written
    assert Relationship.objects.get().end_date is None
    assert Consent.objects.get().withdrawn_at is None


def test_a_scoped_member_creates_actors_only_inside_their_area(
    geo: Geo, member_in: MemberIn
) -> None:
    member = member_in(Role.OFFICER, geo.north)
    client = _client(member)
    body = {"kind": "person", "actor_type": "local_official", "name": "Bourgmestre"}

    assert _post(client, _url(member), body).status_code == 422  # no place: invisible to them
    assert _post(client, _url(member), {**body, "admin_unit": "CD20"}).status_code == 422
    created = _post(client, _url(member), {**body, "admin_unit": "CD1001"})

    assert created.status_code == 201
    assert created.json()["admin_unit"] == "CD1001"
    assert Actor.objects.count() == 1


def test_a_scoped_member_cannot_move_an_actor_out_of_their_area(
    geo: Geo, member_in: MemberIn
) -> None:
    actor = ActorFactory(mission=geo.mission, admin_unit=geo.north)
    member = member_in(Role.OFFICER, geo.north)

    response = _patch(_client(member), _url(member, f"/{actor.public_id}"), {"admin_unit": "CD20"})

    assert response.status_code == 422
    actor.refresh_from_db()
    assert actor.admin_unit == geo.north


# --- Clearance -------------------------------------------------------------------------------


def test_a_partner_gets_404_for_a_strictly_confidential_actor(member_in: MemberIn) -> None:
    member = member_in(Role.PARTNER)
    figure = ActorFactory(mission=member.mission, actor_type="armed_group_figure")
    client = _client(member)

    assert client.get(_url(member, f"/{figure.public_id}")).status_code == 404
    assert client.get(_url(member)).json()["count"] == 0
    assert client.get(_url(member, "/graph")).json()["nodes"] == []


@pytest.mark.parametrize(("role", "sees_notes"), [(Role.PARTNER, False), (Role.ANALYST, True)])
def test_confidential_fields_are_null_above_the_readers_clearance(
    member_in: MemberIn, role: Role, sees_notes: bool
) -> None:
    # given an internal actor with notes and a relationship with a named source
    member = member_in(role)
    chief = ActorFactory(mission=member.mission, notes="Brother of the militia leader")
    RelationshipFactory(
        source=chief,
        target=ActorFactory(mission=member.mission),
        information_source="Informant K.",
    )
    client = _client(member)
    # when they read the actor and its relationships
    detail = client.get(_url(member, f"/{chief.public_id}")).json()
    rels = client.get(_url(member, f"/{chief.public_id}/relationships")).json()["items"]
    # then the confidential values appear only to a confidential clearance
    assert (detail["notes"] == "Brother of the militia leader") is sees_notes
    assert (rels[0]["information_source"] == "Informant K.") is sees_notes
    if not sees_notes:
        assert detail["notes"] is None
        assert rels[0]["information_source"] is None


# --- Writes ----------------------------------------------------------------------------------


def test_create_then_update_through_the_api(geo: Geo, member_in: MemberIn) -> None:
    # given an officer of the whole mission
    member = member_in(Role.OFFICER)
    client = _client(member)
    # when they record a youth group with places and a phone
    created = _post(
        client,
        _url(member),
        {
            "kind": "group",
            "actor_type": "youth_group",
            "name": "Jeunesse de Béni",
            "admin_unit": "CD1001",
            "places": ["CD10", "CD20"],
            "languages": ["fr", "sw"],
            "influence": 3,
            "stance_peace_process": 1,
            "phone": "+243 81 000 0001",
        },
    )
    # then it is there, with the phone on file but not echoed
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["places"] == ["CD10", "CD20"]
    assert body["has_contact"] is True
    assert "810000001" not in created.content.decode()
    assert body["sensitivity"] == "internal"
    # when they change the influence and clear the stance
    updated = _patch(
        client, _url(member, f"/{body['id']}"), {"influence": 4, "stance_peace_process": None}
    )
    # then both are changed and the audit row lists exactly those fields
    assert updated.status_code == 200, updated.content
    assert (updated.json()["influence"], updated.json()["stance_peace_process"]) == (4, None)
    event = AuditEvent.objects.get(action="actor.update")
    assert set(event.changes) == {"influence", "stance_peace_process"}


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "person", "actor_type": "chief", "name": "X"},
        {"kind": "person", "actor_type": "other", "name": ""},
        {"kind": "person", "actor_type": "other", "name": "X", "influence": 9},
        {"kind": "group", "actor_type": "other", "name": "X", "gender": "female"},
        {"kind": "person", "actor_type": "other", "name": "X", "places": ["NOPE"]},
        {"kind": "person", "actor_type": "other", "name": "X", "phone": "not a phone"},
    ],
)
def test_bad_actors_are_refused_with_422(member_in: MemberIn, body: dict[str, Any]) -> None:
    member = member_in(Role.OFFICER)

    response = _post(_client(member), _url(member), body)

    assert response.status_code == 422
    assert "detail" in response.json()
    assert not Actor.objects.exists()


def test_list_filters_and_pagination(geo: Geo, member_in: MemberIn) -> None:
    for n in range(5):
        ActorFactory(mission=geo.mission, name=f"Chef {n}", admin_unit=geo.south_town, influence=5)
    ActorFactory(mission=geo.mission, name="Pasteur", actor_type="religious_leader")
    member = member_in(Role.VIEWER)
    client = _client(member)

    page = client.get(_url(member), {"place": "CD20", "limit": "2", "offset": "2"}).json()
    religious = client.get(_url(member), {"actor_type": "religious_leader"}).json()
    searched = client.get(_url(member), {"q": "CHEF 3"}).json()

    assert page["count"] == 5
    assert [a["name"] for a in page["items"]] == ["Chef 2", "Chef 3"]
    assert [a["name"] for a in religious["items"]] == ["Pasteur"]
    assert [a["name"] for a in searched["items"]] == ["Chef 3"]


def test_grid_by_api(member_in: MemberIn) -> None:
    member = member_in(Role.ANALYST)
    ActorFactory(mission=member.mission, influence=5, stance_mission=-2)
    client = _client(member)

    grid = client.get(_url(member, "/grid"), {"stance": "mission"}).json()

    assert grid["stance_field"] == "stance_mission"
    assert grid["rows"][0] == {"influence": 5, "counts": [1, 0, 0, 0, 0, 0]}
    assert client.get(_url(member, "/grid"), {"stance": "weather"}).status_code == 422


# --- Relationships and consent ---------------------------------------------------------------


def test_relationships_through_the_api(member_in: MemberIn) -> None:
    member = member_in(Role.LIAISON)
    chief = ActorFactory(mission=member.mission)
    council = ActorFactory(mission=member.mission, kind="group")
    client = _client(member)
    url = _url(member, f"/{chief.public_id}/relationships")

    created = _post(client, url, {"target": str(council.public_id), "kind": "allied_with"})
    again = _post(
        client,
        _url(member, f"/{council.public_id}/relationships"),
        {"target": str(chief.public_id), "kind": "allied_with"},
    )
    itself = _post(client, url, {"target": str(chief.public_id), "kind": "leads"})
    ended = _post(
        client,
        f"/api/v1/missions/{member.mission.slug}/relationships/{created.json()['id']}/end",
        {"end_date": "2030-01-01"},
    )

    assert created.status_code == 201
    assert created.json()["symmetric"] is True
    assert again.status_code == 422
    assert itself.status_code == 422
    assert ended.status_code == 200
    assert ended.json()["end_date"] == "2030-01-01"
    assert client.get(url).json()["count"] == 1


def test_a_relationship_to_an_unseen_actor_is_refused(geo: Geo, member_in: MemberIn) -> None:
    member = member_in(Role.OFFICER, geo.north)
    north = ActorFactory(mission=geo.mission, admin_unit=geo.north)
    south = ActorFactory(mission=geo.mission, admin_unit=geo.south)

    response = _post(
        _client(member),
        _url(member, f"/{north.public_id}/relationships"),
        {"target": str(south.public_id), "kind": "allied_with"},
    )

    assert response.status_code == 422
    assert not Relationship.objects.exists()


def test_consent_through_the_api(member_in: MemberIn) -> None:
    member = member_in(Role.OFFICER)
    chief = ActorFactory(mission=member.mission)
    client = _client(member)
    url = _url(member, f"/{chief.public_id}/consents")

    recorded = _post(
        client, url, {"purposes": ["contact_phone", "photograph"], "method": "written"}
    )
    withdrawn = _post(
        client,
        f"/api/v1/missions/{member.mission.slug}/consents/{recorded.json()['id']}/withdraw",
        {"reason": "moved away"},
    )
    listed = client.get(url).json()

    assert recorded.status_code == 201
    assert recorded.json()["recorded_by"] == member.user.username
    assert withdrawn.status_code == 200
    assert withdrawn.json()["in_force"] is False
    assert listed["count"] == 1
    assert listed["items"][0]["withdrawal_reason"] == "moved away"
    assert _post(client, url, {"purposes": ["sell"], "method": "verbal"}).status_code == 422
