"""The dossiers API: create (202), status, downloads, delete; only the reader; hostile bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from palava.accounts.tokens import token_create
from palava.audit.models import AuditEvent
from palava.context import dossier_services as services
from palava.context.models import Dossier
from palava.core.models import Job, JobStatus
from palava.missions.models import Membership, Mission, Role
from palava.places.services import membership_scope_set
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory, SiteFactory

pytestmark = pytest.mark.django_db

CapturedCallbacks = Callable[..., Any]


@pytest.fixture
def places(mission: Mission) -> dict[str, Any]:
    province = AdminUnitFactory(mission=mission, pcode="TA01", name="Province Tumaini")
    territory = AdminUnitFactory(parent=province, pcode="TA0101", name="Territoire Masisi")
    other = AdminUnitFactory(mission=mission, pcode="TA02", name="Province Imani")
    site = SiteFactory(admin_unit=territory, code="TAS001", name="Village Kalehe")
    return {"province": province, "territory": territory, "other": other, "site": site}


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(mission: Mission, tail: str = "") -> str:
    return f"/api/v1/missions/{mission.slug}/dossiers{tail}"


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=body, content_type="application/json")


def test_create_then_poll_then_download(
    mission: Mission,
    places: Any,
    django_capture_on_commit_callbacks: CapturedCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a partner (internal clearance); WeasyPrint is replaced: this is about the API
    monkeypatch.setattr(services, "render_pdf", lambda html: b"%PDF-1.7\n/Type /Pages/Count 1>>")
    member = MembershipFactory(mission=mission, role=Role.PARTNER)
    client = _client(member)
    # when they ask for a route dossier (the job runs when the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        created = _post(
            client,
            _url(mission),
            {"kind": "route", "places": ["TAS001", "TA02"], "language": "fr"},
        )
    # then 202 with the status as it was at once
    assert created.status_code == 202, created.content
    body = created.json()
    assert body["status"] == "pending"
    assert body["places"] == ["TAS001", "TA02"]
    assert body["language"] == "fr"
    assert body["clearance"] == 1
    assert body["links"] == {"html": None, "pdf": None}
    # and polling shows it ready, with links that download the files (audited)
    got = client.get(_url(mission, f"/{body['id']}"))
    assert got.status_code == 200
    status = got.json()
    assert status["status"] == "succeeded", status["message"]
    assert status["progress"] == 100
    assert status["pdf_pages"] == 1
    html = client.get(status["links"]["html"])
    assert html.status_code == 200
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html["Content-Disposition"].startswith("attachment;")
    assert html.content.lower().startswith(b"<!doctype html")
    assert b"Village Kalehe" in html.content
    pdf = client.get(status["links"]["pdf"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="dossier.download", object_id=body["id"]).count() == 2
    listed = client.get(_url(mission)).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]


def test_language_defaults_to_the_request_language(mission: Mission, places: Any) -> None:
    client = _client(MembershipFactory(mission=mission, role=Role.VIEWER))
    created = client.post(
        _url(mission),
        data={"kind": "place", "places": ["TA01"]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert created.status_code == 202, created.content
    assert created.json()["language"] == "ar"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "route", "places": [f"TAS{n:03d}" for n in range(26)], "language": "en"},
        {"kind": "route", "places": ["TA01"], "language": "en"},
        {"kind": "place", "places": ["TA01", "TA02"], "language": "en"},
        {"kind": "place", "places": [], "language": "en"},
        {"kind": "place", "places": ["TA01"], "language": "de"},
        {"kind": "place", "places": ["TA01"], "language": "e" * 11},
        {"kind": "tour", "places": ["TA01"], "language": "en"},
        {"kind": "place", "places": ["<script>alert(1)</script>"], "language": "en"},
        {"kind": "place", "places": ["\u202eTA01"], "language": "en"},
        {"kind": "place", "places": ["T" * 61], "language": "en"},
        {"kind": "place", "places": [{"pcode": "TA01"}], "language": "en"},
        {"kind": "place", "places": "TA01", "language": "en"},
        {"kind": "place", "places": ["FOREIGN01"], "language": "en"},
        {"kind": "place", "places": ["TA02"], "language": "en"},  # outside the member's area
        {"kind": "place"},
        [],
    ],
)
def test_hostile_bodies_answer_422(mission: Mission, places: Any, body: Any) -> None:
    AdminUnitFactory(mission=MissionFactory(), pcode="FOREIGN01")
    member = MembershipFactory(mission=mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=member, units=[places["province"]])
    response = _post(_client(member), _url(mission), body)
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    assert b"<script>" not in response.content
    assert not Dossier.objects.exists()


def _ready(member: Membership) -> Dossier:
    dossier = services.dossier_request(
        actor=member.user, membership=member, kind="place", places=["TA01"], language="en"
    )
    html, pdf = b"<!doctype html><p>API marker</p>", b"%PDF-1.7\n"
    Dossier.objects.filter(pk=dossier.pk).update(
        html=html, pdf=pdf, html_bytes=len(html), pdf_bytes=len(pdf), pdf_pages=1
    )
    assert dossier.job is not None
    Job.objects.filter(pk=dossier.job.pk).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now()
    )
    return dossier


def test_only_the_reader_reaches_a_dossier(mission: Mission, places: Any) -> None:
    dossier = _ready(MembershipFactory(mission=mission, role=Role.OFFICER))
    admin = _client(MembershipFactory(mission=mission, role=Role.ADMIN))
    tail = f"/{dossier.public_id}"
    for url in (tail, f"{tail}/dossier.html", f"{tail}/dossier.pdf"):
        response = admin.get(_url(mission, url))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert admin.delete(_url(mission, tail)).status_code == 404
    assert admin.get(_url(mission)).json()["items"] == []
    assert admin.get(_url(mission, "/not-a-uuid")).status_code == 404
    assert Dossier.objects.filter(pk=dossier.pk).exists()


def test_a_pending_dossier_answers_409_on_download(mission: Mission, places: Any) -> None:
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    dossier = services.dossier_request(
        actor=member.user, membership=member, kind="place", places=["TA01"], language="en"
    )
    response = _client(member).get(_url(mission, f"/{dossier.public_id}/dossier.pdf"))
    assert response.status_code == 409
    assert "not ready" in response.json()["detail"]


def test_delete_answers_204(mission: Mission, places: Any) -> None:
    member = MembershipFactory(mission=mission, role=Role.VIEWER)
    dossier = _ready(member)
    client = _client(member)
    assert client.delete(_url(mission, f"/{dossier.public_id}")).status_code == 204
    assert not Dossier.objects.exists()
    assert client.get(_url(mission, f"/{dossier.public_id}")).status_code == 404


def test_another_missions_token_gets_404(mission: Mission, places: Any) -> None:
    dossier = _ready(MembershipFactory(mission=mission, role=Role.OFFICER))
    outsider = _client(MembershipFactory(role=Role.ADMIN))
    response = outsider.get(_url(mission, f"/{dossier.public_id}/dossier.html"))
    assert response.status_code == 404
    assert _post(outsider, _url(mission), {"kind": "place", "places": ["TA01"]}).status_code == 404
