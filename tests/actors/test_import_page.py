"""The actors import page: upload, the job with progress, row errors, counts, permissions."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from palava.actors.models import Actor
from palava.core.models import Job, JobStatus
from palava.core.services import job_create
from palava.missions.models import Membership, Role
from tests.actors.conftest import Geo

pytestmark = pytest.mark.django_db

MemberIn = Callable[..., Membership]
HEADER = (
    "Person,Organisation or group,Type,Admin 1 P-code,Admin 2 P-code,Influence\n"
    "#contact+name,#org+name,#org+type,#adm1+code,#adm2+code,#indicator+influence+num\n"
)
GOOD_ROWS = (
    "Mwami Kabare,,traditional_authority,CD10,CD1001,5\n"  # line 3
    ",Mama Amani,womens_group,CD20,CD2001,3\n"  # line 4
)
BAD_ROWS = (
    "Mwami Kabare,,traditional_authority,CD10,CD1001,5\n"  # line 3: fine
    "Imam Bakari,,wizard,CD20,,3\n"  # line 4: unknown type
    ",Jeunesse Unie,youth_group,CD10,,9\n"  # line 5: influence out of range
)


@pytest.fixture(autouse=True)
def _upload_dir(settings: Any, tmp_path: Path) -> None:
    settings.PALAVA_IMPORT_DIR = str(tmp_path / "imports")


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _url(geo: Geo, tail: str = "") -> str:
    return f"/m/{geo.mission.slug}/actors/import/{tail}"


def _upload(text: str, name: str = "actors.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_good_file_creates_the_actors_and_shows_the_counts(
    geo: Geo, member_in: MemberIn, django_capture_on_commit_callbacks: Any
) -> None:
    # given an officer on the upload page
    client = _client(member_in(Role.OFFICER))
    page = client.get(_url(geo))
    assert page.status_code == 200
    assert b'type="file"' in page.content
    # when a good file is uploaded (the task runs once the job is committed)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(geo), {"file": _upload(HEADER + GOOD_ROWS)})
    # then the job ran and created both actors in their places
    job = Job.objects.get(mission=geo.mission, kind="actors.import")
    assert response.status_code == 302
    assert response["Location"] == _url(geo, f"{job.public_id}/")
    assert job.status == JobStatus.SUCCEEDED
    created = {a.name: a for a in Actor.objects.filter(mission=geo.mission)}
    assert set(created) == {"Mwami Kabare", "Mama Amani"}
    assert created["Mwami Kabare"].admin_unit == geo.north_town
    assert created["Mama Amani"].actor_type == "womens_group"
    # and the progress page shows the finished job with its counts, no longer polling
    progress = client.get(response["Location"])
    assert progress.status_code == 200
    text = progress.content.decode()
    assert "<progress" in text
    assert re.search(r"Created</dt>\s*<dd>\s*2\s*</dd>", text)
    assert re.search(r"Already present \(skipped\)</dt>\s*<dd>\s*0\s*</dd>", text)
    assert "hx-trigger" not in text


def test_a_bad_file_lists_every_problem_by_line_and_creates_nothing(
    geo: Geo, member_in: MemberIn, django_capture_on_commit_callbacks: Any
) -> None:
    # given an officer and a file with one good and two bad rows
    client = _client(member_in(Role.OFFICER))
    # when it is uploaded
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(geo), {"file": _upload(HEADER + BAD_ROWS)})
    # then the job failed, nothing was written, and the page names the lines and reasons
    job = Job.objects.get(mission=geo.mission, kind="actors.import")
    assert job.status == JobStatus.FAILED
    assert not Actor.objects.filter(mission=geo.mission).exists()
    text = client.get(response["Location"]).content.decode()
    rows = re.findall(r'class="mono">\s*(\d+)\s*</td>\s*<td data-label="Reason">([^<]*)<', text)
    lines = {int(line): reason for line, reason in rows}
    assert set(lines) == {4, 5}, text
    assert "Type" in lines[4]
    assert "Influence" in lines[5]
    assert "2 problems" in text


def test_an_upload_that_is_not_csv_or_xlsx_is_refused_on_the_form(
    geo: Geo, member_in: MemberIn
) -> None:
    # given an officer / when a PDF is uploaded
    client = _client(member_in(Role.OFFICER))
    response = client.post(_url(geo), {"file": _upload("%PDF-1.4", name="actors.pdf")})
    # then the form says why and no job is started
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    assert not Job.objects.filter(mission=geo.mission).exists()


def test_the_progress_partial_polls_while_the_job_runs(geo: Geo, member_in: MemberIn) -> None:
    # given a pending import of the member
    member = member_in(Role.OFFICER)
    job = job_create(
        actor=member.user, mission=geo.mission, kind="actors.import", params={"source": "a.csv"}
    )
    # when htmx asks for the progress
    response = _client(member).get(_url(geo, f"{job.public_id}/"), HTTP_HX_REQUEST="true")
    # then only the partial comes back, polling itself every 2 s
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'hx-trigger="every 2s"' in response.content
    assert f'hx-get="{_url(geo, f"{job.public_id}/")}"'.encode() in response.content


def test_another_members_import_is_not_shown(geo: Geo, member_in: MemberIn) -> None:
    # given an import started by one officer
    owner = member_in(Role.OFFICER)
    job = job_create(
        actor=owner.user, mission=geo.mission, kind="actors.import", params={"source": "a.csv"}
    )
    # when another manager opens it / then it does not exist for them
    assert _client(member_in(Role.MANAGER)).get(_url(geo, f"{job.public_id}/")).status_code == 404


def test_a_viewer_gets_403_on_the_import_pages(geo: Geo, member_in: MemberIn) -> None:
    # given a viewer
    viewer = member_in(Role.VIEWER)
    job = job_create(
        actor=viewer.user, mission=geo.mission, kind="actors.import", params={"source": "a.csv"}
    )
    client = _client(viewer)
    # when they open the page, upload a file or open a job
    opened = client.get(_url(geo))
    posted = client.post(_url(geo), {"file": _upload(HEADER + GOOD_ROWS)})
    progress = client.get(_url(geo, f"{job.public_id}/"))
    # then each is forbidden and nothing is imported
    assert (opened.status_code, posted.status_code, progress.status_code) == (403, 403, 403)
    assert not Actor.objects.filter(mission=geo.mission).exists()


@pytest.mark.parametrize(
    ("role", "sees_import"), [(Role.OFFICER, True), (Role.VIEWER, False)], ids=str
)
def test_the_lists_link_the_import_and_export_pages(
    geo: Geo, member_in: MemberIn, role: Role, sees_import: bool
) -> None:
    # given a member / when they open the actors and places lists
    client = _client(member_in(role))
    actors = client.get(f"/m/{geo.mission.slug}/actors/").content.decode()
    places = client.get(f"/m/{geo.mission.slug}/places/").content.decode()
    # then the import link shows only to those who may import; exports to everyone
    assert (f'href="{_url(geo)}"' in actors) is sees_import
    exports = f'href="/m/{geo.mission.slug}/exports/"'
    assert exports in actors.split("<main", 1)[-1]
    assert exports in places.split("<main", 1)[-1]
