"""Background tasks of the assessments app. Thin: they load the job and call the service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from palava.core.models import Job, JobStatus

WORKER_ACTOR = "system:worker"


@task()
def survey_import_run(job_public_id: str) -> dict[str, Any]:
    """Run a submissions import job; a job that already succeeded is not run again."""
    from palava.assessments.import_services import JOB_KIND, survey_import_job_run

    job = (
        Job.objects.select_related("mission", "created_by")
        .filter(public_id=job_public_id, kind=JOB_KIND)
        .first()
    )
    if job is None:
        return {"status": "missing"}
    if job.status == JobStatus.SUCCEEDED:
        return {"status": job.status, "skipped": True}
    job = survey_import_job_run(job=job, actor=job.created_by or WORKER_ACTOR)
    return {"status": job.status, "created": job.result.get("created", 0)}
