"""Background tasks (imported by palava/feedback/tasks.py so the scheduler registers them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from palava.core.scheduler import periodic


@task()
def feedback_outbound_send(ids: list[int]) -> dict[str, Any]:
    """Send the given outbound rows now (enqueued on commit by ``outbound_enqueue``); a row
    another worker holds, or not yet due, is left alone."""
    from palava.feedback.outbound.services import outbound_send_due

    return {"attempts": outbound_send_due(ids=[int(i) for i in ids])}


@periodic(name="feedback.outbound", every=timedelta(minutes=1))
@task()
def feedback_outbound_sweep() -> dict[str, Any]:
    """Every minute: retries that are due, rows whose enqueue was lost, expired leases."""
    from palava.feedback.outbound.services import outbound_send_due

    return {"attempts": outbound_send_due()}
