"""Importing submissions through the pages, as a job run by the task runner (inline in tests)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from palava.assessments.form_services import form_set_accepting
from palava.assessments.import_xml import instance_xml
from palava.assessments.models import Form, Submission, SubmissionSource
from palava.assessments.raw_export import raw_export_write
from palava.assessments.submission_services import submission_receive
from palava.audit.models import AuditEvent
from palava.core.models import Job, JobStatus
from palava.core.services import job_create
from palava.missions.models import Membership, Mission, Role
from tests.assessments.import_support import (
    EXPECTED_A,
    EXPECTED_B,
    UUID_A,
    central_zip,
    csv_text,
    household_form,
    kobo_xlsx,
)
from tests.factories import MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _upload_dir(settings: Any, tmp_path: Path) -> None:
    settings.PALAVA_IMPORT_DIR = str(tmp_path / "imports")


@pytest.fixture
def manager(member_of: Any) -> Membership:
    membership: Membership = member_of(Role.MANAGER)
    return membership


def _url(mission: Mission) -> str:
    return f"/m/{mission.slug}/survey-imports/"


def _post(
    client: Client, mission: Mission, form: Form, name: str, content: bytes, capture: Any
) -> Any:
    with capture(execute=True):
        return client.post(
            _url(mission),
            {"form": str(form.public_id), "file": SimpleUploadedFile(name, content)},
        )


def _answers(form: Form) -> list[dict[str, Any]]:
    return [s.data for s in Submission.objects.filter(form=form).order_by("started_at")]


def test_a_manager_imports_a_kobo_export_and_reads_the_report(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    # given a form and a manager on the upload page (arriving from the form's page)
    form = household_form(mission, manager.user)
    client = client_for(manager.user)
    page = client.get(f"{_url(mission)}?form={form.public_id}")
    assert page.status_code == 200
    assert b'type="file"' in page.content
    assert f'value="{form.public_id}" selected'.encode() in page.content

    # when a KoboToolbox XLSX export with repeat sheets is uploaded
    content = kobo_xlsx(tmp_path / "kobo.xlsx").read_bytes()
    response = _post(
        client, mission, form, "kobo.xlsx", content, django_capture_on_commit_callbacks
    )

    # then the job ran and every row is a submission, repeats nested, meta kept
    job = Job.objects.get(mission=mission, kind="survey.import")
    assert response.status_code == 302
    assert response["Location"] == f"{_url(mission)}{job.public_id}/"
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["created"] == 2
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert _answers(form) == [EXPECTED_A, EXPECTED_B]
    first = Submission.objects.get(form=form, instance_id=f"uuid:{UUID_A}")
    assert first.source == SubmissionSource.IMPORT
    assert first.started_at is not None
    assert first.started_at.isoformat() == "2024-03-01T08:00:00+00:00"
    assert first.form_version_id == form.current_version_id
    assert AuditEvent.objects.filter(action="submission.import", mission=mission).count() == 1
    assert not Path(job.input_file).exists()  # the upload is deleted once imported

    # and the job page shows the counts, finished (no more polling)
    report = client.get(response["Location"])
    assert report.status_code == 200
    assert b"<progress" in report.content
    assert b"hx-trigger" not in report.content
    assert "Imported: 2; already present: 0; rows skipped: 0." in report.content.decode()


def test_importing_the_same_file_again_creates_nothing(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    form = household_form(mission, manager.user)
    client = client_for(manager.user)
    content = central_zip(tmp_path / "central.zip").read_bytes()
    _post(client, mission, form, "household.zip", content, django_capture_on_commit_callbacks)

    _post(client, mission, form, "household.zip", content, django_capture_on_commit_callbacks)

    second = Job.objects.filter(mission=mission, kind="survey.import").order_by("-created_at")[0]
    assert second.status == JobStatus.SUCCEEDED
    assert (second.result["created"], second.result["duplicates"]) == (0, 2)
    assert Submission.objects.filter(form=form).count() == 2


def test_an_odk_central_zip_imports_the_same_answers_as_kobo(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    form = household_form(mission, manager.user)
    client = client_for(manager.user)
    content = central_zip(tmp_path / "central.zip", extra={"media/1.jpg": b"\xff\xd8"})

    _post(client, mission, form, "c.zip", content.read_bytes(), django_capture_on_commit_callbacks)

    job = Job.objects.get(mission=mission, kind="survey.import")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert _answers(form) == [EXPECTED_A, EXPECTED_B]
    assert "not CSV (media)" in job.result["warnings"][0]["reason"]


def test_bad_rows_are_skipped_and_listed_and_the_good_ones_imported(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a semicolon CSV (Kobo, French Excel) with a bad number and a bad choice
    form = household_form(mission, manager.user)
    client = client_for(manager.user)
    rows = [
        ["village", "age", "respondent/consent", "remarks", "_uuid"],
        ["Kidal", "34", "yes", "", "u1"],
        ["Gao", "trente", "yes", "", "u2"],
        ["Menaka", "40", "peut-être", "", "u3"],
        ["Ansongo", "29", "no", "", "u4"],
    ]
    content = b"\xef\xbb\xbf" + csv_text(rows, delimiter=";").encode()

    response = _post(client, mission, form, "k.csv", content, django_capture_on_commit_callbacks)

    # then two submissions are imported, rows 3 and 4 are skipped with their column
    job = Job.objects.get(mission=mission, kind="survey.import")
    assert job.status == JobStatus.SUCCEEDED
    assert sorted(s["village"] for s in _answers(form)) == ["Ansongo", "Kidal"]
    assert job.result["skipped_lines"] == [3, 4]
    assert [(e["line"], e["column"]) for e in job.errors] == [
        (3, "age"),
        (4, "respondent/consent"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "2 problems" in page
    assert ">k<" in page  # the sheet is named after the uploaded file
    assert "“trente” is not a whole number." in page
    assert "remarks" in page  # the column that matched no question is named


def test_a_palava_raw_export_round_trips(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given submissions received in one mission and exported raw (XLSX and CSV zip)
    form = household_form(mission, manager.user)
    version = form.current_version
    assert version is not None
    for data in (EXPECTED_A, EXPECTED_B):
        xml = instance_xml(
            definition=version.definition, form_id="household", version="1", data=data
        )
        submission_receive(mission=mission, xml=xml, attachments=[], source="openrosa")
    exports = {}
    for fmt in ("xlsx", "zip"):
        out = io.BytesIO()
        assert raw_export_write(membership=manager, form=form, fmt=fmt, out=out) == 2
        exports[fmt] = out.getvalue()

    # when each export is imported into the same form of another mission
    other = MissionFactory()
    other_manager = MembershipFactory(mission=other, role=Role.MANAGER)
    client = client_for(other_manager.user)
    for fmt, content in exports.items():
        copy = household_form(other, other_manager.user)
        _post(client, other, copy, f"export.{fmt}", content, django_capture_on_commit_callbacks)

        # then the answers are the same
        assert _answers(copy) == [EXPECTED_A, EXPECTED_B], fmt
        copy.delete()

    # and importing the export back into its own mission creates nothing
    own = client_for(manager.user)
    _post(own, mission, form, "export.xlsx", exports["xlsx"], django_capture_on_commit_callbacks)
    job = Job.objects.filter(mission=mission, kind="survey.import").get()
    assert (job.result["created"], job.result["duplicates"]) == (0, 2)


def test_a_closed_form_refuses_the_import(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    form = household_form(mission, manager.user)
    client = client_for(manager.user)
    content = kobo_xlsx(tmp_path / "kobo.xlsx").read_bytes()
    form_set_accepting(actor=manager.user, form=form, accepting=False)

    response = _post(
        client, mission, form, "kobo.xlsx", content, django_capture_on_commit_callbacks
    )

    job = Job.objects.get(mission=mission, kind="survey.import")
    assert job.status == JobStatus.FAILED
    assert Submission.objects.filter(form=form).count() == 0
    assert "The form is closed" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.xlsx", b"\x00\x01garbage" * 50, "NUL bytes"),
        ("x.zip", b"PK\x03\x04garbage" * 50, "damaged zip"),
    ],
)
def test_a_file_that_is_not_an_export_fails_the_job_clearly(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    name: str,
    content: bytes,
    message: str,
) -> None:
    form = household_form(mission, manager.user)
    client = client_for(manager.user)

    response = _post(client, mission, form, name, content, django_capture_on_commit_callbacks)

    job = Job.objects.get(mission=mission, kind="survey.import")
    assert job.status == JobStatus.FAILED
    assert message in client.get(response["Location"]).content.decode()


def test_a_zip_escaping_its_folder_fails_the_job(
    mission: Mission,
    manager: Membership,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    form = household_form(mission, manager.user)
    client = client_for(manager.user)
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("household.csv", "village\nKidal\n")
        archive.writestr("../outside.csv", "village\nGao\n")

    _post(client, mission, form, "evil.zip", path.read_bytes(), django_capture_on_commit_callbacks)

    job = Job.objects.get(mission=mission, kind="survey.import")
    assert job.status == JobStatus.FAILED
    assert "outside" in job.message
    assert not (Path(job.input_file).parent.parent / "outside.csv").exists()


def test_the_upload_form_refuses_other_files_and_missing_choices(
    mission: Mission, manager: Membership, client_for: Any
) -> None:
    form = household_form(mission, manager.user)
    client = client_for(manager.user)

    wrong = client.post(
        _url(mission),
        {"form": str(form.public_id), "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    no_form = client.post(_url(mission), {"file": SimpleUploadedFile("x.csv", b"village\n")})

    assert wrong.status_code == 400
    assert "Upload a .xlsx, .csv or .zip file." in wrong.content.decode()
    assert no_form.status_code == 400
    assert not Job.objects.filter(mission=mission).exists()


def test_without_an_open_form_the_page_says_so(
    mission: Mission, manager: Membership, client_for: Any
) -> None:
    page = client_for(manager.user).get(_url(mission))

    assert page.status_code == 200
    assert b"There is no open form to import into" in page.content
    assert b'type="file"' not in page.content


def test_roles_without_form_manage_cannot_import(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    for role in (Role.ANALYST, Role.PARTNER, Role.VIEWER):
        client = client_for(member_of(role).user)
        assert client.get(_url(mission)).status_code == 403, role


def test_a_member_sees_only_their_own_import_jobs(
    mission: Mission, manager: Membership, member_of: Any, client_for: Any
) -> None:
    job = job_create(actor=manager.user, mission=mission, kind="survey.import")
    other = client_for(member_of(Role.MANAGER).user)
    mine = client_for(manager.user)

    assert other.get(f"{_url(mission)}{job.public_id}/").status_code == 404
    assert mine.get(f"{_url(mission)}{job.public_id}/").status_code == 200


def test_the_partial_polls_every_two_seconds_while_the_job_runs(
    mission: Mission, manager: Membership, client_for: Any
) -> None:
    job = job_create(
        actor=manager.user, mission=mission, kind="survey.import", params={"source": "k.xlsx"}
    )

    response = client_for(manager.user).get(
        f"{_url(mission)}{job.public_id}/", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert b'hx-trigger="every 2s"' in response.content
    assert b"<html" not in response.content


def test_a_job_of_a_member_who_lost_the_role_does_not_run(
    mission: Mission, member_of: Any, tmp_path: Path
) -> None:
    from palava.assessments.import_services import survey_import_start

    liaison = member_of(Role.LIAISON)
    form = household_form(mission, liaison.user)
    path = kobo_xlsx(tmp_path / "kobo.xlsx")
    job = survey_import_start(
        actor=liaison.user, mission=mission, form=form, input_file=str(path), source="k.xlsx"
    )
    liaison.role = Role.VIEWER
    liaison.save()

    from palava.assessments.tasks import survey_import_run

    survey_import_run.call(str(job.public_id))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert Submission.objects.filter(form=form).count() == 0


def test_the_form_page_links_to_the_import_for_managers(
    mission: Mission, manager: Membership, member_of: Any, client_for: Any
) -> None:
    form = household_form(mission, manager.user)
    url = f"/m/{mission.slug}/forms/{form.public_id}/"
    link = f"{_url(mission)}?form={form.public_id}".encode()

    assert link in client_for(manager.user).get(url).content
    assert link not in client_for(member_of(Role.ANALYST).user).get(url).content
