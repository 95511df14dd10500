"""The knowledge API: every operation by role, visibility, the source field, hostile bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.audit.models import AuditEvent
from palava.context.models import EntryStatus, KnowledgeEntry, KnowledgeTranslation
from palava.missions.models import Membership, Mission, Role
from palava.missions.permissions import Perm, role_has
from tests.context.helpers_knowledge import World, entry_make, member, reviewed_make, world_make
from tests.context.matrix_samples import sample_entry
from tests.factories import ActorFactory, AdminUnitFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _client(who: Membership) -> Client:
    raw = token_create(actor=who.user, user=who.user, mission=who.mission, name="t", days=1).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(mission: Mission, tail: str) -> str:
    return f"/api/v1/missions/{mission.slug}/context/{tail}"


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return client.generic(method.upper(), url)
    return client.generic(
        method.upper(), url, data=json.dumps(body), content_type="application/json"
    )


# --- The bodies reported for the route matrix (tests/missions/test_matrix.py API_BODIES) ------

MATRIX_BODIES: dict[str, Callable[[Mission], dict[str, Any]] | dict[str, Any]] = {
    "context_entries_create": lambda mission: {
        "topic": "customs",
        "title": "Matrix etiquette",
        "body": "Shake hands with the right hand.",
        "language": "en",
        "sensitivity": 1,
        "source": "Matrix liaison assistant",
        "admin_unit": __import__("tests.assessments.matrix_samples", fromlist=["*"])
        .sample_unit(mission)
        .pcode,
    },
    "context_entries_update": {"body": "Greet the elders first, then the chief."},
    "context_entries_review": {"approve": True, "note": "Checked"},
    "context_entries_retire": {"note": "No longer holds"},
    "context_entries_translation_set": {
        "language": "fr",
        "title": "Salutations",
        "body": "Saluez d'abord les anciens.",
    },
}

OPERATIONS: list[tuple[str, str, str, Perm]] = [
    ("context_entries_list", "get", "entries", Perm.CONTEXT_VIEW),
    ("context_entries_create", "post", "entries", Perm.CONTEXT_EDIT),
    ("context_entries_get", "get", "entries/{entry_id}", Perm.CONTEXT_VIEW),
    ("context_entries_update", "patch", "entries/{entry_id}", Perm.CONTEXT_EDIT),
    ("context_entries_submit", "post", "entries/{entry_id}/submit", Perm.CONTEXT_EDIT),
    ("context_entries_review", "post", "entries/{entry_id}/review", Perm.CONTEXT_REVIEW),
    ("context_entries_retire", "post", "entries/{entry_id}/retire", Perm.CONTEXT_EDIT),
    ("context_entries_revisions", "get", "entries/{entry_id}/revisions", Perm.CONTEXT_VIEW),
    (
        "context_entries_translation_set",
        "post",
        "entries/{entry_id}/translations",
        Perm.CONTEXT_EDIT,
    ),
    ("context_places_entries", "get", "places/{pcode}/entries", Perm.CONTEXT_VIEW),
]


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize(("op", "method", "tail", "perm"), OPERATIONS, ids=lambda v: str(v))
def test_every_operation_by_role_with_the_matrix_samples(
    op: str, method: str, tail: str, perm: Perm, role: Role
) -> None:
    # given the matrix's sample entry (reviewed, internal, in MX01) and a member with ``role``
    mission = MissionFactory()
    entry = sample_entry(mission)
    who = member(mission, role)
    url = _url(
        mission,
        tail.replace("{entry_id}", str(entry.public_id)).replace(
            "{pcode}", entry.admin_unit.pcode if entry.admin_unit else ""
        ),
    )
    sample = MATRIX_BODIES.get(op)
    body = sample(mission) if callable(sample) else sample
    # when they call the operation
    response = _send(_client(who), method, url, body)
    # then the role matrix decides
    if role_has(role, perm):
        assert 200 <= response.status_code < 300, (op, role, response.content[:300])
    else:
        assert response.status_code == 403, (op, role, response.status_code)


def test_operations_are_declared_with_their_permission() -> None:
    from palava.api import api

    schema = api.get_openapi_schema()
    found = {
        spec["operationId"]: spec
        for path in schema["paths"].values()
        for spec in path.values()
        if spec.get("operationId", "").startswith("context_entries")
        or spec.get("operationId") == "context_places_entries"
    }
    assert set(found) == {op for op, *_rest in OPERATIONS}
    for op, _method, _tail, perm in OPERATIONS:
        assert found[op]["x-palava-permission"] == str(perm)
        assert found[op]["summary"]
    # only the write operations listed in MATRIX_BODIES take a body
    with_body = {op for op, spec in found.items() if "requestBody" in spec}
    assert with_body == set(MATRIX_BODIES)


# --- Flows -----------------------------------------------------------------------------------


def _create_body(world: World, **extra: Any) -> dict[str, Any]:
    body = {
        "topic": "leadership",
        "title": "The mwami and the council",
        "body": "The **mwami** decides on land with the council of elders.",
        "language": "en",
        "sensitivity": 1,
        "source": "Council secretary, meeting of 3 May",
        "admin_unit": world.north.pcode,
    }
    body.update(extra)
    return body


def test_write_edit_translate_review_and_read_at_a_site(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    chief = ActorFactory(mission=mission, admin_unit=world.north, name="Mwami Kahindo")
    client = _client(liaison)
    # when a liaison writes an entry linked to a chief, and submits it
    created = _send(
        client,
        "post",
        _url(mission, "entries"),
        _create_body(world, actors=[str(chief.public_id)], submit=True),
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "in_review"
    assert data["version"] == 1
    assert data["actors"] == [{"id": str(chief.public_id), "name": "Mwami Kahindo"}]
    assert data["source"] == "Council secretary, meeting of 3 May"
    assert data["place"] == {
        "kind": "admin_unit",
        "code": world.north.pcode,
        "name": "North Territory",
    }
    entry_id = data["id"]
    # and edits it and translates it to French
    patched = _send(
        client,
        "patch",
        _url(mission, f"entries/{entry_id}"),
        {"body": "The mwami decides on land.", "note": "shorter"},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["version"] == 2
    translated = _send(
        client,
        "post",
        _url(mission, f"entries/{entry_id}/translations"),
        {"language": "fr", "title": "Le mwami et le conseil", "body": "Le mwami décide."},
    )
    assert translated.status_code == 200, translated.content
    assert translated.json()["source_version"] == 2
    # then the liaison may not review their own entry
    own = _send(client, "post", _url(mission, f"entries/{entry_id}/review"), {"approve": True})
    assert own.status_code == 403
    # but an officer approves it
    officer = _client(member(mission, Role.OFFICER))
    approved = _send(
        officer,
        "post",
        _url(mission, f"entries/{entry_id}/review"),
        {"approve": True, "valid_until": "2027-12-31"},
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "reviewed"
    assert approved.json()["valid_until"] == "2027-12-31"
    # and a viewer reading the site below the territory in French sees it, translated, inherited
    viewer = _client(member(mission, Role.VIEWER))
    read = _send(viewer, "get", _url(mission, f"places/{world.site.code}/entries?language=fr"))
    assert read.status_code == 200, read.content
    page = read.json()
    assert page["place"]["kind"] == "site"
    [topic] = page["topics"]
    assert topic["topic"] == "leadership"
    [item] = topic["entries"]
    assert item["title"] == "Le mwami et le conseil"
    assert item["is_translation"] is True
    assert item["translation_stale"] is False
    assert item["inherited_from"] == "North Territory"
    assert item["source"] is None  # the viewer's clearance is internal
    # and the revisions show both versions, newest first
    revisions = _send(officer, "get", _url(mission, f"entries/{entry_id}/revisions"))
    assert [r["version"] for r in revisions.json()["items"]] == [2, 1]
    assert revisions.json()["items"][1]["source"] == "Council secretary, meeting of 3 May"
    viewer_revisions = _send(viewer, "get", _url(mission, f"entries/{entry_id}/revisions"))
    assert all(r["source"] is None for r in viewer_revisions.json()["items"])


def test_source_is_left_out_below_confidential(mission: Mission) -> None:
    world = world_make(mission)
    entry = reviewed_make(
        member(mission, Role.LIAISON), member(mission, Role.OFFICER), admin_unit=world.north
    )
    for role, shown in [
        (Role.VIEWER, False),
        (Role.PARTNER, False),
        (Role.ANALYST, True),
        (Role.MANAGER, True),
    ]:
        client = _client(member(mission, role))
        got = _send(client, "get", _url(mission, f"entries/{entry.public_id}")).json()
        listed = _send(client, "get", _url(mission, "entries")).json()["items"]
        assert (got["source"] is not None) is shown, role
        assert (listed[0]["source"] is not None) is shown, role
        assert (b"Liaison assistant" in json.dumps(listed).encode()) is shown


def test_hidden_entries_answer_404(mission: Mission) -> None:
    # given a draft, a strictly confidential entry, an entry in the south and another mission's
    world = world_make(mission)
    manager = member(mission, Role.MANAGER)
    draft = entry_make(manager, admin_unit=world.north)
    secret = reviewed_make(
        manager, member(mission, Role.ADMIN), admin_unit=world.north, sensitivity=3
    )
    south = reviewed_make(manager, member(mission, Role.ADMIN), admin_unit=world.south)
    other_mission = MissionFactory()
    foreign = entry_make(
        member(other_mission, Role.MANAGER),
        admin_unit=AdminUnitFactory(mission=other_mission, level=1),
    )
    # when a viewer (sees reviewed only) and a north-scoped officer ask for them
    viewer = _client(member(mission, Role.VIEWER))
    officer = _client(member(mission, Role.OFFICER, world.north))
    for client, entry in [
        (viewer, draft),
        (viewer, secret),
        (viewer, foreign),
        (officer, secret),
        (officer, south),
        (officer, foreign),
    ]:
        for tail in ("", "/revisions"):
            response = _send(client, "get", _url(mission, f"entries/{entry.public_id}{tail}"))
            assert response.status_code == 404, (entry.title, tail)
            assert response.json() == {"detail": "Not found."}
    # and writes on them are 404 too, not a hint that they exist
    response = _send(
        officer, "patch", _url(mission, f"entries/{south.public_id}"), {"title": "Mine"}
    )
    assert response.status_code == 404
    # and the lists leave them out
    listed = _send(officer, "get", _url(mission, "entries")).json()
    assert {item["id"] for item in listed["items"]} == {str(draft.public_id)}
    assert _send(viewer, "get", _url(mission, "entries/not-a-uuid")).status_code == 404


def test_list_filters(mission: Mission) -> None:
    world = world_make(mission)
    manager = member(mission, Role.MANAGER)
    officer = member(mission, Role.OFFICER)
    reviewed_make(manager, officer, admin_unit=world.province, title="Province greetings")
    reviewed_make(
        manager, officer, site=world.site, topic="customs", title="Market rules", body="Bargain."
    )
    entry_make(manager, admin_unit=world.south, title="South draft")
    client = _client(officer)

    def ids(query: str) -> set[str]:
        response = _send(client, "get", _url(mission, f"entries?{query}"))
        assert response.status_code == 200, response.content
        return {item["title"] for item in response.json()["items"]}

    assert ids(f"place={world.north.pcode}") == {"Market rules"}
    assert ids(f"place={world.site.code}") == {"Market rules"}
    assert ids(f"place={world.province.pcode}") == {
        "Province greetings",
        "Market rules",
        "South draft",
    }
    assert ids("place=NOPE") == set()
    assert ids("topic=customs") == {"Market rules"}
    assert ids("status=draft") == {"South draft"}
    assert ids("stale=true") == {"South draft"}
    assert ids("q=bargain") == {"Market rules"}
    bad = _send(client, "get", _url(mission, "entries?topic=gossip"))
    assert bad.status_code == 422
    assert _send(client, "get", _url(mission, "entries?limit=100000")).status_code == 422
    assert _send(client, "get", _url(mission, "entries?q=" + "x" * 200)).status_code == 422


def test_places_entries_unknown_or_hidden_place_is_404(mission: Mission) -> None:
    world = world_make(mission)
    officer = _client(member(mission, Role.OFFICER, world.north))
    assert _send(officer, "get", _url(mission, "places/NOPE/entries")).status_code == 404
    south = _send(officer, "get", _url(mission, f"places/{world.south.pcode}/entries"))
    assert south.status_code == 404
    ok = _send(officer, "get", _url(mission, f"places/{world.north.pcode}/entries?language=sw"))
    assert ok.status_code == 200
    assert ok.json() == {
        "place": {"kind": "admin_unit", "code": world.north.pcode, "name": "North Territory"},
        "language": "sw",
        "topics": [],
    }
    bad = _send(officer, "get", _url(mission, f"places/{world.north.pcode}/entries?language=<b>"))
    assert bad.status_code == 422


@pytest.mark.parametrize(
    "extra",
    [
        {"title": "x" * 201},
        {"title": ""},
        {"body": "b" * 20_001},
        {"source": "s" * 301},
        {"title": 12},
        {"sensitivity": "high"},
        {"sensitivity": 9},
        {"topic": "gossip"},
        {"language": "<script>alert(1)</script>"},
        {"language": "french"},
        {"valid_until": "tomorrow"},
        {"actors": ["not-a-uuid"]},
        {"actors": "everyone"},
        {"admin_unit": None},
        {"admin_unit": "X" * 100},
    ],
)
def test_hostile_create_bodies_are_refused(mission: Mission, extra: dict[str, Any]) -> None:
    world = world_make(mission)
    client = _client(member(mission, Role.LIAISON))
    response = _send(client, "post", _url(mission, "entries"), _create_body(world, **extra))
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert not KnowledgeEntry.objects.exists()


def test_other_missions_places_and_actors_are_refused(mission: Mission) -> None:
    world = world_make(mission)
    other = MissionFactory()
    foreign_unit = AdminUnitFactory(mission=other, level=1)
    foreign_actor = ActorFactory(mission=other)
    liaison = member(mission, Role.LIAISON, world.north)
    client = _client(liaison)
    for extra in (
        {"admin_unit": foreign_unit.pcode},
        {"admin_unit": world.south.pcode},  # outside the liaison's scope
        {"admin_unit": world.north.pcode, "site": world.site.code},  # two places
        {"actors": [str(foreign_actor.public_id)]},
        {"sensitivity": 3},  # above a liaison's clearance
    ):
        response = _send(client, "post", _url(mission, "entries"), _create_body(world, **extra))
        assert response.status_code == 422, (extra, response.content)
    assert not KnowledgeEntry.objects.exists()


def test_script_and_bidi_text_is_stored_as_data(mission: Mission) -> None:
    world = world_make(mission)
    client = _client(member(mission, Role.LIAISON))
    response = _send(
        client,
        "post",
        _url(mission, "entries"),
        _create_body(
            world,
            title="<script>alert(1)</script>\u202egnp.exe",
            body="<img src=x onerror=alert(1)>",
            language="ar",
        ),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "<script>alert(1)</script>gnp.exe"
    assert response["Content-Type"].startswith("application/json")
    assert data["language"] == "ar"


def test_patch_rules(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north)
    client = _client(liaison)
    url = _url(mission, f"entries/{entry.public_id}")
    assert _send(client, "patch", url, {"title": None}).status_code == 422
    assert _send(client, "patch", url, {"admin_unit": None, "site": None}).status_code == 422
    assert _send(client, "patch", url, {"note": "n" * 301}).status_code == 422
    # a patch that changes nothing makes no version
    same = _send(client, "patch", url, {"title": "Greetings"})
    assert same.status_code == 200
    assert same.json()["version"] == 1
    moved = _send(client, "patch", url, {"site": world.site.code, "valid_until": None})
    assert moved.json()["place"]["kind"] == "site"
    assert moved.json()["version"] == 2
    assert AuditEvent.objects.filter(action="context.entry.update").count() == 1


def test_return_needs_a_note_and_retire_needs_a_reason(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north, submit=True)
    officer = _client(member(mission, Role.OFFICER))
    review_url = _url(mission, f"entries/{entry.public_id}/review")
    missing = _send(officer, "post", review_url, {"approve": False})
    assert missing.status_code == 422
    assert "review_note" in missing.json()["detail"]
    returned = _send(officer, "post", review_url, {"approve": False, "note": "Name the source"})
    assert returned.json()["status"] == "draft"
    assert returned.json()["review_note"] == "Name the source"
    client = _client(liaison)
    retire_url = _url(mission, f"entries/{entry.public_id}/retire")
    assert _send(client, "post", retire_url, {}).status_code == 422
    assert _send(client, "post", retire_url, {"note": "  "}).status_code == 422
    assert _send(client, "post", retire_url, {"note": "Chief replaced"}).status_code == 200
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETIRED
    # a retired entry is listed only when asked for
    listed = _send(client, "get", _url(mission, "entries")).json()["items"]
    assert listed == []
    retired = _send(client, "get", _url(mission, "entries?status=retired")).json()["items"]
    assert [item["id"] for item in retired] == [str(entry.public_id)]


def test_translation_into_the_same_language_is_refused(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north, language="fr")
    response = _send(
        _client(liaison),
        "post",
        _url(mission, f"entries/{entry.public_id}/translations"),
        {"language": "fr-CD", "title": "T", "body": "B"},
    )
    assert response.status_code == 422
    assert not KnowledgeTranslation.objects.exists()


def test_service_refusals_keep_their_reason(mission: Mission) -> None:
    world = world_make(mission)
    officer = member(mission, Role.OFFICER)
    entry = entry_make(officer, admin_unit=world.north, submit=True)
    client = _client(officer)
    # the author may not review their own entry: 403 with the reason
    own = _send(
        client, "post", _url(mission, f"entries/{entry.public_id}/review"), {"approve": True}
    )
    assert own.status_code == 403
    assert "another colleague" in own.json()["detail"]
    # an unknown site and a hidden actor are refused
    url = _url(mission, f"entries/{entry.public_id}")
    assert _send(client, "patch", url, {"site": "NOPE"}).status_code == 422
    assert _send(client, "patch", url, {"actors": [str(entry.public_id)]}).status_code == 422
    chief = ActorFactory(mission=mission, admin_unit=world.north)
    linked = _send(client, "patch", url, {"actors": [str(chief.public_id)]})
    assert linked.status_code == 200
    assert [actor["id"] for actor in linked.json()["actors"]] == [str(chief.public_id)]
    # a retired entry cannot be edited
    _send(client, "post", _url(mission, f"entries/{entry.public_id}/retire"), {"note": "Gone"})
    retired = _send(client, "patch", url, {"title": "Back again"})
    assert retired.status_code == 422
    assert retired.json()["detail"] == "A retired entry cannot be edited."
