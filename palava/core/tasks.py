"""Platform housekeeping jobs, run by the scheduler in every ``palava worker``.

Tasks are thin: they call a service or a check and return a small JSON-able summary.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from palava.accounts.tokens import token_purge_expired
from palava.audit.chain import verify_chain
from palava.core.scheduler import periodic
from palava.core.services import task_results_prune

logger = logging.getLogger("palava.tasks")

SCHEDULER_ACTOR = "system:scheduler"


@periodic(name="audit.verify_chain", every=timedelta(days=1))
@task()
def audit_verify_chain() -> dict[str, int | None]:
    """Walk the audit hash chain; log an ERROR naming the first tampered row."""
    report = verify_chain()
    if report.ok:
        logger.info("audit trail intact: %d rows verified", report.checked)
    else:
        logger.error(
            "audit trail broken at row id=%s: %s (%d rows verified before it)",
            report.first_bad_id,
            report.reason,
            report.checked,
        )
    return {"checked": report.checked, "first_bad_id": report.first_bad_id}


@periodic(name="tasks.prune_results", every=timedelta(days=1))
@task()
def tasks_prune_results() -> dict[str, int]:
    """Delete finished task results older than 14 days."""
    deleted = task_results_prune(actor=SCHEDULER_ACTOR, now=timezone.now())
    logger.info("pruned %d finished task results", deleted)
    return {"deleted": deleted}


@periodic(name="accounts.purge_expired_tokens", every=timedelta(days=1))
@task()
def accounts_purge_expired_tokens() -> dict[str, int]:
    """Delete API tokens that expired more than 90 days ago."""
    deleted = token_purge_expired(actor=SCHEDULER_ACTOR, now=timezone.now())
    logger.info("purged %d expired API tokens", deleted)
    return {"deleted": deleted}
