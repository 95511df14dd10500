"""Writes owned by the core app: housekeeping of background-task results."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django_tasks_db.models import DBTaskResult

from palava.audit.services import audit_record

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
