"""The cases API: list with filters and scope, open by hand with messages, read, move through
the states (409 for a refused move), record responses, the timeline, and notifications."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from palava.accounts.tokens import token_create
from palava.feedback.cases import services
from palava.feedback.cases.notify import notify
from palava.feedback.models import Case, CaseType, NotificationKind
from palava.missions.models import Membership, Mission, Role
from tests.feedback.helpers_inbox import Geo, make_channel, make_geo, make_message, member_in

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def geo(mission: Mission) -> Geo:
    return make_geo(mission)


def _api(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(geo: Geo, tail: str = "") -> str:
    return f"/api/v1/missions/{geo.mission.slug}/cases{tail}"


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def open_case(geo: Geo, title: str = "Shots", unit: Any = None, **kw: Any) -> Case:
    return services.case_open(
        mission=geo.mission,
        actor="test",
        case_type=kw.pop("case_type", CaseType.ALERT),
        title=title,
        admin_unit=unit or geo.north_town,
        **kw,
    )


def test_list_filters_and_scope(geo: Geo) -> None:
    with time_machine.travel(T0, tick=False):
        late = open_case(geo, "Late alert")
        open_case(geo, "Southern", unit=geo.south_town)
        request = open_case(geo, "Request", case_type=CaseType.REQUEST)
    client = _api(member_in(geo.mission, Role.OFFICER, geo.north))
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        everything = client.get(_url(geo)).json()
        overdue = client.get(_url(geo) + "?overdue=true").json()
        requests = client.get(_url(geo) + "?case_type=request").json()
        by_ref = client.get(_url(geo) + f"?q={late.reference}").json()
    assert everything["count"] == 2
    assert {c["title"] for c in everything["items"]} == {"Late alert", "Request"}
    # the alert (15 min) is overdue after 20 min, the request (1 day) is not
    assert [c["reference"] for c in overdue["items"]] == [late.reference]
    assert overdue["items"][0]["overdue"] is True
    assert [c["id"] for c in requests["items"]] == [str(request.public_id)]
    assert [c["id"] for c in by_ref["items"]] == [str(late.public_id)]


def test_create_with_a_message_then_read_it(geo: Geo) -> None:
    channel = make_channel(geo.mission)
    message = make_message(channel, "Armed men at the school", unit=geo.north_town)
    client = _api(member_in(geo.mission, Role.LIAISON))
    r = _post(
        client,
        _url(geo),
        {
            "case_type": "alert",
            "title": "Armed men at a school",
            "admin_unit": "CD1001",
            "messages": [str(message.public_id)],
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["reference"] == "C-00001"
    assert data["status"] == "new"
    assert data["admin_unit"] == "CD1001"
    assert data["messages"] == [
        {
            "id": str(message.public_id),
            "role": "report",
            "added_at": data["messages"][0]["added_at"],
        }
    ]
    assert "Armed men at the school" not in r.content.decode()  # never a body
    got = client.get(_url(geo, f"/{data['id']}")).json()
    assert got["title"] == "Armed men at a school"
    assert got["acknowledge_due_at"] is not None


def test_create_refuses_unknown_place_and_invisible_message(geo: Geo) -> None:
    client = _api(member_in(geo.mission, Role.OFFICER, geo.north))
    r = _post(client, _url(geo), {"case_type": "alert", "title": "x", "admin_unit": "CD2001"})
    assert r.status_code == 422
    south = make_message(make_channel(geo.mission), "south", unit=geo.south_town)
    r = _post(
        client, _url(geo), {"case_type": "alert", "title": "x", "messages": [str(south.public_id)]}
    )
    assert r.status_code == 422
    assert not Case.objects.exists()


def test_transitions_responses_and_timeline(geo: Geo) -> None:
    with time_machine.travel(T0, tick=False):
        case = open_case(geo)
    member = member_in(geo.mission, Role.OFFICER)
    client = _api(member)
    url = _url(geo, f"/{case.public_id}")
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        # a new case cannot be closed: 409, nothing changes
        refused = _post(client, url + "/transitions", {"action": "close"})
        assert refused.status_code == 409
        assert "detail" in refused.json()
        r = _post(client, url + "/transitions", {"action": "acknowledge", "note": "Seen"})
        assert r.status_code == 200
        assert r.json()["status"] == "acknowledged"
        r = _post(
            client,
            url + "/transitions",
            {"action": "verify", "source_reliability": "C", "credibility": "3"},
        )
        assert r.json()["status"] == "verified"
        assert r.json()["source_reliability"] == "C"
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        r = _post(
            client,
            url + "/responses",
            {
                "responder_type": "local_authority",
                "action": "Chief met both sides",
                "responded_at": (T0 + timedelta(minutes=25)).isoformat(),
                "outcome": "partial",
            },
        )
        assert r.status_code == 201, r.content
        assert r.json()["outcome"] == "partial"
        future = _post(
            client,
            url + "/responses",
            {
                "responder_type": "partner",
                "action": "later",
                "responded_at": (T0 + timedelta(days=1)).isoformat(),
            },
        )
        assert future.status_code == 422
        for action in ("resolve", "inform", "close"):
            r = _post(client, url + "/transitions", {"action": action})
            assert r.status_code == 200, (action, r.content)
    detail = client.get(url).json()
    assert detail["status"] == "closed"
    assert detail["response_dispatched_at"].startswith("2026-11-02T08:25")
    assert [r["action"] for r in detail["responses"]] == ["Chief met both sides"]
    timeline = client.get(url + "/timeline").json()
    kinds = [e["kind"] for e in timeline["items"]]
    assert kinds[0] == "created"
    assert timeline["items"][1]["note"] == "Seen"
    assert timeline["items"][1]["actor"] == member.user.get_username()
    assert [e["at"] for e in timeline["items"]] == sorted(e["at"] for e in timeline["items"])


def test_analyst_reads_but_may_not_move(geo: Geo) -> None:
    case = open_case(geo)
    client = _api(member_in(geo.mission, Role.ANALYST))
    assert client.get(_url(geo, f"/{case.public_id}")).status_code == 200
    r = _post(client, _url(geo, f"/{case.public_id}/transitions"), {"action": "acknowledge"})
    assert r.status_code == 403


def test_restricted_and_out_of_scope_cases_are_404(geo: Geo) -> None:
    restricted = open_case(geo, case_type=CaseType.COMPLAINT)
    Case.objects.filter(pk=restricted.pk).update(is_restricted=True)
    south = open_case(geo, unit=geo.south_town)
    client = _api(member_in(geo.mission, Role.OFFICER, geo.north))
    for case in (restricted, south):
        assert client.get(_url(geo, f"/{case.public_id}")).status_code == 404
        r = _post(client, _url(geo, f"/{case.public_id}/transitions"), {"action": "acknowledge"})
        assert r.status_code == 404
    assert client.get(_url(geo)).json()["count"] == 0
    assert client.get(_url(geo, "/not-a-uuid")).status_code == 404


def test_notifications_are_the_callers_own(geo: Geo) -> None:
    me = member_in(geo.mission, Role.OFFICER)
    other = member_in(geo.mission, Role.OFFICER)
    for member, key in ((me, "a"), (me, "b"), (other, "c")):
        notify(
            mission=geo.mission,
            recipients=[member.user],
            kind=NotificationKind.NEW_CASE,
            title=f"Notice {key}",
            dedupe_key=key,
        )
    data = _api(me).get(f"/api/v1/missions/{geo.mission.slug}/notifications?unread=true").json()
    assert data["count"] == 2
    assert {n["title"] for n in data["items"]} == {"Notice a", "Notice b"}
