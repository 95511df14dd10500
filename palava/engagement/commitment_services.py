"""Writes about the commitments ledger: record, edit, move through the statuses, add evidence,
record the community's verification.

Every write locks the commitment row, appends a :class:`CommitmentEvent` (the history shown on
the page, old and new values of internal fields only) and an audit row in the same transaction.
Audit rows carry field names, statuses and ids, never the parties' names, what was promised or
how the community was asked.

The numbers (``C-0042``) are a per-mission sequence: the mission row is locked while the next
number is taken (PostgreSQL), SQLite serialises writers, and a collision on the unique
constraint is retried.

``membership``, when given (pages and the API pass it), adds the reader's checks: the place
must lie in the member's area and the sensitivity within their clearance, so nobody records
what they could not read back; an activity linked as evidence must be one they may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.actors.models import Actor
from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.engagement.models import (
    Activity,
    Commitment,
    CommitmentEventKind,
    CommitmentStatus,
    default_commitment_sensitivity,
)
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

from .commitment_common import MAX_NOTE, clean_text, event_add, locked

S = CommitmentStatus

# Allowed moves. Reopening a closed commitment (done, broken, cancelled) goes back to
# "in progress" and needs a note, as do "broken" and "cancelled".
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.IN_PROGRESS, S.DONE, S.BROKEN, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.BROKEN, S.CANCELLED, S.PENDING}),
    S.DONE: frozenset({S.IN_PROGRESS}),
    S.BROKEN: frozenset({S.IN_PROGRESS}),
    S.CANCELLED: frozenset({S.IN_PROGRESS}),
}
NOTE_REQUIRED_TO = frozenset({S.BROKEN, S.CANCELLED})
CLOSED = frozenset({S.DONE, S.BROKEN, S.CANCELLED})

EDITABLE = (
    "made_by_kind",
    "made_by_name",
    "made_by_actor",
    "made_to_kind",
    "made_to_name",
    "made_to_actor",
    "description",
    "admin_unit",
    "activity",
    "made_on",
    "due_date",
    "owner",
    "sensitivity",
)


def transitions_from(status: str) -> list[str]:
    """The statuses a commitment in ``status`` may move to, in the ledger's order."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [s for s in S.values if s in allowed]


def note_required(from_status: str, to_status: str) -> bool:
    return to_status in NOTE_REQUIRED_TO or from_status in CLOSED


def _plain(value: Any) -> Any:
    """A JSON-friendly value for the history: P-codes, public ids, user names, ISO dates."""
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, AdminUnit):
        return value.pcode
    if isinstance(value, Actor | Activity):
        return str(value.public_id)
    if hasattr(value, "get_username"):
        return str(value.get_username())
    return str(value)


# Free text that may name people: the audit row says it changed, not what it says now.
AUDIT_TEXT = frozenset({"made_by_name", "made_to_name", "description"})


def audit_value(name: str, value: Any) -> Any:
    """A value for the audit row: ids, codes and dates; free text only as "changed"."""
    return "changed" if name in AUDIT_TEXT else _plain(value)


def _check_links(mission: Mission, obj: Commitment) -> None:
    """Actors, activity, place and owner must belong to the commitment's mission."""
    errors: dict[str, str] = {}
    if obj.admin_unit_id is not None and obj.admin_unit.mission_id != mission.pk:
        errors["admin_unit"] = _("Choose a place of this mission.")
    for name in ("made_by_actor", "made_to_actor"):
        found = getattr(obj, name)
        if found is not None and found.mission_id != mission.pk:
            errors[name] = _("Choose an actor of this mission.")
    if obj.activity is not None and obj.activity.mission_id != mission.pk:
        errors["activity"] = _("Choose an activity of this mission.")
    if obj.due_date is not None and obj.made_on is not None and obj.due_date < obj.made_on:
        errors["due_date"] = _("The due date cannot be before the day of the promise.")
    if obj.owner is not None and not owner_allowed(mission, obj.owner):
        errors["owner"] = _("Choose a staff member of this mission.")
    if errors:
        raise ValidationError(errors)


def owner_allowed(mission: Mission, user: Any) -> bool:
    """Follow-up is by an active staff member of the mission (a role that reads the ledger)."""
    membership = Membership.objects.filter(
        mission=mission, user=user, is_active=True, user__is_active=True
    ).first()
    return membership is not None and role_has(membership.role, Perm.COMMITMENT_VIEW)


def _check_reader(membership: Membership | None, obj: Commitment) -> None:
    """A member records only what they can read back (place in area, within clearance)."""
    if membership is None:
        return
    errors: dict[str, str] = {}
    if not scope_for(membership).contains(obj.admin_unit):
        errors["admin_unit"] = _("Choose a place inside your area.")
    if obj.sensitivity > int(clearance_for(membership.role)):
        errors["sensitivity"] = _("This is above your clearance: you could not read it back.")
    if errors:
        raise ValidationError(errors)


def _next_number(mission: Mission) -> int:
    last = Commitment.objects.filter(mission=mission).aggregate(n=Max("number"))["n"]
    return int(last or 0) + 1


@transaction.atomic
def commitment_create(
    *,
    actor: Any,
    mission: Mission,
    made_by_kind: str,
    made_by_name: str,
    made_to_kind: str,
    made_to_name: str,
    description: str,
    admin_unit: AdminUnit,
    made_on: dt.date,
    due_date: dt.date | None = None,
    made_by_actor: Actor | None = None,
    made_to_actor: Actor | None = None,
    activity: Activity | None = None,
    owner: Any = None,
    sensitivity: int | None = None,
    membership: Membership | None = None,
) -> Commitment:
    """Record a commitment (status pending) with the mission's next number; event CREATED.

    ``sensitivity`` defaults to :func:`default_commitment_sensitivity` of the promising party
    (armed-group representatives: confidential).
    """
    Mission.objects.select_for_update().filter(pk=mission.pk).first()  # serialise numbering
    obj = Commitment(
        mission=mission,
        made_by_kind=made_by_kind,
        made_by_name=clean_text(made_by_name, "made_by_name", required=True, limit=200),
        made_by_actor=made_by_actor,
        made_to_kind=made_to_kind,
        made_to_name=clean_text(made_to_name, "made_to_name", required=True, limit=200),
        made_to_actor=made_to_actor,
        description=clean_text(description, "description", required=True),
        admin_unit=admin_unit,
        activity=activity,
        made_on=made_on,
        due_date=due_date,
        owner=owner,
        sensitivity=(
            default_commitment_sensitivity(made_by_kind) if sensitivity is None else sensitivity
        ),
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    _check_links(mission, obj)
    _check_reader(membership, obj)
    for _attempt in range(3):
        obj.number = _next_number(mission)
        obj.full_clean()
        try:
            with transaction.atomic():
                obj.save()
            break
        except IntegrityError:  # numbered at the same time by another writer: take the next
            obj.pk = None
    else:  # pragma: no cover - three collisions in a row
        raise ValidationError(_("Please try again."))
    event_add(obj, CommitmentEventKind.CREATED, actor=actor, to_status=obj.status)
    audit_record(
        actor=actor,
        action="engagement.commitment.create",
        mission=mission,
        obj=obj,
        changes={
            "number": obj.number,
            "made_by_kind": obj.made_by_kind,
            "made_to_kind": obj.made_to_kind,
            "admin_unit": obj.admin_unit.pcode,
            "status": obj.status,
            "sensitivity": obj.sensitivity,
        },
    )
    return obj


@transaction.atomic
def commitment_update(
    *,
    actor: Any,
    commitment: Commitment,
    membership: Membership | None = None,
    **fields: Any,
) -> Commitment:
    """Change the editable fields given (see ``EDITABLE``); an EDITED event lists old and new
    values. A new due date clears ``reminder_sent_at`` and ``escalated_at`` (re-arms both)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    obj = locked(commitment)
    for name in ("made_by_name", "made_to_name"):
        if name in fields:
            fields[name] = clean_text(fields[name], name, required=True, limit=200)
    if "description" in fields:
        fields["description"] = clean_text(fields["description"], "description", required=True)
    changed: dict[str, list[Any]] = {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(obj, name, value)
    if not changed:
        return obj
    if "due_date" in changed:
        obj.reminder_sent_at = None
        obj.escalated_at = None
    obj.updated_by = acting_user(actor)
    _check_links(obj.mission, obj)
    _check_reader(membership, obj)
    obj.full_clean()
    obj.save()
    event_add(obj, CommitmentEventKind.EDITED, actor=actor, changes=changed)
    audit_record(
        actor=actor,
        action="engagement.commitment.update",
        mission=obj.mission,
        obj=obj,
        changes={name: audit_value(name, getattr(obj, name)) for name in sorted(changed)},
    )
    return obj


@transaction.atomic
def commitment_set_status(
    *, actor: Any, commitment: Commitment, status: str, note: str = ""
) -> Commitment:
    """Move along ``TRANSITIONS``; broken, cancelled and reopening need a note."""
    obj = locked(commitment)
    old = obj.status
    if status not in S.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status not in TRANSITIONS.get(old, frozenset()):
        raise ValidationError(
            {
                "status": _("A commitment cannot go from “%(old)s” to “%(new)s”.")
                % {"old": S(old).label, "new": S(status).label}
            }
        )
    text = clean_text(note, "note", required=note_required(old, status))
    now = timezone.now()
    obj.status = status
    obj.status_changed_at = now
    obj.status_note = text
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    event_add(
        obj,
        CommitmentEventKind.STATUS,
        actor=actor,
        at=now,
        from_status=old,
        to_status=status,
        note=text,
    )
    audit_record(
        actor=actor,
        action="engagement.commitment.status",
        mission=obj.mission,
        obj=obj,
        changes={"status": status, "status_changed_at": now.isoformat()},
    )
    return obj


# Evidence and verification live in ``commitment_evidence``; callers import them from here.
from .commitment_evidence import commitment_add_evidence, commitment_verify  # noqa: E402

__all__ = [
    "EDITABLE",
    "MAX_NOTE",
    "TRANSITIONS",
    "commitment_add_evidence",
    "commitment_create",
    "commitment_set_status",
    "commitment_update",
    "commitment_verify",
    "note_required",
    "owner_allowed",
    "transitions_from",
]
