"""The moves of a case after it opens (re-exported by ``services``): acknowledge, verify,
respond, resolve, inform, close, and grading, incidents, assignment and notes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback.cases.notify import case_url, notify
from palava.feedback.cases.timeline import (
    STAMP,
    CaseTransitionError,
    case_locked,
    case_save,
    check_move,
    event_new,
    notice_title,
    place_name_of,
)
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseIncident,
    CaseResponse,
    CaseStatus,
    CaseType,
    Credibility,
    NotificationKind,
    ResponseOutcome,
    SourceReliability,
    Team,
)
from palava.missions.models import Membership

S = CaseStatus
NO_RESPONSE_STATUSES = frozenset({S.NEW, S.UNFOUNDED, S.CLOSED})


def _move(
    case: Case,
    to: str,
    *,
    actor: Any,
    at: datetime | None = None,
    note: str = "",
    action: str,
    changes: dict[str, Any] | None = None,
) -> Case:
    """Move ``case`` to ``to``: stamp, stop or re-aim the escalation clock, event, audit."""
    obj = case_locked(case)
    check_move(obj, to)
    at = at or timezone.now()
    from_status = obj.status
    obj.status = to
    setattr(obj, STAMP[to], at)
    if to == S.ACKNOWLEDGED:
        # The acknowledgement breach ends; the response deadline is watched next (a deadline
        # already past escalates at the next run).
        obj.escalation_level = 0
        obj.next_escalation_at = obj.respond_due_at if obj.response_dispatched_at is None else None
    elif to in (S.UNFOUNDED, S.RESPONSE_DISPATCHED, S.RESOLVED, S.CLOSED):
        obj.next_escalation_at = None
    for name, value in (changes or {}).items():
        setattr(obj, name, value)
    case_save(obj, actor)
    event_new(
        obj,
        CaseEventKind.STATUS,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to,
        note=note,
        data={k: str(v) for k, v in (changes or {}).items()},
    ).save()
    audit_record(
        actor=actor,
        action=action,
        mission=obj.mission,
        obj=obj,
        changes={"status": to, STAMP[to]: at.isoformat(), **(changes or {})},
    )
    return obj


def _grades(source_reliability: str, credibility: str) -> dict[str, str]:
    errors = {}
    if source_reliability and source_reliability not in SourceReliability.values:
        errors["source_reliability"] = _("Choose a grade from A to F.")
    if credibility and credibility not in Credibility.values:
        errors["credibility"] = _("Choose a grade from 1 to 6.")
    if errors:
        raise ValidationError(errors)
    grades = {}
    if source_reliability:
        grades["source_reliability"] = source_reliability
    if credibility:
        grades["credibility"] = credibility
    return grades


@transaction.atomic
def case_acknowledge(*, case: Case, actor: Any, note: str = "") -> Case:
    """Someone has seen the case and owns it: stops the acknowledgement escalation."""
    return _move(case, S.ACKNOWLEDGED, actor=actor, note=note, action="case.acknowledge")


@transaction.atomic
def case_verify(
    *,
    case: Case,
    actor: Any,
    verified: bool,
    source_reliability: str = "",
    credibility: str = "",
    note: str = "",
) -> Case:
    """Verified (true enough to act on) or unfounded (which stops every escalation)."""
    grades = _grades(source_reliability, credibility)
    to = S.VERIFIED if verified else S.UNFOUNDED
    return _move(case, to, actor=actor, note=note, action="case.verify", changes=grades)


@transaction.atomic
def case_grade(
    *, case: Case, actor: Any, source_reliability: str, credibility: str, note: str = ""
) -> Case:
    """Grade the source (A-F) and the information (1-6) without changing the status."""
    grades = _grades(source_reliability, credibility)
    obj = case_locked(case)
    if obj.status == S.CLOSED:
        raise CaseTransitionError(_("A closed case cannot be changed."))
    for name, value in grades.items():
        setattr(obj, name, value)
    case_save(obj, actor)
    event_new(
        obj, CaseEventKind.VERIFICATION, actor=actor, at=timezone.now(), note=note, data=grades
    ).save()
    audit_record(actor=actor, action="case.grade", mission=obj.mission, obj=obj, changes=grades)
    return obj


@transaction.atomic
def case_incident_link(
    *,
    case: Case,
    actor: Any,
    source: str,
    description: str,
    reference: str = "",
    occurred_on: date | None = None,
    url: str = "",
) -> CaseIncident:
    """Link an incident (own register, ACLED, a partner's report) that corroborates the case."""
    obj = case_locked(case)
    incident = CaseIncident(
        case=obj,
        source=source.strip(),
        description=description.strip(),
        reference=reference.strip(),
        occurred_on=occurred_on,
        url=url.strip(),
    )
    incident.full_clean()
    incident.save()
    event_new(
        obj,
        CaseEventKind.INCIDENT,
        actor=actor,
        at=timezone.now(),
        data={"incident": str(incident.public_id), "source": incident.source},
    ).save()
    audit_record(
        actor=actor,
        action="case.incident_link",
        mission=obj.mission,
        obj=incident,
        changes={"case": obj.reference, "source": incident.source, "reference": reference},
    )
    return incident


@transaction.atomic
def case_response_record(
    *,
    case: Case,
    actor: Any,
    responder_type: str,
    action: str,
    responded_at: datetime | None = None,
    responder_name: str = "",
    outcome: str = ResponseOutcome.UNKNOWN,
    notes: str = "",
) -> CaseResponse:
    """Record who responded, when, what was done and how it went. The first response of an
    acknowledged or verified case moves it to "response dispatched" at ``responded_at``."""
    obj = case_locked(case)
    now = timezone.now()
    responded_at = responded_at or now
    if obj.status in NO_RESPONSE_STATUSES:
        raise CaseTransitionError(
            _("Acknowledge the case before recording a response.")
            if obj.status == S.NEW
            else _("This case takes no more responses.")
        )
    if responded_at > now:
        raise ValidationError({"responded_at": _("A response cannot be in the future.")})
    if responded_at < obj.opened_at:
        raise ValidationError({"responded_at": _("A response cannot be before the case opened.")})
    response = CaseResponse(
        case=obj,
        responder_type=responder_type,
        responder_name=responder_name.strip(),
        responded_at=responded_at,
        action=action.strip(),
        outcome=outcome,
        notes=notes,
        created_by=acting_user(actor),
    )
    response.full_clean()
    response.save()
    event_new(
        obj,
        CaseEventKind.RESPONSE,
        actor=actor,
        at=responded_at,
        data={
            "response": str(response.public_id),
            "responder_type": responder_type,
            "outcome": outcome,
        },
    ).save()
    audit_record(
        actor=actor,
        action="case.response_record",
        mission=obj.mission,
        obj=response,
        changes={"case": obj.reference, "responder_type": responder_type, "outcome": outcome},
    )
    if obj.status in (S.ACKNOWLEDGED, S.VERIFIED):
        _move(obj, S.RESPONSE_DISPATCHED, actor=actor, at=responded_at, action="case.respond")
    return response


@transaction.atomic
def case_resolve(*, case: Case, actor: Any, note: str = "") -> Case:
    return _move(case, S.RESOLVED, actor=actor, note=note, action="case.resolve")


@transaction.atomic
def case_close(*, case: Case, actor: Any, note: str = "") -> Case:
    """Close a resolved or unfounded case (informed or not: metrics show which)."""
    return _move(case, S.CLOSED, actor=actor, note=note, action="case.close")


@transaction.atomic
def case_reporter_informed(*, case: Case, actor: Any, outbound: Any = None, note: str = "") -> Case:
    """The reporter was told the outcome (a delivered reply, or staff say so). Idempotent.

    Stamps ``reporter_informed_at`` once (any state: a delivered reply is a fact), and moves a
    resolved or unfounded case to "reporter informed".
    """
    obj = case_locked(case)
    at = timezone.now()
    if outbound is not None:
        at = getattr(outbound, "delivered_at", None) or at
    data = {"outbound": str(outbound.public_id)} if outbound is not None else {}
    if obj.status in (S.RESOLVED, S.UNFOUNDED):
        return _move(
            obj,
            S.REPORTER_INFORMED,
            actor=actor,
            at=at,
            note=note,
            action="case.reporter_informed",
            changes={"reporter_informed_at": at},
        )
    if obj.reporter_informed_at is not None:
        return obj
    obj.reporter_informed_at = at
    case_save(obj, actor)
    event_new(
        obj, CaseEventKind.REPLY, actor=actor, at=at, note=note, data={"informed": True, **data}
    ).save()
    audit_record(
        actor=actor,
        action="case.reporter_informed",
        mission=obj.mission,
        obj=obj,
        changes={"reporter_informed_at": at.isoformat()},
    )
    return obj


def _is_member(mission_id: int, user: Any) -> bool:
    return Membership.objects.filter(mission_id=mission_id, user=user, is_active=True).exists()


@transaction.atomic
def case_assign(*, case: Case, actor: Any, team: Team | None = None, assignee: Any = None) -> Case:
    """Give the case to a team and an officer (the team's duty officer when none is named)
    and notify the new assignee."""
    obj = case_locked(case)
    if obj.status == S.CLOSED:
        raise CaseTransitionError(_("A closed case cannot be changed."))
    if team is not None and team.mission_id != obj.mission_id:
        raise ValidationError({"team": _("This team belongs to another mission.")})
    if assignee is None and team is not None:
        assignee = team.duty_officer
    if assignee is not None and not _is_member(obj.mission_id, assignee):
        raise ValidationError({"assignee": _("Choose a member of the mission.")})
    if obj.team_id == (team.pk if team else None) and obj.assignee_id == (
        assignee.pk if assignee else None
    ):
        return obj
    changed_person = obj.assignee_id != (assignee.pk if assignee else None)
    obj.team, obj.assignee = team, assignee
    case_save(obj, actor)
    now = timezone.now()
    changes = {"team": team.name if team else "", "assignee": assignee.pk if assignee else None}
    event_new(obj, CaseEventKind.ASSIGNED, actor=actor, at=now, data=changes).save()
    audit_record(actor=actor, action="case.assign", mission=obj.mission, obj=obj, changes=changes)
    if changed_person and assignee is not None and assignee.pk != getattr(actor, "pk", None):
        notify(
            mission=obj.mission,
            recipients=[assignee],
            kind=NotificationKind.ASSIGNED,
            title=notice_title(obj, NotificationKind.ASSIGNED, place_name=place_name_of(obj)),
            case=obj,
            dedupe_key=f"assign:{obj.public_id}:{now.isoformat()}",
            url=case_url(obj),
            email=obj.case_type == CaseType.ALERT,
        )
    return obj


@transaction.atomic
def case_comment(*, case: Case, actor: Any, note: str) -> CaseEvent:
    """A note on the timeline."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write a note.")})
    obj = case_locked(case)
    event = event_new(obj, CaseEventKind.COMMENT, actor=actor, at=timezone.now(), note=note)
    event.full_clean()
    event.save()
    audit_record(actor=actor, action="case.comment", mission=obj.mission, obj=obj)
    return event
