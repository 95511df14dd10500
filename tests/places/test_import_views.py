"""The upload page and the progress page of places imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from palava.core.models import Job, JobStatus
from palava.missions.models import Mission, Role
from palava.places.models import AdminUnit
from tests.places.import_support import GAZ_HEADER, HXL_ROW, SMALL_GAZETTEER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _upload_dir(settings: Any, tmp_path: Path) -> None:
    settings.PALAVA_IMPORT_DIR = str(tmp_path / "imports")


def _upload(
    name: str = "gaz.csv", text: str = GAZ_HEADER + HXL_ROW + SMALL_GAZETTEER
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_manager_uploads_a_gazetteer_and_follows_its_progress(
    mission: Mission, member_of: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a manager on the upload page
    client = client_for(member_of(Role.MANAGER).user)
    url = f"/m/{mission.slug}/places/import/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'type="file"' in page.content
    assert b'name="format"' in page.content

    # when a file is uploaded (the task runs once the job is committed)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": _upload(), "format": "auto"})

    # then the job ran and the progress page shows its report
    job = Job.objects.get(mission=mission, kind="places.import")
    assert response.status_code == 302
    assert response["Location"] == f"/m/{mission.slug}/places/import/{job.public_id}/"
    assert job.status == JobStatus.SUCCEEDED
    assert AdminUnit.objects.filter(mission=mission).count() == 6
    progress = client.get(response["Location"])
    assert progress.status_code == 200
    assert b"<progress" in progress.content
    assert b"CD2001" in progress.content  # the added units are listed
    assert b"hx-trigger" not in progress.content  # finished: no more polling


def test_the_partial_polls_every_two_seconds_while_the_job_runs(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    # given a pending job
    from palava.core.services import job_create

    job = job_create(
        actor="test", mission=mission, kind="places.import", params={"source": "x.csv"}
    )
    client = client_for(member_of(Role.ADMIN).user)

    # when htmx asks for the partial
    response = client.get(
        f"/m/{mission.slug}/places/import/{job.public_id}/", HTTP_HX_REQUEST="true"
    )

    # then only the partial comes back, polling every 2 s
    assert response.status_code == 200
    assert b'hx-trigger="every 2s"' in response.content
    assert b"<html" not in response.content


def test_the_page_lists_row_errors_of_a_failed_import(
    mission: Mission, member_of: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member_of(Role.ADMIN).user)
    bad = GAZ_HEADER + "COD,1,CD10,,COD,\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/m/{mission.slug}/places/import/", {"file": _upload(text=bad)})
    page = client.get(response["Location"])
    assert "Name is empty." in page.content.decode()
    assert AdminUnit.objects.count() == 0


def test_an_oversized_or_wrongly_named_upload_is_refused_on_the_form(
    mission: Mission, member_of: Any, client_for: Any, settings: Any
) -> None:
    settings.PALAVA_IMPORT_MAX_BYTES = 10
    client = client_for(member_of(Role.ADMIN).user)
    url = f"/m/{mission.slug}/places/import/"
    too_big = client.post(url, {"file": _upload(), "format": "auto"})
    wrong = client.post(url, {"file": _upload(name="gaz.exe", text="a"), "format": "auto"})
    assert too_big.status_code == 400
    assert "the limit is 10 bytes" in too_big.content.decode()
    assert wrong.status_code == 400
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.LIAISON, Role.ANALYST, Role.PARTNER, Role.VIEWER]
)
def test_other_roles_may_not_import(
    mission: Mission, member_of: Any, client_for: Any, role: str
) -> None:
    client = client_for(member_of(role).user)
    response = client.post(f"/m/{mission.slug}/places/import/", {"file": _upload()})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_job_of_another_mission_is_not_found(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    from palava.core.services import job_create
    from tests.factories import MissionFactory

    other = job_create(actor="test", mission=MissionFactory(), kind="places.import")
    client = client_for(member_of(Role.ADMIN).user)
    assert client.get(f"/m/{mission.slug}/places/import/{other.public_id}/").status_code == 404
