"""Importing submissions exported from KoboToolbox or ODK Central, as a background job.

The upload page stores the file and records a :class:`~palava.core.models.Job` (kind
``survey.import``); its task (:mod:`palava.assessments.tasks`) calls
:func:`survey_import_job_run`. Every row is matched and checked first (:mod:`.imports`); rows
with a wrong value are reported and skipped, the good ones are received one by one through
:func:`~palava.assessments.submission_services.submission_receive` (``source="import"``), so a
row already received (same instance ID) is counted as already present and importing the same
file again creates nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from palava.assessments.import_xml import instance_xml
from palava.assessments.imports import Issues, plan_import, read_upload
from palava.assessments.models import Form, Submission, SubmissionSource
from palava.assessments.openrosa.instance import InstanceError, parse_instance, repeat_paths_of
from palava.assessments.submission_services import (
    SubmissionConflict,
    SubmissionRejected,
    submission_receive,
)
from palava.audit.services import audit_record
from palava.core.importers import ImportFileError
from palava.core.models import Job, JobStatus
from palava.core.services import job_create, job_finish, job_progress
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, role_has

logger = logging.getLogger("palava.assessments.import")

JOB_KIND = "survey.import"
PROGRESS_EVERY = 50
SKIPPED_LINES_KEPT = 500
WORKER_ACTOR = "system:worker"


def survey_import_start(
    *, actor: Any, mission: Mission, form: Form, input_file: str, source: str
) -> Job:
    """Record the import job and enqueue its task once the job is committed."""
    from palava.assessments.tasks import survey_import_run

    with transaction.atomic():
        job = job_create(
            actor=actor,
            mission=mission,
            kind=JOB_KIND,
            params={
                "form": str(form.public_id),
                "form_title": form.title[:200],
                "source": source[:200],
            },
            input_file=input_file,
        )
        public_id = str(job.public_id)
        transaction.on_commit(lambda: survey_import_run.enqueue(public_id))
    return job


def _same_answers(form: Form, instance_id: str, xml: bytes, repeat_paths: Any) -> bool:
    """Whether the submission already received with ``instance_id`` has the answers of ``xml``
    (its XML differs, e.g. it came from ODK Collect or an earlier form version)."""
    existing = (
        Submission.objects.filter(form=form, instance_id=instance_id)
        .values_list("data", flat=True)
        .first()
    )
    return existing is not None and existing == parse_instance(xml, repeat_paths=repeat_paths).data


def survey_import(
    *,
    mission: Mission,
    form: Form,
    actor: Any,
    path: Path,
    source: str = "",
    job: Job | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Import the file into ``form``; returns the report and the row errors. Raises
    :class:`ImportFileError` for a file (or form) that cannot be imported at all."""
    if not form.accepting_submissions or form.archived_at is not None:
        raise ImportFileError(_("The form is closed: reopen it to import submissions."))
    version = form.current_version
    if version is None or not version.definition:
        raise ImportFileError(_("The form has no version to import into."))

    def progress(done: int, total: int, message: str) -> None:
        if job is not None:
            job_progress(job=job, done=done, total=total, message=message)

    progress(0, 0, _("Reading the file"))
    upload = read_upload(path, name=source)
    progress(0, 0, _("Matching the columns to the form"))
    plan = plan_import(upload=upload, definition=version.definition, form_id=form.form_id)
    total = len(plan.submissions)
    repeat_paths = repeat_paths_of(version.definition)
    errors = Issues()
    for item in plan.errors.items:
        errors.add(item["reason"], sheet=item["sheet"], line=item["line"], column=item["column"])
    errors.count = plan.errors.count
    created = duplicates = conflicts = 0
    skipped = list(plan.skipped_lines)
    for done, planned in enumerate(plan.submissions):
        if done % PROGRESS_EVERY == 0:
            progress(done, total, _("Importing submissions"))
        xml = instance_xml(
            definition=version.definition,
            form_id=form.form_id,
            version=version.version,
            data=planned.data,
        )
        try:
            _submission, was_created = submission_receive(
                mission=mission,
                xml=xml,
                attachments=[],
                source=SubmissionSource.IMPORT,
                actor=actor,
            )
        except SubmissionConflict:
            if _same_answers(form, planned.instance_id, xml, repeat_paths):
                duplicates += 1  # received before from another source (e.g. ODK Collect)
                continue
            conflicts += 1
            plan.warnings.add(
                _(
                    "A submission with the instance ID “%(id)s” is already here with other "
                    "answers: it was kept as it is."
                )
                % {"id": planned.instance_id[:120]},
                line=planned.line,
            )
            continue
        except (InstanceError, SubmissionRejected) as error:
            skipped.append(planned.line)
            errors.add(str(error), line=planned.line)
            continue
        if was_created:
            created += 1
        else:
            duplicates += 1
    progress(total, total, _("Finishing"))
    result: dict[str, Any] = {
        "format": plan.format,
        "form": form.title,
        "rows": plan.rows_total,
        "created": created,
        "duplicates": duplicates,
        "conflicts": conflicts,
        "skipped": len(skipped),
        "skipped_lines": sorted(skipped)[:SKIPPED_LINES_KEPT],
        "unmatched_columns": plan.unmatched[:200],
        "errors_total": errors.count,
        "warnings_total": plan.warnings.count,
        "warnings": plan.warnings.items,
    }
    # The task runs outside any transaction (each submission is received in its own): the
    # audit record needs one.
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="submission.import",
            mission=mission,
            obj=form,
            changes={
                key: result[key]
                for key in ("format", "rows", "created", "duplicates", "conflicts", "skipped")
            },
        )
    return result, errors.items


def _importer(job: Job) -> Membership | None:
    if job.created_by_id is None:
        return None
    return (
        Membership.objects.select_related("mission")
        .filter(mission_id=job.mission_id, user_id=job.created_by_id, is_active=True)
        .first()
    )


def survey_import_job_run(*, job: Job, actor: Any) -> Job:
    """Run an import job to its end (the task calls this). Retry-safe: a job that succeeded is
    returned as it is; running a failed one again receives only what is not yet there."""
    if job.status == JobStatus.SUCCEEDED:
        return job
    if job.created_by_id is not None:
        membership = _importer(job)
        if membership is None or not role_has(membership.role, Perm.FORM_MANAGE):
            return job_finish(job=job, succeeded=False, message=_("Your role does not allow this."))
    form = (
        Form.objects.select_related("current_version")
        .filter(mission_id=job.mission_id, public_id=str((job.params or {}).get("form") or ""))
        .first()
    )
    if form is None:
        return job_finish(job=job, succeeded=False, message=_("The form no longer exists."))
    try:
        result, errors = survey_import(
            mission=job.mission,
            form=form,
            actor=actor,
            path=Path(job.input_file),
            source=str((job.params or {}).get("source") or ""),
            job=job,
        )
    except ImportFileError as error:
        return job_finish(
            job=job,
            succeeded=False,
            result={"errors_total": 1},
            errors=[{"line": 0, "sheet": "", "column": "", "reason": str(error)}],
            message=str(error),
        )
    except Exception:
        logger.exception("survey import job %s crashed", job.public_id)
        job_finish(job=job, succeeded=False, message=_("The import failed on an internal error."))
        raise
    message = _(
        "Imported: %(created)s; already present: %(duplicates)s; rows skipped: %(skipped)s."
    ) % {
        "created": result["created"],
        "duplicates": result["duplicates"] + result["conflicts"],
        "skipped": result["skipped"],
    }
    job = job_finish(job=job, succeeded=True, result=result, errors=errors, message=message)
    _forget_upload(Path(job.input_file))
    return job


def _forget_upload(path: Path) -> None:
    """Delete an imported upload (answers may name respondents): only files the upload page
    stored, once their job has succeeded (a succeeded job never runs again)."""
    from palava.places.import_views import import_dir

    try:
        if path.resolve().is_relative_to(import_dir().resolve()):
            path.unlink(missing_ok=True)
    except OSError:  # pragma: no cover - a file system that refuses: the file stays
        logger.warning("could not delete an imported upload")
