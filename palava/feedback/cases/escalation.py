"""Escalation: a case not acknowledged, or not responded to, in time notifies the next level.

``Case.next_escalation_at`` is the one clock the task looks at (a partial index covers it). When
it passes, :func:`cases_escalate_due` decides which breach is running:

* not acknowledged by ``acknowledge_due_at``: an "acknowledgement overdue" notice;
* acknowledged, but no response by ``respond_due_at``: a "response overdue" notice.

Each notice goes one level higher than the last, up to 3, then repeats at 3 every
``escalation_repeat_minutes`` until the case is handled: level 1 is the assignee (else the
team's duty officer, else every team member), level 2 the team's leads, level 3 the mission's
managers and administrators whose scope covers the place (also the fallback of any level with
nobody to tell). The acknowledgement ends the first breach and starts the response clock at
level 0; a response, an unfounded verdict or closing ends escalation.

Several workers may run the task at once: rows are claimed with ``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL (SQLite serialises writers) and moved on with a conditional update on
the ``next_escalation_at`` value that was read, so a breach step is taken once; the notice's
``dedupe_key`` names the case, the breach and the step, so a retried run notifies nobody twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from palava.audit.services import audit_record
from palava.feedback.cases.notify import case_url, notify
from palava.feedback.cases.routing import managers_in_scope, team_people, unit_path_of
from palava.feedback.cases.timeline import event_new, notice_title, place_name_of
from palava.feedback.models import (
    Case,
    CaseEventKind,
    CaseStatus,
    CaseType,
    NotificationKind,
)

logger = logging.getLogger(__name__)

ESCALATION_ACTOR = "system:escalation"
MAX_LEVEL = 3
BATCH = 100
STOPPED = frozenset({CaseStatus.CLOSED, CaseStatus.UNFOUNDED})


def recipients_for(case: Case, level: int) -> list[Any]:
    """Who is told at ``level`` (see the module's description)."""
    people: list[Any] = []
    if level <= 1:
        if case.assignee is not None:
            people = [case.assignee]
        elif case.team is not None and case.team.duty_officer is not None:
            people = [case.team.duty_officer]
        elif case.team_id is not None:
            people = team_people(case.team_id)
    elif level == 2 and case.team_id is not None:
        people = team_people(case.team_id, leads_only=True)
    if not people:
        people = managers_in_scope(case.mission_id, unit_path_of(case))
    return [p for p in people if p.is_active]


def _claim(now: datetime, limit: int) -> list[Case]:
    rows = (
        Case.objects.filter(next_escalation_at__lte=now)
        .select_related("mission", "admin_unit", "site", "team", "team__duty_officer", "assignee")
        .order_by("next_escalation_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows[:limit])


def _stop(case: Case, due: datetime, at: datetime | None) -> None:
    Case.objects.filter(pk=case.pk, next_escalation_at=due).update(next_escalation_at=at)


def case_escalate(case: Case, *, now: datetime) -> bool:
    """Take one escalation step for a claimed case whose clock has passed; True if notified."""
    due = case.next_escalation_at
    if due is None:
        return False
    if case.status in STOPPED or case.response_dispatched_at is not None:
        _stop(case, due, None)
        return False
    if case.acknowledged_at is None:
        kind, deadline, breach = (
            NotificationKind.ACK_OVERDUE,
            case.acknowledge_due_at,
            "acknowledge_breached_at",
        )
    else:
        kind, deadline, breach = (
            NotificationKind.RESPONSE_OVERDUE,
            case.respond_due_at,
            "respond_breached_at",
        )
    if deadline is None:
        _stop(case, due, None)
        return False
    if now < deadline:  # moved on meanwhile (e.g. acknowledged): wait for the next deadline
        _stop(case, due, deadline)
        return False
    level = min(case.escalation_level + 1, MAX_LEVEL)
    changes: dict[str, Any] = {
        "escalation_level": level,
        "next_escalation_at": now + timedelta(minutes=max(case.escalation_repeat_minutes, 1)),
        "updated_at": now,
    }
    if getattr(case, breach) is None:
        changes[breach] = deadline
    if not Case.objects.filter(pk=case.pk, next_escalation_at=due).update(**changes):
        return False  # another worker took this step
    for name, value in changes.items():
        setattr(case, name, value)
    people = recipients_for(case, level)
    event_new(
        case,
        CaseEventKind.ESCALATED,
        actor=ESCALATION_ACTOR,
        at=now,
        data={"kind": kind, "level": level, "recipients": len(people)},
    ).save()
    audit_record(
        actor=ESCALATION_ACTOR,
        action="case.escalate",
        mission=case.mission,
        obj=case,
        changes={"escalation_level": level, "kind": kind, "recipients": len(people)},
    )
    if not people:
        logger.warning("case %s escalated to level %s with nobody to notify", case.pk, level)
        return False
    notify(
        mission=case.mission,
        recipients=people,
        kind=kind,
        title=notice_title(case, kind, place_name=place_name_of(case), level=level),
        case=case,
        level=level,
        dedupe_key=f"esc:{case.public_id}:{kind}:{int(due.timestamp())}",
        url=case_url(case),
        email=True,
        sms=case.case_type == CaseType.ALERT,
    )
    return True


def cases_escalate_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Take every due escalation step, a batch per transaction; returns how many notified."""
    now = now or timezone.now()
    notified = 0
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            batch = [c for c in _claim(now, limit) if c.pk not in seen]
            for case in batch:
                seen.add(case.pk)
                notified += case_escalate(case, now=now)
        if len(batch) < limit:
            return notified
