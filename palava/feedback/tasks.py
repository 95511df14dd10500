"""Background tasks of the feedback app. Thin: they call the triage and training services."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django_tasks import task

from palava.core.scheduler import periodic

# The chain's tasks live beside their code; importing them here registers their periodic jobs.
from palava.feedback.broadcasts import tasks as broadcast_tasks  # noqa: F401
from palava.feedback.cases import tasks as case_tasks  # noqa: F401
from palava.feedback.outbound import tasks as outbound_tasks  # noqa: F401
from palava.feedback.rumours import tasks as rumour_tasks  # noqa: F401

WORKER_ACTOR = "system:worker"


@periodic(name="feedback.triage", every=timedelta(minutes=1))
@task()
def feedback_triage_pending() -> dict[str, Any]:
    """Triage every message still waiting, in batches, until none is left.

    Enqueued by ingest (at most once a second per process) and swept every minute by the
    scheduler, so a message stored just before a crash is still triaged. Ingest skips the
    enqueue when it enqueued less than a second ago, so the run looks once more after
    ``PALAVA_TRIAGE_LINGER_SECONDS`` (a little over that second): a message whose enqueue was
    skipped is triaged by this run instead of waiting for the sweep.
    """
    from palava.feedback.triage import triage_pending

    done = triage_pending()
    linger = float(getattr(settings, "PALAVA_TRIAGE_LINGER_SECONDS", 0.0))
    if linger > 0:
        time.sleep(linger)
        done += triage_pending()
    return {"triaged": done}


@task()
def feedback_classifier_train(job_public_id: str) -> dict[str, Any]:
    """Run a model training job; a job that already finished is not run again."""
    from palava.core.models import Job
    from palava.feedback.training import classifier_train_job_run

    job = (
        Job.objects.select_related("mission", "created_by").filter(public_id=job_public_id).first()
    )
    if job is None:
        return {"status": "missing"}
    if job.finished_at is not None:
        return {"status": job.status, "skipped": True}
    job = classifier_train_job_run(job=job, actor=job.created_by or WORKER_ACTOR)
    return {"status": job.status, **job.result}


@periodic(name="feedback.retrain", every=timedelta(days=1))
@task()
def feedback_classifiers_retrain() -> dict[str, Any]:
    """Nightly: retrain the models of missions whose staff labels changed since the last
    version (nothing happens where no label changed)."""
    from palava.feedback.training import classifiers_retrain_due

    return {"trained": classifiers_retrain_due(actor=WORKER_ACTOR)}
