"""Writes owned by the core app: housekeeping of background-task results."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from palava.audit.services import audit_record
from palava.core.models import Job, JobStatus, acting_user

TASK_RESULTS_KEEP_DAYS = 14


@transaction.atomic
def task_results_prune(
    *, actor: Any, now: datetime, keep: timedelta = timedelta(days=TASK_RESULTS_KEEP_DAYS)
) -> int:
    """Delete finished (successful or failed) task results older than ``keep``; return the count.

    Ready and running results are never touched, whatever their age.
    """
    old = DBTaskResult.objects.finished().filter(finished_at__lt=now - keep)
    deleted, _per_model = old.delete()
    if deleted:
        audit_record(
            actor=actor,
            action="tasks.prune_results",
            object_type="django_tasks_db.dbtaskresult",
            changes={"deleted": deleted},
        )
    return deleted


# --- Long jobs with visible progress ----------------------------------------------------------

JOB_ERRORS_KEPT = 1000  # row-level errors kept per job (the count is always exact)


@transaction.atomic
def job_create(
    *,
    actor: Any,
    mission: Any,
    kind: str,
    params: dict[str, Any] | None = None,
    input_file: str = "",
) -> Job:
    """Record a job before enqueueing its task (enqueue in ``transaction.on_commit``)."""
    job = Job(
        mission=mission,
        kind=kind,
        params=params or {},
        input_file=input_file,
        created_by=acting_user(actor),
    )
    job.full_clean()
    job.save()
    audit_record(actor=actor, action="job.create", mission=mission, obj=job, changes={"kind": kind})
    return job


def job_progress(*, job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Report progress from inside a running task.

    A single UPDATE in its own transaction (not audited: progress is not a change of record), so
    pages polling the job see it while the task's own work is still uncommitted.
    """
    fields: dict[str, Any] = {"progress_done": done, "status": JobStatus.RUNNING}
    if total is not None:
        fields["progress_total"] = total
    if message:
        fields["message"] = message[:300]
    if job.started_at is None:
        job.started_at = timezone.now()
        fields["started_at"] = job.started_at
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


@transaction.atomic
def job_finish(
    *,
    job: Job,
    succeeded: bool,
    result: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
    message: str = "",
) -> Job:
    errors = errors or []
    job.status = JobStatus.SUCCEEDED if succeeded else JobStatus.FAILED
    job.result = {**(result or {}), "error_count": len(errors)}
    job.errors = errors[:JOB_ERRORS_KEPT]
    job.message = message[:300]
    job.finished_at = timezone.now()
    if succeeded and job.progress_total:
        job.progress_done = job.progress_total
    job.save()
    audit_record(
        actor="system:worker",
        action="job.finish",
        mission=job.mission,
        obj=job,
        changes={"status": job.status, "message": job.message},
    )
    return job
