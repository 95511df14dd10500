"""The history of one demo commitment: due date, status changes, reminder and escalation."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from palava.engagement.demo_places import local_at
from palava.engagement.demo_text import BROKEN_NOTES, CANCELLED_NOTES, DONE_NOTES
from palava.engagement.models import CommitmentEventKind, CommitmentStatus

Event = tuple[datetime, str, str, str, str, dict[str, Any]]


@dataclass
class Timeline:
    """What happened to one commitment, in order: (when, kind, from, to, note, changes)."""

    events: list[Event] = field(default_factory=list)

    def add(
        self,
        at: datetime,
        kind: str,
        *,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        changes: dict[str, Any] | None = None,
    ) -> None:
        self.events.append((at, kind, from_status, to_status, note, changes or {}))


def plan_timeline(
    status: str,
    made_at: datetime,
    today: date,
    now: datetime,
    reminder_days: int,
    rng: random.Random,
    zone: ZoneInfo,
) -> tuple[date | None, Timeline, datetime | None]:
    """The due date, the history and when the status last changed (``None``: never).

    A reminder is stamped ``reminder_days`` before the due date and an escalation the day after
    it, each only if the commitment was still open then (as the scheduler would have done).
    """
    made = made_at.date()
    age = (today - made).days
    line = Timeline()
    line.add(made_at, CommitmentEventKind.CREATED, to_status=CommitmentStatus.PENDING)
    due: date | None
    closed_at: datetime | None = None
    current = str(CommitmentStatus.PENDING)
    changes: list[tuple[datetime, str, str]] = []  # (when, to, note)
    if status in (CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS):
        roll = rng.random()
        if roll < 0.35 and age >= 10:
            due = made + timedelta(days=rng.randint(7, max(7, age - 2)))
        elif roll < 0.6:
            due = today + timedelta(days=rng.randint(0, reminder_days - 1))
        elif roll < 0.9:
            due = today + timedelta(days=rng.randint(reminder_days + 8, 75))
        else:
            due = None
        if status == CommitmentStatus.IN_PROGRESS:
            started = made + timedelta(days=rng.randint(1, max(1, min(age - 1, 30))))
            changes.append((local_at(min(started, today), 10, zone), status, "Work has started."))
    else:
        due = made + timedelta(days=rng.randint(14, max(14, min(60, age - 7))))
        if status == CommitmentStatus.DONE:
            days = rng.randint(7, max(7, min(age - 3, (due - made).days + 10)))
            if rng.random() < 0.5:
                changes.append(
                    (local_at(made + timedelta(days=days // 2), 10, zone), "in_progress", "")
                )
            note = DONE_NOTES[rng.randrange(len(DONE_NOTES))]
            changes.append((local_at(made + timedelta(days=days), 15, zone), status, note))
        elif status == CommitmentStatus.BROKEN:
            due = min(due, today - timedelta(days=8))
            due = max(due, made)
            days = (due - made).days + rng.randint(3, max(3, (today - due).days - 2))
            note = BROKEN_NOTES[rng.randrange(len(BROKEN_NOTES))]
            changes.append((local_at(made + timedelta(days=days), 11, zone), status, note))
        else:
            days = rng.randint(3, max(3, age - 3))
            note = CANCELLED_NOTES[rng.randrange(len(CANCELLED_NOTES))]
            changes.append((local_at(made + timedelta(days=days), 11, zone), status, note))
        closed_at = changes[-1][0]
    reminder = escalation = None
    if due is not None:
        remind = max(
            local_at(due - timedelta(days=reminder_days), 6, zone), made_at + timedelta(hours=1)
        )
        if remind <= now and (closed_at is None or remind < closed_at):
            reminder = remind
        escalate = local_at(due + timedelta(days=1), 6, zone)
        if escalate <= now and (closed_at is None or escalate < closed_at):
            escalation = escalate
    scheduled = [
        (reminder, CommitmentEventKind.REMINDER),
        (escalation, CommitmentEventKind.ESCALATION),
    ]
    for when, kind in scheduled:
        if when is not None:
            recipients = 1 if kind == CommitmentEventKind.REMINDER else 3
            line.add(
                when,
                kind,
                changes={"due_date": due.isoformat() if due else None, "recipients": recipients},
            )
    for when, to, note in changes:
        line.add(when, CommitmentEventKind.STATUS, from_status=current, to_status=to, note=note)
        current = to
    line.events.sort(key=lambda e: e[0])
    # Nothing happens in the future: the last events of today are squeezed before ``now``.
    count = len(line.events)
    line.events = [
        (min(e[0], now - timedelta(minutes=5 * (count - n))), e[1], e[2], e[3], e[4], e[5])
        for n, e in enumerate(line.events)
    ]
    status_events = [e for e in line.events if e[1] == CommitmentEventKind.STATUS]
    changed = status_events[-1][0] if status_events else None
    return due, line, changed
