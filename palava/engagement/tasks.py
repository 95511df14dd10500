"""Background tasks of the engagement app (registered with the scheduler). Thin: they call
``palava.engagement.reminders``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from palava.core.scheduler import periodic


@periodic(name="engagement.commitments", every=timedelta(minutes=15))
@task()
def engagement_commitments() -> dict[str, Any]:
    """Every 15 minutes: remind of commitments due soon, escalate overdue ones (each once)."""
    from palava.engagement.reminders import commitments_remind_and_escalate

    return dict(commitments_remind_and_escalate())
