"""Background tasks (imported by palava/feedback/tasks.py so the scheduler registers them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from palava.core.scheduler import periodic


@periodic(name="feedback.broadcasts", every=timedelta(minutes=1))
@task()
def feedback_broadcasts_send() -> dict[str, Any]:
    """Send the broadcasts that are due (and resume one whose worker died)."""
    from palava.feedback.broadcasts.services import broadcasts_send_due

    return {"broadcasts": broadcasts_send_due()}
