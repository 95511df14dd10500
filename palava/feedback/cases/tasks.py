"""Background tasks of the case chain (imported by palava/feedback/tasks.py so the scheduler
registers them). Thin: they call the escalation and notification code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from palava.core.scheduler import periodic


@periodic(name="feedback.escalate", every=timedelta(minutes=1))
@task()
def feedback_escalate() -> dict[str, Any]:
    """Every minute: escalate cases past their deadline, then send notices still waiting for
    their e-mail or SMS (a crash between commit and the delivery task leaves them pending)."""
    from palava.feedback.cases.escalation import cases_escalate_due
    from palava.feedback.cases.notify import notifications_deliver

    return {"escalated": cases_escalate_due(), "delivered": notifications_deliver(None)}


@task()
def feedback_notifications_deliver(ids: list[int]) -> dict[str, Any]:
    """Send the e-mails and SMS of new notices (enqueued after their transaction commits)."""
    from palava.feedback.cases.notify import notifications_deliver

    return {"delivered": notifications_deliver(ids)}
