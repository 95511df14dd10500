"""Background tasks of the places app. Thin: they load the job and call the import service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from palava.core.models import Job, JobStatus
from palava.places.importers.service import places_import_job_run

WORKER_ACTOR = "system:worker"


@task()
def places_import_run(job_public_id: str) -> dict[str, Any]:
    """Run a places import job; a job that already succeeded is not run again."""
    job = (
        Job.objects.select_related("mission", "created_by").filter(public_id=job_public_id).first()
    )
    if job is None:
        return {"status": "missing"}
    if job.status == JobStatus.SUCCEEDED:
        return {"status": job.status, "skipped": True}
    job = places_import_job_run(job=job, actor=job.created_by or WORKER_ACTOR)
    return {"status": job.status, "errors": job.result.get("errors_total", 0)}
