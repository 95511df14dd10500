"""Background tasks of the cultural context: generating briefing dossiers and purging old ones.

Thin: they call :mod:`palava.context.dossier_services`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from palava.core.scheduler import periodic

logger = logging.getLogger("palava.tasks")

SCHEDULER_ACTOR = "system:scheduler"


@task()
def context_dossier_generate(job_public_id: str) -> dict[str, Any]:
    """Generate the dossier of a job; a job that already finished is not run again."""
    from palava.context.dossier_services import dossier_job_run
    from palava.core.models import Job

    job = Job.objects.select_related("mission").filter(public_id=job_public_id).first()
    if job is None:
        return {"status": "missing"}
    if job.finished_at is not None:
        return {"status": job.status, "skipped": True}
    job = dossier_job_run(job=job)
    return {"status": job.status}


@periodic(name="context.purge_dossiers", every=timedelta(hours=1))
@task()
def context_dossiers_purge() -> dict[str, int]:
    """Delete the dossiers kept longer than their retention (30 days)."""
    from palava.context.dossier_services import dossiers_purge

    deleted = dossiers_purge(now=timezone.now(), actor=SCHEDULER_ACTOR)
    logger.info("purged %d expired dossiers", deleted)
    return {"deleted": deleted}
