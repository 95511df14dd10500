"""Opening cases and joining messages to them (re-exported by ``services``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback.cases.notify import case_url, notify
from palava.feedback.cases.routing import new_case_recipients, route
from palava.feedback.cases.sla import sla_for
from palava.feedback.cases.timeline import (
    CaseTransitionError,
    case_locked,
    case_save,
    case_title_for,
    case_type_of,
    event_new,
    more_urgent,
    notice_title,
    numbers_reserve,
    place_name_of,
)
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseMessage,
    CaseMessageRole,
    CaseStatus,
    CaseType,
    Category,
    Message,
    NotificationKind,
    Team,
)
from palava.feedback.services import category_is_restricted
from palava.places.models import AdminUnit, Site

S = CaseStatus


# --- Opening ---------------------------------------------------------------------------------


def _check_messages(case_mission_id: int, messages: Sequence[Message], case: Case | None) -> None:
    for message in messages:
        if message.mission_id != case_mission_id:
            raise ValidationError({"messages": _("This message belongs to another mission.")})
    taken = CaseMessage.objects.filter(message__in=[m.pk for m in messages])
    if case is not None:
        taken = taken.exclude(case=case)
    if taken.exists():
        raise ValidationError({"messages": _("This message is already part of another case.")})


def new_case_notify(case: Case, *, team: Team | None, assignee: Any) -> None:
    """Tell the assignee (else the team, else the managers in scope) of a new case."""
    recipients = new_case_recipients(case, team, assignee)
    notify(
        mission=case.mission,
        recipients=recipients,
        kind=NotificationKind.NEW_CASE,
        title=notice_title(case, NotificationKind.NEW_CASE, place_name=place_name_of(case)),
        case=case,
        dedupe_key=f"new:{case.public_id}",
        url=case_url(case),
        email=case.case_type == CaseType.ALERT,
    )


@transaction.atomic
def case_open(
    *,
    mission: Any,
    actor: Any,
    case_type: str,
    title: str,
    messages: Iterable[Message] = (),
    urgency: str = "",
    category: Category | None = None,
    admin_unit: AdminUnit | None = None,
    site: Site | None = None,
    summary: str = "",
    opened_at: datetime | None = None,
) -> Case:
    """Open a case (by hand), route it, start its SLA clock and notify whoever it goes to.

    The reporter, reply channel, language, cluster and protection flag come from the first
    message; a restricted message makes the case restricted.
    """
    messages = list(messages)
    now = timezone.now()
    opened_at = opened_at or now
    if opened_at > now:
        raise ValidationError({"opened_at": _("A case cannot be opened in the future.")})
    if case_type not in CaseType.values:
        raise ValidationError({"case_type": _("Unknown case type.")})
    for name, value in (("category", category), ("admin_unit", admin_unit), ("site", site)):
        if value is not None and value.mission_id != mission.pk:
            raise ValidationError({name: _("This belongs to another mission.")})
    _check_messages(mission.pk, messages, None)
    if site is not None and admin_unit is None:
        admin_unit = site.admin_unit
    first = messages[0] if messages else None
    ack, respond, repeat = sla_for(mission, case_type, urgency)
    user = acting_user(actor)
    case = Case(
        mission=mission,
        number=numbers_reserve(mission.pk, 1)[0],
        case_type=case_type,
        title=" ".join(str(title).split())[:200],
        summary=summary,
        urgency=urgency,
        category=category,
        admin_unit=admin_unit,
        site=site,
        is_restricted=any(m.is_restricted for m in messages) or category_is_restricted(category),
        reporter_id=first.reporter_id if first else None,
        reply_channel_id=first.channel_id if first else None,
        language=first.language if first else "",
        cluster_id=first.cluster_id if first else None,
        opened_at=opened_at,
        acknowledge_due_at=opened_at + timedelta(minutes=ack),
        respond_due_at=opened_at + timedelta(minutes=respond),
        escalation_repeat_minutes=repeat,
        next_escalation_at=opened_at + timedelta(minutes=ack),
        created_by=user,
        updated_by=user,
    )
    case.full_clean()
    team, assignee = route(case)
    case.team, case.assignee = team, assignee
    case.save()
    events = [event_new(case, CaseEventKind.CREATED, actor=actor, at=opened_at, to_status=S.NEW)]
    if team is not None or assignee is not None:
        events.append(
            event_new(
                case,
                CaseEventKind.ASSIGNED,
                actor=actor,
                at=opened_at,
                data={
                    "team": team.name if team else "",
                    "assignee": assignee.pk if assignee else None,
                    "by": "rule",
                },
            )
        )
    links = [
        CaseMessage(case=case, message=m, role=CaseMessageRole.REPORT, added_at=now, added_by=user)
        for m in messages
    ]
    CaseMessage.objects.bulk_create(links)
    events += [
        event_new(
            case,
            CaseEventKind.MESSAGE,
            actor=actor,
            at=now,
            data={"message": str(m.public_id), "role": CaseMessageRole.REPORT},
        )
        for m in messages
    ]
    CaseEvent.objects.bulk_create(events)
    audit_record(
        actor=actor,
        action="case.open",
        mission=mission,
        obj=case,
        changes={
            "case_type": case_type,
            "urgency": urgency,
            "team": team.name if team else "",
            "messages": len(messages),
        },
    )
    new_case_notify(case, team=team, assignee=assignee)
    return case


@transaction.atomic
def case_open_from_message(*, message: Message, actor: Any, case_type: str | None = None) -> Case:
    """Open a case by hand from one message (its labels become the case's); the message joins."""
    message = (
        Message.objects.select_related(
            "mission", "category", "category__parent", "admin_unit", "site"
        )
        .defer("sender_phone", "sender_name")
        .get(pk=message.pk)
    )
    existing = CaseMessage.objects.filter(message=message).select_related("case").first()
    if existing is not None:
        raise ValidationError(
            _("This message is already part of case %(reference)s.")
            % {"reference": existing.case.reference}
        )
    chosen = case_type or case_type_of(message.category)
    place = (
        message.site.name if message.site else message.admin_unit.name if message.admin_unit else ""
    )
    return case_open(
        mission=message.mission,
        actor=actor,
        case_type=chosen,
        title=case_title_for(message.category, place, chosen),
        messages=[message],
        urgency=message.urgency,
        category=message.category,
        admin_unit=message.admin_unit,
        site=message.site,
    )


@transaction.atomic
def case_attach_messages(
    *,
    case: Case,
    messages: Iterable[Message],
    actor: Any,
    role: str = CaseMessageRole.REPORT,
) -> Case:
    """Join messages to the case (a cluster's reports, corroboration). A message already in
    this case is skipped; one in another case is refused. A more urgent message raises the
    case's urgency; a restricted one makes the case restricted."""
    if role not in CaseMessageRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    obj = case_locked(case)
    if obj.status == S.CLOSED:
        raise CaseTransitionError(_("A closed case takes no more messages."))
    messages = list(messages)
    _check_messages(obj.mission_id, messages, obj)
    already = set(CaseMessage.objects.filter(case=obj).values_list("message_id", flat=True))
    fresh = [m for m in messages if m.pk not in already]
    if not fresh:
        return obj
    now = timezone.now()
    user = acting_user(actor)
    CaseMessage.objects.bulk_create(
        [CaseMessage(case=obj, message=m, role=role, added_at=now, added_by=user) for m in fresh]
    )
    CaseEvent.objects.bulk_create(
        [
            event_new(
                obj,
                CaseEventKind.MESSAGE,
                actor=actor,
                at=now,
                data={"message": str(m.public_id), "role": role},
            )
            for m in fresh
        ]
    )
    changes: dict[str, Any] = {"messages": len(fresh), "role": role}
    for m in fresh:
        if more_urgent(m.urgency, obj.urgency):
            obj.urgency = changes["urgency"] = m.urgency
        if m.is_restricted and not obj.is_restricted:
            obj.is_restricted = changes["is_restricted"] = True
    if obj.reporter_id is None and fresh[0].reporter_id is not None:
        obj.reporter_id, obj.reply_channel_id = fresh[0].reporter_id, fresh[0].channel_id
    case_save(obj, actor)
    audit_record(actor=actor, action="case.attach", mission=obj.mission, obj=obj, changes=changes)
    return obj
