"""The import task as the worker runs it: outside any transaction (unlike a test wrapped in one),
so everything that needs a transaction must open its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from palava.assessments.import_services import JOB_KIND, survey_import_start
from palava.assessments.models import Submission
from palava.audit.models import AuditEvent
from palava.core.models import Job, JobStatus
from palava.core.services import job_create, job_finish
from palava.missions.models import Role
from tests.assessments.import_support import household_form, kobo_xlsx
from tests.factories import MembershipFactory, MissionFactory


@pytest.mark.django_db(transaction=True)
def test_the_import_task_succeeds_outside_a_transaction(settings: Any, tmp_path: Path) -> None:
    # given a manager's upload stored where the upload page stores it
    settings.PALAVA_IMPORT_DIR = str(tmp_path / "imports")
    mission = MissionFactory()
    manager = MembershipFactory(mission=mission, role=Role.MANAGER)
    form = household_form(mission, manager.user)
    upload = kobo_xlsx(tmp_path / "kobo.xlsx")

    # when the job is started: its task runs once the job is committed, in no transaction
    started = survey_import_start(
        actor=manager.user, mission=mission, form=form, input_file=str(upload), source="kobo.xlsx"
    )

    # then it succeeded, with its audit record
    job = Job.objects.get(pk=started.pk)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["created"] == 2
    assert Submission.objects.filter(form=form).count() == 2
    assert AuditEvent.objects.filter(action="submission.import", mission=mission).count() == 1


@pytest.mark.django_db
def test_the_job_page_writes_the_summary_in_the_readers_language(client_for: Any) -> None:
    # given a job the worker finished, its message written in the worker's language
    mission = MissionFactory()
    manager = MembershipFactory(mission=mission, role=Role.MANAGER)
    with transaction.atomic():
        job = job_create(
            actor=manager.user,
            mission=mission,
            kind=JOB_KIND,
            params={"form": "", "form_title": "Household", "source": "kobo.xlsx"},
        )
    job_finish(
        job=job,
        succeeded=True,
        result={"created": 3, "duplicates": 1, "conflicts": 1, "skipped": 2, "rows": 7},
        message="Importé : 3 ; déjà présentes : 2 ; lignes ignorées : 2.",
    )

    # when the manager reads it
    body = (
        client_for(manager.user)
        .get(f"/m/{mission.slug}/survey-imports/{job.public_id}/")
        .content.decode()
    )

    # then the summary is rebuilt from the counts, in the page's language
    assert "Imported: 3; already present: 2; rows skipped: 2." in body
    assert "Importé" not in body
