"""Writes about who took part in an activity and what they raised: named participants,
anonymous attendance counts and issues (re-exported by ``activity_services``).

Each function checks that what it links belongs to the activity's mission, calls
``full_clean()`` and writes an ``engagement.activity.*`` audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palava.actors.models import Actor
from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.engagement.models import (
    Activity,
    ActivityIssue,
    AgeBand,
    AttendanceCount,
    CountSex,
    Participant,
    ParticipantGroup,
    ParticipantRole,
)
from palava.feedback.models import Category, Message

MAX_CELL_COUNT = 100_000
MAX_ISSUE_SUMMARY = 2_000
MAX_ISSUE_MESSAGES = 20


# --- Participants ----------------------------------------------------------------------------


@transaction.atomic
def participant_add(
    *,
    actor: Any,
    activity: Activity,
    actor_record: Actor,
    role: str = ParticipantRole.PARTICIPANT,
    note: str = "",
) -> Participant:
    """Link a named actor of the mission to the activity (once per actor)."""
    if actor_record.mission_id != activity.mission_id:
        raise ValidationError({"actor": _("This actor belongs to another mission.")})
    if not actor_record.is_active:
        raise ValidationError({"actor": _("This actor is no longer active.")})
    if Participant.objects.filter(activity=activity, actor=actor_record).exists():
        raise ValidationError({"actor": _("This actor is already a participant.")})
    user = acting_user(actor)
    obj = Participant(
        activity=activity,
        actor=actor_record,
        role=role,
        note=note.strip(),
        created_by=user,
        updated_by=user,
    )
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="engagement.activity.participant.add",
        mission=activity.mission,
        obj=obj,
        changes={
            "activity": str(activity.public_id),
            "actor": str(actor_record.public_id),
            "role": role,
        },
    )
    return obj


@transaction.atomic
def participant_remove(*, actor: Any, participant: Participant) -> None:
    activity = participant.activity
    audit_record(
        actor=actor,
        action="engagement.activity.participant.remove",
        mission=activity.mission,
        obj=participant,
        changes={
            "activity": str(activity.public_id),
            "actor": str(participant.actor.public_id),
        },
    )
    participant.delete()


# --- Attendance ------------------------------------------------------------------------------


def clean_counts(counts: Mapping[Any, Any]) -> dict[tuple[str, str, str], int]:
    """Validated cells: known sex, age band and group; whole numbers 0..100,000."""
    out: dict[tuple[str, str, str], int] = {}
    for key, value in counts.items():
        if not isinstance(key, tuple) or len(key) != 3:
            raise ValidationError({"counts": _("Each cell is a sex, an age band and a group.")})
        sex, band, group = (str(part) for part in key)
        if (
            sex not in CountSex.values
            or band not in AgeBand.values
            or group not in ParticipantGroup.values
        ):
            raise ValidationError({"counts": _("Unknown sex, age band or group.")})
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"counts": _("Counts are whole numbers.")})
        if value < 0 or value > MAX_CELL_COUNT:
            raise ValidationError({"counts": _("Counts are between 0 and 100,000.")})
        if value:
            out[(sex, band, group)] = out.get((sex, band, group), 0) + value
    return out


@transaction.atomic
def attendance_set(
    *, actor: Any, activity: Activity, counts: Mapping[tuple[str, str, str], int]
) -> None:
    """Replace the activity's attendance cells; zero cells are not stored."""
    cells = clean_counts(counts)
    AttendanceCount.objects.filter(activity=activity).delete()
    rows = [
        AttendanceCount(activity=activity, sex=sex, age_band=band, group=group, count=n)
        for (sex, band, group), n in sorted(cells.items())
    ]
    for row in rows:
        row.full_clean(exclude=["activity"])
    AttendanceCount.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="engagement.activity.attendance.set",
        mission=activity.mission,
        obj=activity,
        changes={"cells": len(rows), "total": sum(cells.values())},
    )


# --- Issues ----------------------------------------------------------------------------------


@transaction.atomic
def issue_add(
    *,
    actor: Any,
    activity: Activity,
    summary: str,
    category: Category | None = None,
    messages: Sequence[Message] | Iterable[Message] = (),
) -> ActivityIssue:
    """Record an issue the community raised, classed and linked to feedback messages."""
    summary = summary.strip()
    messages = list(messages)
    errors: dict[str, str] = {}
    if not summary:
        errors["summary"] = _("Say what the issue is.")
    elif len(summary) > MAX_ISSUE_SUMMARY:
        errors["summary"] = _("At most 2,000 characters.")
    if category is not None and category.mission_id != activity.mission_id:
        errors["category"] = _("This category belongs to another mission.")
    if any(m.mission_id != activity.mission_id for m in messages):
        errors["messages"] = _("A message belongs to another mission.")
    elif len(messages) > MAX_ISSUE_MESSAGES:
        errors["messages"] = _("Link at most 20 messages.")
    if errors:
        raise ValidationError(errors)
    user = acting_user(actor)
    obj = ActivityIssue(
        activity=activity, category=category, summary=summary, created_by=user, updated_by=user
    )
    obj.full_clean()
    obj.save()
    if messages:
        obj.messages.set(messages)
    audit_record(
        actor=actor,
        action="engagement.activity.issue.add",
        mission=activity.mission,
        obj=obj,
        changes={
            "activity": str(activity.public_id),
            "category": category.code if category is not None else None,
            "summary": summary,
            "messages": ",".join(sorted(str(m.public_id) for m in messages)),
        },
    )
    return obj


@transaction.atomic
def issue_remove(*, actor: Any, issue: ActivityIssue) -> None:
    activity = issue.activity
    audit_record(
        actor=actor,
        action="engagement.activity.issue.remove",
        mission=activity.mission,
        obj=issue,
        changes={"activity": str(activity.public_id)},
    )
    issue.delete()
