"""Histories for the demo's cases (see :mod:`palava.feedback.cases.demo`).

Each case triage opened at load time for a months-old message is moved back to when that
message arrived, then walked forward through the state machine with delays drawn from
log-normal distributions scaled to its SLA (``sla_pick``): about one case in six acknowledged
late and one in four answered late, each breach with its escalation events and notices
(repeating every ``repeat`` minutes, one level higher each time, up to 3, until handled). Steps
later than now are not taken, so the last two days' cases are partly still open; older cases
always got their response (nothing stays escalating forever in the demo).

Everything is written in bulk and kept consistent: the case's timestamps, SLA fields and
escalation state, one timeline event per step (by the assignee), a response record, the
notices (the new-case notice moved to the opening time and read at the acknowledgement), and
one ``case.demo_timeline`` audit row for the whole load.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Min

from palava.accounts.models import User
from palava.audit.services import audit_record
from palava.feedback.cases.sla import sla_pick, sla_table
from palava.feedback.cases.timeline import event_new
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseResponse,
    CaseStatus,
    CaseType,
    Notification,
    NotificationKind,
    ResponderType,
    ResponseOutcome,
)
from palava.missions.models import Mission, Role

S = CaseStatus
SEED = 505
DEMO_ACTOR = "system:demo"
ESCALATION_ACTOR = "system:escalation"
RETIME_GAP = timedelta(minutes=5)  # opened this long after its first message: a load-time case
ALWAYS_RESPONDED = timedelta(days=2)  # older cases always got a response
MAX_ESCALATIONS = 6
IN_PROGRESS = frozenset({S.NEW, S.ACKNOWLEDGED, S.VERIFIED, S.RESPONSE_DISPATCHED})
RESPONDERS: tuple[tuple[str, float, str], ...] = (
    (ResponderType.MISSION_FORCE, 0.30, "Patrol sent to the area; the armed group withdrew."),
    (ResponderType.MISSION_POLICE, 0.12, "Police patrol visited and spoke with the chief."),
    (ResponderType.NATIONAL_POLICE, 0.15, "Referred to the national police post."),
    (ResponderType.LOCAL_AUTHORITY, 0.20, "The territory administrator called a meeting."),
    (ResponderType.PARTNER, 0.18, "Referred to the partner organisation working there."),
    (ResponderType.NOBODY, 0.05, "No unit could reach the area in time."),
)
OUTCOMES = (
    (ResponseOutcome.EFFECTIVE, 0.55),
    (ResponseOutcome.PARTIAL, 0.25),
    (ResponseOutcome.INEFFECTIVE, 0.08),
    (ResponseOutcome.UNKNOWN, 0.12),
)


@dataclass
class Retimed:
    cases: int = 0
    open: int = 0
    late: int = 0


@dataclass
class _Writes:
    cases: list[Case] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    responses: list[CaseResponse] = field(default_factory=list)
    notices: list[Notification] = field(default_factory=list)
    read: list[Notification] = field(default_factory=list)


def _delay(rng: random.Random, median_minutes: float, sigma: float = 0.8) -> timedelta:
    return timedelta(minutes=rng.lognormvariate(math.log(max(median_minutes, 0.5)), sigma))


def _pick(rng: random.Random, options: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]


def _escalate(
    w: _Writes,
    case: Case,
    *,
    kind: str,
    due: datetime,
    until: datetime,
    repeat: int,
    recipients: list[User],
) -> int:
    """Escalation events and notices from ``due`` every ``repeat`` minutes before ``until``."""
    level = 0
    at = due
    while at < until and level < MAX_ESCALATIONS:
        level += 1
        shown = min(level, 3)
        w.events.append(
            event_new(
                case,
                CaseEventKind.ESCALATED,
                actor=ESCALATION_ACTOR,
                at=at,
                data={"level": shown, "breach": kind},
            )
        )
        recipient = recipients[min(shown, len(recipients)) - 1]
        w.notices.append(
            Notification(
                mission_id=case.mission_id,
                recipient=recipient,
                case=case,
                kind=NotificationKind.ACK_OVERDUE
                if kind == "ack"
                else NotificationKind.RESPONSE_OVERDUE,
                level=shown,
                title=f"{case.reference}: {kind} overdue (level {shown})",
                created_at=at,
                read_at=until,
                dedupe_key=f"demo:{kind}:{case.public_id}:{level}",
            )
        )
        at += timedelta(minutes=repeat)
    return level


def _history(
    w: _Writes,
    case: Case,
    rng: random.Random,
    *,
    now: datetime,
    sla: tuple[int, int, int],
    chain: list[User],
) -> bool:
    """Play one case forward from ``case.opened_at``; returns whether a breach happened."""
    ack_m, respond_m, repeat = sla
    opened = case.opened_at
    actor = case.assignee or chain[0]
    case.acknowledge_due_at = opened + timedelta(minutes=ack_m)
    case.respond_due_at = opened + timedelta(minutes=respond_m)
    case.escalation_repeat_minutes = repeat
    ack_at = opened + _delay(rng, 0.45 * ack_m)
    late = False
    if ack_at > now:
        case.next_escalation_at = case.acknowledge_due_at
        return False
    if ack_at > case.acknowledge_due_at:
        late = True
        case.acknowledge_breached_at = case.acknowledge_due_at
        case.escalation_level = min(
            3,
            _escalate(
                w,
                case,
                kind="ack",
                due=case.acknowledge_due_at,
                until=ack_at,
                repeat=repeat,
                recipients=chain,
            ),
        )

    def step(to: str, at: datetime) -> None:
        w.events.append(
            event_new(
                case,
                CaseEventKind.STATUS,
                actor=actor,
                at=at,
                from_status=case.status,
                to_status=to,
            )
        )
        case.status = to

    step(S.ACKNOWLEDGED, ack_at)
    case.acknowledged_at = ack_at
    t = ack_at
    if case.case_type in (CaseType.ALERT, CaseType.RUMOUR) and rng.random() < 0.1:
        t = t + _delay(rng, 0.2 * respond_m)
        if t > now:
            case.next_escalation_at = case.respond_due_at
            return late
        case.verified_at = t
        case.source_reliability, case.credibility = rng.choice("CDE"), rng.choice("456")
        step(S.UNFOUNDED, t)
    else:
        if rng.random() < 0.5:
            t = t + _delay(rng, 0.1 * respond_m)
            if t <= now:
                case.verified_at = t
                case.source_reliability, case.credibility = rng.choice("ABC"), rng.choice("123")
                step(S.VERIFIED, t)
        responded = max(opened + _delay(rng, 0.6 * respond_m, 0.7), t + timedelta(minutes=2))
        if responded > now and now - opened > ALWAYS_RESPONDED:
            responded = max(t + timedelta(minutes=2), now - timedelta(hours=rng.uniform(1, 24)))
        if responded > now:
            case.next_escalation_at = case.respond_due_at
            return late
        if responded > case.respond_due_at:
            late = True
            case.respond_breached_at = case.respond_due_at
            level = _escalate(
                w,
                case,
                kind="response",
                due=case.respond_due_at,
                until=responded,
                repeat=repeat,
                recipients=chain,
            )
            case.escalation_level = max(case.escalation_level, min(3, level))
        kind, _weight, action = RESPONDERS[
            rng.choices(range(len(RESPONDERS)), weights=[r[1] for r in RESPONDERS])[0]
        ]
        w.responses.append(
            CaseResponse(
                case=case,
                responder_type=kind,
                responded_at=responded,
                action=action,
                outcome=_pick(rng, OUTCOMES),
            )
        )
        w.events.append(
            event_new(
                case,
                CaseEventKind.RESPONSE,
                actor=actor,
                at=responded,
                data={"responder_type": kind},
            )
        )
        case.response_dispatched_at = responded
        step(S.RESPONSE_DISPATCHED, responded)
        t = responded + _delay(rng, 6 * 60, 1.0)
        if t > now:
            return late
        case.resolved_at = t
        step(S.RESOLVED, t)
    case.next_escalation_at = None
    if rng.random() < (0.75 if case.reporter_id else 0.35):
        t = t + _delay(rng, 3 * 60, 1.0)
        if t > now:
            return late
        w.events.append(
            event_new(case, CaseEventKind.REPLY, actor=actor, at=t, data={"channel": "demo"})
        )
        case.reporter_informed_at = t
        step(S.REPORTER_INFORMED, t)
    if rng.random() < 0.85:
        t = t + _delay(rng, 24 * 60, 0.8)
        if t <= now:
            case.closed_at = t
            step(S.CLOSED, t)
    return late


def _chain(mission: Mission, users: dict[str, User]) -> list[User]:
    """Who receives escalation levels 1, 2, 3 when the case has no assignee of its own."""
    return [
        u
        for u in (users.get(Role.OFFICER), users.get(Role.MANAGER), users.get(Role.ADMIN))
        if u is not None
    ]


def retime_cases(mission: Mission, users: dict[str, User], *, now: datetime) -> Retimed:
    """Move load-time cases back to their first message and give them a history."""
    chain = _chain(mission, users)
    if not chain:
        return Retimed()
    found = [
        c
        # opened by triage (the system), not by a member
        for c in Case.objects.filter(
            mission=mission,
            status=S.NEW,
            events__kind=CaseEventKind.CREATED,
            events__actor__isnull=True,
        )
        .annotate(
            first_at=Min("case_messages__message__received_at"),
            logged_at=Max("events__at"),  # the opening line, written at load time
        )
        .select_related("assignee")
        .order_by("id")
        if c.first_at is not None and c.logged_at - c.first_at > RETIME_GAP
    ]
    if not found:
        return Retimed()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    table = sla_table(mission)
    w = _Writes()
    out = Retimed()
    for case in found:
        first: datetime = case.first_at
        case.opened_at = first + timedelta(seconds=rng.uniform(15, 90))
        case_chain = [case.assignee, *chain[1:]] if case.assignee else chain
        late = _history(
            w,
            case,
            rng,
            now=now,
            sla=sla_pick(table, case.case_type, case.urgency),
            chain=case_chain,
        )
        out.cases += 1
        out.open += case.status in IN_PROGRESS
        out.late += late
        w.cases.append(case)
    _save(w, found)
    audit_record(
        actor=DEMO_ACTOR,
        action="case.demo_timeline",
        mission=mission,
        changes={"cases": out.cases, "events": len(w.events), "responses": len(w.responses)},
    )
    return out


CASE_FIELDS = (
    "opened_at",
    "status",
    "acknowledged_at",
    "verified_at",
    "response_dispatched_at",
    "resolved_at",
    "reporter_informed_at",
    "closed_at",
    "source_reliability",
    "credibility",
    "acknowledge_due_at",
    "respond_due_at",
    "escalation_repeat_minutes",
    "acknowledge_breached_at",
    "respond_breached_at",
    "escalation_level",
    "next_escalation_at",
)


def _save(w: _Writes, cases: Sequence[Case]) -> None:
    by_id = {c.pk: c for c in cases}
    Case.objects.bulk_update(w.cases, CASE_FIELDS, batch_size=500)
    # Lines written at load time (opened, assigned, messages joined) move to the opening time.
    moved = list(CaseEvent.objects.filter(case_id__in=by_id))
    for event in moved:
        event.at = by_id[event.case_id].opened_at
    CaseEvent.objects.bulk_update(moved, ["at"], batch_size=1000)
    CaseEvent.objects.bulk_create(w.events, batch_size=1000)
    CaseResponse.objects.bulk_create(w.responses, batch_size=500)
    notices = list(Notification.objects.filter(case_id__in=by_id))
    for notice in notices:
        case = by_id[notice.case_id]  # type: ignore[index]
        notice.created_at = case.opened_at
        notice.read_at = case.acknowledged_at
        # History: these notices went out long ago; the worker must not e-mail them now.
        notice.email_status = notice.email_status and "sent"
        notice.sms_status = notice.sms_status and "sent"
    Notification.objects.bulk_update(
        notices, ["created_at", "read_at", "email_status", "sms_status"], batch_size=1000
    )
    Notification.objects.bulk_create(w.notices, batch_size=1000, ignore_conflicts=True)
