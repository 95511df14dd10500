"""The exports page: a member exports what they may see, watches progress, downloads the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from palava.audit.models import AuditEvent
from palava.core.models import Job
from palava.missions.models import Membership, Role
from tests.factories import AdminUnitFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MemberOf = Callable[..., Membership]
ClientFor = Callable[[object], Client]


def test_a_member_exports_places_as_csv_and_downloads_it(
    member_of: MemberOf,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # given a mission with one province and a manager
    member = member_of(Role.MANAGER)
    AdminUnitFactory(mission=member.mission, pcode="CDX1", level=1, name="Kivalunga")
    client = client_for(member.user)
    slug = member.mission.slug
    # when they open the exports page and ask for a CSV of places
    page = client.get(f"/m/{slug}/exports/")
    assert page.status_code == 200
    assert b'value="places"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/m/{slug}/exports/new/", {"kind": "places", "format": "csv"})
    # then the job ran (tasks run immediately in tests) and its page offers the file
    assert response.status_code == 302
    job = Job.objects.get(kind="export", created_by=member.user)
    assert job.status == "succeeded"
    progress = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b"Download" in progress.content
    download = client.get(f"/m/{slug}/exports/{job.public_id}/download/")
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    body = b"".join(download.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0].startswith("#")  # the HXL hashtag row
    assert any("CDX1" in row for row in rows[2:])
    downloads = AuditEvent.objects.filter(action="export.download", object_id=str(job.public_id))
    assert downloads.count() == 1


def test_someone_elses_export_is_not_found(member_of: MemberOf, client_for: ClientFor) -> None:
    # given an export made by one manager
    owner = member_of(Role.MANAGER)
    client_for(owner.user).post(
        f"/m/{owner.mission.slug}/exports/new/", {"kind": "places", "format": "csv"}
    )
    job = Job.objects.get(kind="export", created_by=owner.user)
    # when another member of the same mission asks for it, then it does not exist for them
    other = MembershipFactory(mission=owner.mission, role=Role.ADMIN)
    client = client_for(other.user)
    slug = owner.mission.slug
    assert client.get(f"/m/{slug}/exports/{job.public_id}/").status_code == 404
    assert client.get(f"/m/{slug}/exports/{job.public_id}/download/").status_code == 404


@pytest.mark.parametrize(
    "form",
    [
        {"kind": "nothing", "format": "csv"},
        {"kind": "places", "format": "exe"},
        {"kind": "places", "format": "../../etc/passwd"},
        {},
    ],
)
def test_bad_export_requests_create_nothing(
    member_of: MemberOf, client_for: ClientFor, form: dict[str, str]
) -> None:
    member = member_of(Role.ADMIN)
    response = client_for(member.user).post(f"/m/{member.mission.slug}/exports/new/", form)
    assert response.status_code == 400
    assert not Job.objects.filter(kind="export").exists()
