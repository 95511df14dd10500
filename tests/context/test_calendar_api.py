"""The cultural calendar API: permissions, scope, writes, occurrences, clashes, hostile input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.audit.models import AuditEvent
from palava.context.calendar_services import holidays_install
from palava.context.models import CalendarEvent
from palava.missions.models import Membership, Mission, Role
from tests.context.calendar_helpers import make_geo, member_in, weekly
from tests.factories import AdminUnitFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(member: Membership, tail: str = "") -> str:
    return f"/api/v1/missions/{member.mission.slug}/calendar{tail}"


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


MARKET = {
    "category": "market",
    "title": "Beni market",
    "rule_kind": "weekly",
    "rule": {"weekdays": [3]},
    "titles": {"fr": "Marché de Beni"},
    "note": "Avoid meetings in the afternoon.",
    "pcode": "CC1001",
}


def test_create_get_update_retire(mission: Mission) -> None:
    make_geo(mission)
    officer = member_in(mission)
    client = _client(officer)
    response = _send(client, "POST", _url(officer, "/events"), MARKET)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pcode"] == "CC1001"
    assert body["rule"] == {"weekdays": [3]}
    assert body["label"] == "Beni market"
    event_id = body["id"]
    got = client.get(_url(officer, f"/events/{event_id}"), headers={"Accept-Language": "fr"})
    assert got.json()["key"] == "beni-market"
    response = _send(
        client,
        "PATCH",
        _url(officer, f"/events/{event_id}"),
        {"warn": False, "pcode": "CC10", "site_code": None},
    )
    assert response.status_code == 200, response.content
    assert response.json()["warn"] is False
    assert response.json()["pcode"] == "CC10"
    response = client.post(_url(officer, f"/events/{event_id}/retire"))
    assert response.json()["is_active"] is False
    listed = client.get(_url(officer, "/events")).json()
    assert listed["count"] == 0
    listed = client.get(_url(officer, "/events"), {"include_retired": "true"}).json()
    assert [e["id"] for e in listed["items"]] == [event_id]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"context.event.create", "context.event.update", "context.event.retire"} <= actions


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER, Role.ANALYST])
def test_readers_read_but_do_not_write(mission: Mission, role: str) -> None:
    boss = member_in(mission)
    event = weekly(boss)
    reader = member_in(mission, role)
    client = _client(reader)
    assert client.get(_url(reader, f"/events/{event.public_id}")).status_code == 200
    assert _send(client, "POST", _url(reader, "/events"), MARKET).status_code == 403
    assert client.post(_url(reader, f"/events/{event.public_id}/retire")).status_code == 403
    assert _send(client, "POST", _url(reader, "/holidays"), {"which": "islamic"}).status_code == 403


def test_out_of_scope_and_foreign_records_answer_404_or_422(mission: Mission) -> None:
    geo = make_geo(mission)
    boss = member_in(mission)
    south = weekly(boss, "Southern market", admin_unit=geo.south)
    foreign = weekly(member_in(MissionFactory()), "Foreign market")
    other_unit = AdminUnitFactory(mission=MissionFactory(), pcode="ZZ99")
    north = member_in(mission, Role.OFFICER, geo.north)
    client = _client(north)
    for event in (south, foreign):
        assert client.get(_url(north, f"/events/{event.public_id}")).status_code == 404
        assert (
            _send(
                client, "PATCH", _url(north, f"/events/{event.public_id}"), {"title": "Mine"}
            ).status_code
            == 404
        )
    assert client.get(_url(north, "/events/not-a-uuid")).status_code == 404
    for pcode in ("CC20", other_unit.pcode, "NOPE"):
        body = {**MARKET, "pcode": pcode}
        assert _send(client, "POST", _url(north, "/events"), body).status_code == 422
        assert client.get(_url(north, "/occurrences"), {"pcode": pcode}).status_code == 422
    # mission-wide events: whole-mission members only
    body = {**MARKET, "pcode": None}
    assert _send(client, "POST", _url(north, "/events"), body).status_code == 403
    # another mission's slug: 404
    other = MissionFactory()
    assert client.get(f"/api/v1/missions/{other.slug}/calendar/events").status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"title": "x" * 201},
        {"title": ""},
        {"title": "Market \u202etxt.exe"},
        {"title": ["a list"]},
        {"category": "party"},
        {"rule_kind": "lunar"},
        {"rule": {"weekdays": "3"}},
        {"rule": {str(n): n for n in range(11)}},
        {"rule": {"weekdays": [3], "onclick": "<script>alert(1)</script>"}},
        {"titles": {"de": "Markt"}},
        {"note": "n" * 2001},
        {"site_code": "XS-NOPE"},
        {"pcode": "CC1001", "site_code": "XS-NOPE"},
    ],
)
def test_hostile_bodies_are_refused(mission: Mission, change: dict[str, Any]) -> None:
    make_geo(mission)
    officer = member_in(mission)
    response = _send(_client(officer), "POST", _url(officer, "/events"), {**MARKET, **change})
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert not CalendarEvent.objects.exists()


def test_patch_refuses_null_and_unknown_values(mission: Mission) -> None:
    officer = member_in(mission)
    event = weekly(officer)
    client = _client(officer)
    url = _url(officer, f"/events/{event.public_id}")
    assert _send(client, "PATCH", url, {"title": None}).status_code == 422
    assert _send(client, "PATCH", url, {"rule": {"weekdays": [12]}}).status_code == 422
    assert _send(client, "PATCH", url, {}).status_code == 200


def test_occurrences_and_range_limit(mission: Mission) -> None:
    officer = member_in(mission)
    holidays_install(actor=officer.user, membership=officer, which="islamic")
    client = _client(officer)
    response = client.get(
        _url(officer, "/occurrences"),
        {"start": "2026-03-20", "end": "2026-03-22", "language": "en", "category": "islamic"},
    )
    assert response.status_code == 200, response.content
    eid = next(o for o in response.json() if o["label"] == "Eid al-Fitr")
    assert (eid["start"], eid["end"], eid["hijri"]) == (
        "2026-03-20",
        "2026-03-22",
        "1 Shawwal 1447",
    )
    assert client.get(_url(officer, "/occurrences")).status_code == 200  # next 60 days
    too_long = {"start": "2026-01-01", "end": "2027-01-02"}
    assert client.get(_url(officer, "/occurrences"), too_long).status_code == 422
    reversed_range = {"start": "2026-02-01", "end": "2026-01-01"}
    assert client.get(_url(officer, "/occurrences"), reversed_range).status_code == 422
    assert client.get(_url(officer, "/occurrences"), {"language": "xx"}).status_code == 422
    assert client.get(_url(officer, "/occurrences"), {"start": "<script>"}).status_code == 422


def test_clashes_before_creating_an_activity(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission)
    holidays_install(actor=officer.user, membership=officer, which="islamic")
    weekly(officer, "Beni market", (4,), admin_unit=geo.north, note="Roads are crowded.")
    viewer = member_in(mission, Role.VIEWER)
    client = _client(viewer)
    response = client.get(
        _url(viewer, "/clashes"),
        {
            "pcode": "CC1001",
            "starts_at": "2026-03-20T09:00:00+02:00",
            "ends_at": "2026-03-20T12:00:00+02:00",
            "language": "en",
        },
    )
    assert response.status_code == 200, response.content
    clashes = response.json()["clashes"]
    assert [c["reason"] for c in clashes] == [
        "Beni market (20 March 2026)",  # sorted by start, then end
        "Eid al-Fitr (20\u201322 March 2026)",
    ]
    assert clashes[0]["note"] == "Roads are crowded."
    # a time without zone is the mission's local time; a quiet day has no clash
    quiet = client.get(_url(viewer, "/clashes"), {"starts_at": "2026-04-07T09:00:00"})
    assert quiet.json() == {"clashes": []}
    assert client.get(_url(viewer, "/clashes")).status_code == 422
    bad = {"starts_at": "2026-03-20T09:00:00Z", "ends_at": "2026-03-19T09:00:00Z"}
    assert client.get(_url(viewer, "/clashes"), bad).status_code == 422
    bad = {"starts_at": "2026-03-20T09:00:00Z", "ends_at": "2028-03-19T09:00:00Z"}
    assert client.get(_url(viewer, "/clashes"), bad).status_code == 422


def test_holidays_install_by_api(mission: Mission) -> None:
    officer = member_in(mission)
    client = _client(officer)
    url = _url(officer, "/holidays")
    assert _send(client, "POST", url, {"which": "christian"}).json() == {"created": 9}
    assert _send(client, "POST", url, {"which": "christian"}).json() == {"created": 0}
    assert _send(client, "POST", url, {"which": "islamic", "offset_days": 5}).status_code == 422
    assert _send(client, "POST", url, {"which": "pagan"}).status_code == 422
    response = _send(client, "POST", url, {"which": "christian", "offset_days": 1})
    assert response.status_code == 422
