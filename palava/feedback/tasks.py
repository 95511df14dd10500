"""Background tasks of the feedback app. Thin: they call the triage and training services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from palava.core.scheduler import periodic

WORKER_ACTOR = "system:worker"


@periodic(name="feedback.triage", every=timedelta(seconds=10))
@task()
def feedback_triage_pending() -> dict[str, Any]:
    """Triage every message still waiting, in batches, until none is left.

    Enqueued by ingest (at most once a second per process) and swept every 10 s by the
    scheduler, so a message stored just before a crash is still triaged.
    """
    from palava.feedback.triage import triage_pending

    done = triage_pending()
    return {"triaged": done}
