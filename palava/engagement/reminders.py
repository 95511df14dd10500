"""Reminders before a commitment is due and escalation once it is overdue (run by the scheduler).

Dates are judged in the mission's time zone (``Mission.time_zone``): "today" is the mission's
local date at the time of the run.

* **Reminder**: an open commitment (pending, in progress) whose due date lies between today and
  today + ``EngagementSettings.reminder_days`` (inclusive), not yet reminded. Told: the person
  who follows it up (``owner``), else whoever recorded it.
* **Escalation**: an open commitment whose due date is before today, not yet escalated. Told:
  the owner and the mission's managers and administrators whose area covers the place.

Each fires once per due date. A run claims a commitment with a conditional update
(``UPDATE ... SET reminder_sent_at = now WHERE id = .. AND reminder_sent_at IS NULL``): the
database lets one update match, so only the run that claimed it writes the history event, the
audit row and the notices (whose ``dedupe_key`` names the commitment and the due date, so a
retried run notifies nobody twice). Changing the due date clears both stamps (re-arms).

Notices leave the server by e-mail and SMS: their titles carry only the reference, the place
and the due date, never the parties' names or what was promised.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.engagement.models import (
    OPEN_STATUSES,
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
)
from palava.engagement.selectors import engagement_settings_get, zone_of
from palava.feedback.cases.notify import Notice, notify_many
from palava.feedback.cases.routing import managers_in_scope
from palava.feedback.models import NotificationKind
from palava.missions.models import Membership, Mission

logger = logging.getLogger(__name__)

SCHEDULER_ACTOR = "system:scheduler"
BATCH = 200
MAX_BATCHES = 50  # at most 10,000 notices of each kind per mission and run


def commitment_url(commitment: Commitment) -> str:
    """The commitment page's path (``commitments:detail``), built without the URLconf."""
    return f"/m/{commitment.mission.slug}/commitments/{commitment.public_id}/"


def mission_today(mission: Mission, now: dt.datetime) -> dt.date:
    """The mission's date at ``now`` (reminders count days in the mission's time zone)."""
    return timezone.localtime(now, zone_of(mission)).date()


def _members_only(mission: Mission, people: list[Any]) -> list[Any]:
    """Keep active users who are still active members of the mission (no notice leaves it)."""
    ids = {p.pk for p in people if p is not None and p.is_active}
    allowed = set(
        Membership.objects.filter(mission=mission, is_active=True, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    seen: set[int] = set()
    found = []
    for person in people:
        if person is not None and person.pk in allowed and person.pk not in seen:
            seen.add(person.pk)
            found.append(person)
    return found


def _title(commitment: Commitment, kind: str) -> str:
    values = {
        "ref": commitment.reference,
        "place": commitment.admin_unit.name,
        "date": commitment.due_date.isoformat() if commitment.due_date else "",
    }
    if kind == NotificationKind.COMMITMENT_DUE:
        return _("Commitment %(ref)s (%(place)s) is due on %(date)s") % values
    return _("Commitment %(ref)s (%(place)s) is overdue since %(date)s") % values


def commitment_fire(commitment: Commitment, *, kind: str, now: dt.datetime) -> bool:
    """Claim one reminder or escalation and, if this run claimed it, record and notify."""
    reminder = kind == NotificationKind.COMMITMENT_DUE
    stamp = "reminder_sent_at" if reminder else "escalated_at"
    claimed = Commitment.objects.filter(
        pk=commitment.pk,
        status__in=OPEN_STATUSES,
        due_date=commitment.due_date,
        **{f"{stamp}__isnull": True},
    ).update(**{stamp: now})
    if not claimed:
        return False  # another run took it, or the commitment changed meanwhile
    setattr(commitment, stamp, now)
    if reminder:
        people = [commitment.owner or commitment.created_by]
    else:
        people = [
            commitment.owner,
            *managers_in_scope(commitment.mission_id, commitment.admin_unit.path),
        ]
    people = _members_only(commitment.mission, people)
    event_kind = CommitmentEventKind.REMINDER if reminder else CommitmentEventKind.ESCALATION
    CommitmentEvent.objects.create(
        commitment=commitment,
        kind=event_kind,
        at=now,
        by=None,
        changes={
            "due_date": commitment.due_date.isoformat() if commitment.due_date else None,
            "recipients": len(people),
        },
    )
    audit_record(
        actor=SCHEDULER_ACTOR,
        action=f"engagement.commitment.{'remind' if reminder else 'escalate'}",
        mission=commitment.mission,
        obj=commitment,
        changes={stamp: now.isoformat()},
    )
    if not people:
        logger.warning("commitment %s: %s with nobody to notify", commitment.pk, event_kind)
        return True
    due = commitment.due_date.isoformat() if commitment.due_date else ""
    notify_many(
        [
            Notice(
                mission_id=commitment.mission_id,
                recipients=people,
                kind=kind,
                title=_title(commitment, kind),
                dedupe_key=(
                    f"commitment:{commitment.public_id}:"
                    f"{'reminder' if reminder else 'overdue'}:{due}"
                ),
                case=None,
                url=commitment_url(commitment),
                email=True,
            )
        ]
    )
    return True


def _candidates(mission: Mission, *, reminder: bool, today: dt.date) -> list[int]:
    rows = Commitment.objects.filter(
        mission=mission, status__in=OPEN_STATUSES, due_date__isnull=False
    )
    if reminder:
        days = engagement_settings_get(mission).reminder_days
        rows = rows.filter(
            reminder_sent_at__isnull=True,
            due_date__gte=today,
            due_date__lte=today + dt.timedelta(days=days),
        )
    else:
        rows = rows.filter(escalated_at__isnull=True, due_date__lt=today)
    return list(rows.order_by("due_date", "id").values_list("pk", flat=True)[:BATCH])


def commitments_remind_and_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass over every mission with open commitments; returns how many fired of each."""
    now = now or timezone.now()
    fired = {"reminded": 0, "escalated": 0}
    mission_ids = (
        Commitment.objects.filter(status__in=OPEN_STATUSES, due_date__isnull=False)
        .order_by()  # the model's ordering would make DISTINCT one row per commitment
        .values_list("mission_id", flat=True)
        .distinct()
    )
    for mission in Mission.objects.filter(pk__in=list(mission_ids)).order_by("pk"):
        today = mission_today(mission, now)
        for reminder, key, kind in (
            (True, "reminded", NotificationKind.COMMITMENT_DUE),
            (False, "escalated", NotificationKind.COMMITMENT_OVERDUE),
        ):
            # Batches until none is left (a backlog drains in one run, not one batch per
            # quarter hour); a candidate that does not fire is claimed or closed, so it is
            # not offered again, and MAX_BATCHES bounds the run whatever happens.
            for _round in range(MAX_BATCHES):
                batch = _candidates(mission, reminder=reminder, today=today)
                for pk in batch:
                    with transaction.atomic():
                        found = (
                            Commitment.objects.select_related(
                                "mission", "admin_unit", "owner", "created_by"
                            )
                            .filter(pk=pk)
                            .first()
                        )
                        if found is not None and commitment_fire(found, kind=kind, now=now):
                            fired[key] += 1
                if len(batch) < BATCH:
                    break
    return fired
