"""Acceptance: a role without access to the restricted queue cannot see, search, export or
count those messages; allowed roles can, and every read is audited. And geographic scope.

Every role with ``message.view`` but without ``message.restricted_view`` is tried against
every way a message can leak: the inbox, a search by a word only in the restricted body, facet
counts, the map and its data, cluster sizes, the reporter's message count, the API list and its
count, the API and page details (404 like a missing id), the export rows, the actions that take
an id. Nothing may reveal it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client

from palava.accounts.tokens import token_create
from palava.audit.models import AuditEvent
from palava.core.exporters import export_kind_get, export_write, reader_for_role
from palava.feedback.models import Message, Reporter
from palava.missions.models import Membership, Mission, Role
from tests.feedback.helpers_inbox import (
    PHONE,
    RESTRICTED_BODY,
    ROLES_NOT_RESTRICTED,
    ROLES_RESTRICTED,
    SECRET_WORD,
    Geo,
    categories,
    client_of,
    make_channel,
    make_cluster,
    make_geo,
    make_message,
    member_in,
    no_two_factor,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class World:
    geo: Geo
    secret: Message  # restricted (sexual exploitation and abuse), in a cluster, same sender
    sibling: Message  # same cluster and sender, not restricted
    other: Message  # unrelated, elsewhere


@pytest.fixture
def world(mission: Mission) -> World:
    no_two_factor(mission)
    geo = make_geo(mission)
    cats = categories(mission)
    channel = make_channel(mission, name="SMS")
    cluster = make_cluster(mission, category=cats["sea"], size=2)
    sibling = make_message(
        channel,
        "Soldiers at the camp at night, people are afraid",
        unit=geo.north_town,
        category=cats["security_threat"],
        urgency="urgent",
        language="en",
        phone=PHONE,
        cluster=cluster,
        reporter=True,
    )
    secret = make_message(
        channel,
        RESTRICTED_BODY,
        unit=geo.north_town,
        category=cats["sea"],
        urgency="life_threatening",
        language="en",
        phone=PHONE,
        cluster=cluster,
        reporter=True,
    )
    other = make_message(
        channel,
        "Water point broken in Uvira",
        unit=geo.south_town,
        category=cats["need_water"],
        urgency="routine",
        language="en",
    )
    assert secret.is_restricted
    assert not sibling.is_restricted
    return World(geo=geo, secret=secret, sibling=sibling, other=other)


def _page(world: World, tail: str = "") -> str:
    return f"/m/{world.geo.mission.slug}/messages/{tail}"


def _api(world: World, tail: str = "") -> str:
    return f"/api/v1/missions/{world.geo.mission.slug}/messages{tail}"


def _api_client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="test", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _export_rows(member: Membership) -> list[dict[str, str]]:
    kind = export_kind_get("messages")
    assert kind is not None
    out = io.BytesIO()
    export_write(kind=kind, fmt="csv", reader=member, out=out)
    lines = out.getvalue().decode("utf-8-sig").splitlines()
    return list(csv.DictReader([lines[0], *lines[2:]]))


def _facets(page: str) -> str:
    start = page.index('id="message-facets"')
    return page[start : page.index("</aside>", start)]


def _reads(world: World) -> int:
    return AuditEvent.objects.filter(object_id=str(world.secret.public_id)).count()


# --- Roles without the restricted queue ------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_NOT_RESTRICTED, ids=str)
def test_pages_never_show_or_count_restricted_messages(world: World, role: str) -> None:
    member = member_in(world.geo.mission, role)
    client = client_of(member)
    inbox = client.get(_page(world)).content.decode()
    assert SECRET_WORD not in inbox
    assert "2 messages found" in inbox  # sibling and other: never 3
    assert "Sexual exploitation" not in inbox  # not a filter choice, not a facet
    assert "Restricted queue" not in inbox
    # no facet counts it: no life-threatening urgency, and every facet sums to 2
    facets = _facets(inbox)
    assert "Life-threatening now" not in facets
    for section in re.findall(r'<section class="facet".*?</section>', facets, re.S):
        top = re.findall(r'facet-depth-0">.*?class="facet-count">(\d+)<', section, re.S)
        assert sum(int(n) for n in top) == 2, section
    searched = client.get(_page(world), {"q": SECRET_WORD}).content.decode()
    assert "peacekeeper abused" not in searched  # the word itself is echoed in the search box
    assert "No message matches these filters." in searched
    # asking for the restricted category by its code finds nothing
    assert "No message matches" in client.get(_page(world), {"category": "sea"}).content.decode()
    # the detail page of the sibling counts neither the cluster nor the sender's messages
    detail = client.get(_page(world, f"{world.sibling.public_id}/")).content.decode()
    assert SECRET_WORD not in detail
    assert "No similar report." in detail
    assert "No other message from this sender." in detail
    # the map: counts and data
    data = client.get(_page(world, "map.geojson")).json()
    assert data["total"] == 2
    assert sum(f["properties"]["count"] for f in data["features"]) == 2
    assert all(f["properties"]["worst_urgency"] != "life_threatening" for f in data["features"])
    assert "2 messages match" in client.get(_page(world, "map/")).content.decode()


@pytest.mark.parametrize("role", ROLES_NOT_RESTRICTED, ids=str)
def test_a_restricted_id_answers_like_a_missing_one(world: World, role: str) -> None:
    member = member_in(world.geo.mission, role)
    client = client_of(member)
    missing = "00000000-0000-4000-8000-000000000000"
    for tail in ("", "labels/", "contact/"):
        secret = (
            client.post(_page(world, f"{world.secret.public_id}/{tail}"))
            if tail
            else (client.get(_page(world, f"{world.secret.public_id}/")))
        )
        absent = (
            client.post(_page(world, f"{missing}/{tail}"))
            if tail
            else (client.get(_page(world, f"{missing}/")))
        )
        if absent.status_code == 403:  # a role without the action's permission: 403 for both
            assert secret.status_code == 403
        else:
            assert secret.status_code == absent.status_code == 404
    api = _api_client(member)
    secret_api = api.get(_api(world, f"/{world.secret.public_id}"))
    absent_api = api.get(_api(world, f"/{missing}"))
    assert secret_api.status_code == absent_api.status_code == 404
    assert secret_api.json() == absent_api.json()
    # queues and toggles that would show it are refused outright
    assert client.get(_page(world, "restricted/")).status_code == 403
    assert client.get(_page(world, "map/"), {"queue": "restricted"}).status_code == 403
    assert api.get(_api(world), {"restricted": "true"}).status_code == 403
    assert _reads(world) == 0


@pytest.mark.parametrize("role", ROLES_NOT_RESTRICTED, ids=str)
def test_api_list_search_and_counts_exclude_it(world: World, role: str) -> None:
    api = _api_client(member_in(world.geo.mission, role))
    listed = api.get(_api(world)).json()
    assert listed["count"] == 2
    assert str(world.secret.public_id) not in json.dumps(listed)
    assert api.get(_api(world), {"q": SECRET_WORD}).json() == {"items": [], "count": 0}
    assert api.get(_api(world), {"category": "sea"}).json()["count"] == 0
    sibling = api.get(_api(world, f"/{world.sibling.public_id}")).json()
    assert sibling["cluster_size"] == 1
    assert sibling["reporter_other_messages"] == 0


@pytest.mark.parametrize("role", ROLES_NOT_RESTRICTED, ids=str)
def test_export_leaves_it_out(world: World, role: str) -> None:
    rows = _export_rows(member_in(world.geo.mission, role))
    assert {r["Public ID"] for r in rows} == {
        str(world.sibling.public_id),
        str(world.other.public_id),
    }
    assert all(r["Restricted"] == "no" for r in rows)


@pytest.mark.parametrize("role", ROLES_NOT_RESTRICTED, ids=str)
def test_actions_by_id_do_nothing(world: World, role: str) -> None:
    member = member_in(world.geo.mission, role)
    client_of(member).post(
        _page(world, "bulk/"), {"ids": [str(world.secret.public_id)], "status": "spam"}
    )
    _api_client(member).patch(
        _api(world, f"/{world.secret.public_id}"),
        data=json.dumps({"status": "closed", "category": "other"}),
        content_type="application/json",
    )
    world.secret.refresh_from_db()
    assert world.secret.status == "open"
    assert world.secret.category_id == categories(world.geo.mission)["sea"].pk


def test_operators_command_export_with_a_viewer_or_officer_role(world: World) -> None:
    kind = export_kind_get("messages")
    assert kind is not None
    officer = reader_for_role(mission=world.geo.mission, role=Role.OFFICER)
    out = io.BytesIO()
    export_write(kind=kind, fmt="csv", reader=officer, out=out)
    assert SECRET_WORD not in out.getvalue().decode("utf-8-sig")


def test_the_admin_does_not_list_messages_or_reporters() -> None:
    assert Message not in admin.site._registry
    assert Reporter not in admin.site._registry


# --- Roles with the restricted queue ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_RESTRICTED, ids=str)
def test_allowed_roles_see_it_and_every_read_is_audited(world: World, role: str) -> None:
    member = member_in(world.geo.mission, role)
    client = client_of(member)
    # the inbox keeps the protection cases apart
    inbox = client.get(_page(world)).content.decode()
    assert SECRET_WORD not in inbox
    assert "Restricted queue" in inbox
    queue = client.get(_page(world, "restricted/")).content.decode()
    assert SECRET_WORD in queue
    assert (
        AuditEvent.objects.filter(
            action="message.list", object_id=str(world.secret.public_id)
        ).count()
        == 1
    )
    client.get(_page(world, "restricted/"))
    assert AuditEvent.objects.filter(action="message.list").count() == 2  # every page view
    found = client.get(_page(world, "restricted/"), {"q": SECRET_WORD}).content.decode()
    assert "1 message found" in found
    # each detail view is a read
    detail = client.get(_page(world, f"{world.secret.public_id}/"))
    assert detail.status_code == 200
    assert SECRET_WORD in detail.content.decode()
    assert "recorded in the audit trail" in detail.content.decode()
    client.get(_page(world, f"{world.secret.public_id}/"))
    assert AuditEvent.objects.filter(action="message.read").count() == 2
    # the sibling's page counts it for them
    sibling = client.get(_page(world, f"{world.sibling.public_id}/")).content.decode()
    assert "2 reports of the same event" in sibling
    # the API: list of the queue and detail are audited too
    api = _api_client(member)
    listed = api.get(_api(world), {"restricted": "true"}).json()
    assert listed["count"] == 1
    assert AuditEvent.objects.filter(action="message.list").count() == 4
    assert (
        api.get(_api(world), {"restricted": "true", "limit": "1", "offset": "5"}).json()["items"]
        == []
    )
    assert AuditEvent.objects.filter(action="message.list").count() == 4  # nothing returned
    assert api.get(_api(world, f"/{world.secret.public_id}")).json()["is_restricted"] is True
    assert AuditEvent.objects.filter(action="message.read").count() == 3
    # the export holds it, audited as exported
    rows = _export_rows(member)
    assert {r["Public ID"] for r in rows} == {
        str(world.secret.public_id),
        str(world.sibling.public_id),
        str(world.other.public_id),
    }
    assert AuditEvent.objects.filter(action="message.export").count() == 1
    # the map of the restricted queue counts it
    data = client.get(_page(world, "map.geojson"), {"queue": "restricted"}).json()
    assert data["total"] == 1


# --- Geographic scope ------------------------------------------------------------------------


def test_a_liaison_scoped_to_one_province_sees_only_messages_there(world: World) -> None:
    south = member_in(world.geo.mission, Role.LIAISON, world.geo.south)
    client = client_of(south)
    inbox = client.get(_page(world)).content.decode()
    assert "Water point broken in Uvira" in inbox
    assert "Soldiers at the camp" not in inbox
    assert "1 message found" in inbox
    assert client.get(_page(world, f"{world.sibling.public_id}/")).status_code == 404
    data = client.get(_page(world, "map.geojson")).json()
    assert [f["properties"]["code"] for f in data["features"]] == ["CD2001"]
    api = _api_client(south)
    assert api.get(_api(world)).json()["count"] == 1
    assert api.get(_api(world, f"/{world.sibling.public_id}")).status_code == 404
    rows = _export_rows(south)
    assert [r["Public ID"] for r in rows] == [str(world.other.public_id)]
    # an unplaced message is for whole-mission members only
    make_message(world.sibling.channel, "where am I")
    assert api.get(_api(world)).json()["count"] == 1


def test_the_channel_admin_never_shows_secrets() -> None:
    from palava.feedback.admin import SECRET_FIELDS
    from palava.feedback.models import Channel

    channel_admin = admin.site._registry[Channel]
    assert set(SECRET_FIELDS) <= set(channel_admin.exclude or ())
    assert not set(SECRET_FIELDS) & set(channel_admin.list_display)
