"""JSON API of the commitments ledger: list and filters, detail with history, writes, refusals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.actors.models import RecordSensitivity
from palava.engagement.models import Commitment, CommitmentStatus, PartyKind
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_commitments import make_commitment, unit_of
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _base(mission: Mission) -> str:
    return f"/api/v1/missions/{mission.slug}/commitments"


def _post(client: Client, url: str, body: Any, method: str = "post") -> Any:
    return client.generic(
        method.upper(), url, data=json.dumps(body), content_type="application/json"
    )


def test_create_then_move_verify_and_read_the_history(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    client = _client(officer)
    created = _post(
        client,
        _base(mission),
        {
            "made_by_kind": "armed_group",
            "made_by_name": "Commander of the local group",
            "made_to_kind": "community",
            "made_to_name": "Village elders",
            "description": "Release the checkpoint on the market road",
            "admin_unit": unit.pcode,
            "made_on": "2026-03-01",
            "due_date": "2026-03-15",
            "owner": officer.user.username,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"] == "C-0001"
    assert body["sensitivity"] == "confidential"  # armed groups: confidential by default
    url = f"{_base(mission)}/{body['id']}"
    moved = _post(client, f"{url}/status", {"status": "in_progress"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_progress"
    refused = _post(client, f"{url}/status", {"status": "broken"})
    assert refused.status_code == 422
    assert "detail" in refused.json()
    note = _post(client, f"{url}/evidence", {"kind": "note", "note": "Checkpoint gone"})
    assert note.status_code == 201
    assert note.json()["kind"] == "note"
    verified = _post(
        client, f"{url}/verification", {"verification": "kept", "note": "Asked elders"}
    )
    assert verified.status_code == 200
    assert verified.json()["verification_note"] == "Asked elders"
    patched = _post(client, url, {"due_date": "2026-04-01"}, method="patch")
    assert patched.status_code == 200
    assert patched.json()["due_date"] == "2026-04-01"
    kinds = [e["kind"] for e in client.get(url).json()["history"]]
    assert kinds == ["created", "status", "evidence", "verification", "edited"]


def test_list_filters_and_counts(mission: Mission, member_of: Any) -> None:
    analyst: Membership = member_of(Role.ANALYST)
    parent = unit_of(mission, level=1)
    child = unit_of(mission, parent=parent)
    other = unit_of(mission, level=1)
    inside = make_commitment(mission, admin_unit=child, made_by_name="Chief of Walikale")
    outside = make_commitment(mission, admin_unit=other, made_by_kind=PartyKind.PARTNER)
    Commitment.objects.filter(pk=outside.pk).update(status=CommitmentStatus.DONE)
    client = _client(analyst)
    all_rows = client.get(_base(mission)).json()
    assert all_rows["count"] == 2
    by_place = client.get(_base(mission), {"place": parent.pcode}).json()["items"]
    assert [r["reference"] for r in by_place] == [inside.reference]
    by_party = client.get(_base(mission), {"party_kind": "partner"}).json()["items"]
    assert [r["reference"] for r in by_party] == [outside.reference]
    by_text = client.get(_base(mission), {"q": "walikale"}).json()["items"]
    assert [r["reference"] for r in by_text] == [inside.reference]
    counts = client.get(f"{_base(mission)}/counts").json()
    assert counts["all"] == 2
    assert counts["done"] == 1
    assert counts["pending"] == 1
    assert counts["overdue"] == 1  # the pending one was due in March 2026


def test_linked_actor_shown_only_when_visible(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    secret = ActorFactory(
        mission=mission,
        name="Secret commander",
        sensitivity=RecordSensitivity.STRICTLY_CONFIDENTIAL,
    )
    known = ActorFactory(mission=mission, name="Known chief")
    c = make_commitment(mission, made_by_actor=secret, made_to_actor=known)
    body = _client(officer).get(f"{_base(mission)}/{c.public_id}").json()
    assert body["made_by"]["actor"] is None
    assert body["made_by"]["name"] == "Civil Affairs section"
    assert body["made_to"]["actor"] == str(known.public_id)
    assert "Secret commander" not in json.dumps(body)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_partners_and_viewers_are_refused(mission: Mission, member_of: Any, role: str) -> None:
    member: Membership = member_of(role)
    assert _client(member).get(_base(mission)).status_code == 403


def test_hidden_and_malformed_ids_answer_404(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    hidden = make_commitment(mission, sensitivity=int(RecordSensitivity.STRICTLY_CONFIDENTIAL))
    client = _client(officer)
    assert client.get(f"{_base(mission)}/{hidden.public_id}").status_code == 404
    assert client.get(f"{_base(mission)}/not-a-uuid").status_code == 404
    assert client.get(_base(mission)).json()["count"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"made_by_kind": "warlord"},
        {"description": "x" * 5000},
        {"admin_unit": "NOPE"},
        {"made_by_name": ""},
        {"due_date": "2026-02-01"},  # before the promise
        {"owner": "nobody-here"},
        {"sensitivity": "strictly_confidential"},  # above an officer's clearance
        {"made_by_actor": "00000000-0000-0000-0000-000000000000"},
        {"made_by_name": "Chief\u0000"},
        {"description": "Well\u0000"},
    ],
)
def test_hostile_create_bodies_are_refused_cleanly(
    mission: Mission, member_of: Any, body: dict[str, Any]
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    base = {
        "made_by_kind": "mission",
        "made_by_name": "Civil Affairs",
        "made_to_kind": "community",
        "made_to_name": "Residents",
        "description": "Repair the well",
        "admin_unit": unit.pcode,
        "made_on": "2026-03-01",
    }
    response = _post(_client(officer), _base(mission), {**base, **body})
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert not Commitment.objects.exists()


def test_file_evidence_is_not_taken_by_the_api(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission)
    response = _post(_client(officer), f"{_base(mission)}/{c.public_id}/evidence", {"kind": "file"})
    assert response.status_code == 422


def test_evidence_activity_must_be_visible(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission, due_date=dt.date(2026, 3, 31))
    response = _post(
        _client(officer),
        f"{_base(mission)}/{c.public_id}/evidence",
        {"kind": "activity", "activity": "00000000-0000-0000-0000-000000000001"},
    )
    assert response.status_code == 422


def test_hostile_query_strings_do_not_break_the_list(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    make_commitment(mission)
    client = _client(officer)
    for query in (
        {"q": "a\x00b"},
        {"place": "\x00"},
        {"q": "%_%"},
        {"activity": "nope"},
        {"due_from": "yesterday"},
        {"status": "kept"},
    ):
        response = client.get(_base(mission), query)
        assert response.status_code in (200, 422), (query, response.status_code)


def test_api_list_queries_do_not_grow_with_rows(
    mission: Mission, member_of: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission)
    chief = ActorFactory(mission=mission)
    client = _client(officer)
    for _ in range(2):
        make_commitment(mission, admin_unit=unit, made_to_actor=chief)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_base(mission)).status_code == 200
    for _ in range(10):
        make_commitment(mission, admin_unit=unit, made_to_actor=chief)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_base(mission)).json()["count"] == 12
