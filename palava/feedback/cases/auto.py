"""Opening cases automatically from freshly triaged messages (called inside triage's
transaction, after the labels are written; see ``palava.feedback.triage.triage_batch``).

Rules: an alert (security threat, violence, tension or dispute, or their sub-categories) or an
urgent or life-threatening message of any category opens a case; a message whose cluster
already has an open case joins that case instead (and raises its urgency if it is more urgent;
a restricted message makes it restricted), so near-duplicate reports of one event make one
case. Spam and opt-out / opt-in keyword messages never open or join a case; a message already in
a case is left alone.

The case copies the message's category, urgency, place, protection flag, reporter, channel
(for the reply), language and cluster; its title is the category and the place, never the
message's words. It is routed, its SLA clock started, and its new-case notice written, all in
the caller's transaction. A batch of several hundred messages costs a fixed number of queries
plus a few per case opened (audit row, notice); rows are written with ``bulk_create``, and the
case rows skip ``full_clean`` (every value comes from rows just validated by triage).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from palava.audit.services import AuditEntry, audit_record_many
from palava.feedback.cases.notify import Notice, case_url, notify_many
from palava.feedback.cases.routing import (
    CaseFacts,
    managers_in_scope,
    route_with,
    rules_for,
    team_people,
)
from palava.feedback.cases.sla import sla_pick, sla_table
from palava.feedback.cases.timeline import (
    URGENT_LEVELS,
    case_title_for,
    case_type_for,
    event_new,
    more_urgent,
    notice_title,
    numbers_reserve,
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
    MessageStatus,
    NotificationKind,
)
from palava.missions.models import Mission
from palava.places.models import AdminUnit, Site

AUTO_ACTOR = "system:triage"


def _keyword_test() -> Callable[[str], Any] | None:
    try:
        from palava.feedback.outbound.optout import keyword_of
    except ImportError:  # opt-out keywords not installed: nothing to skip
        return None
    return keyword_of


def _eligible(messages: Sequence[Message]) -> list[Message]:
    found = [m for m in messages if m.status != MessageStatus.SPAM]
    keyword_of = _keyword_test()
    if keyword_of is not None:
        found = [m for m in found if not keyword_of(m.body or "")]
    if not found:
        return []
    taken = set(
        CaseMessage.objects.filter(message_id__in=[m.pk for m in found]).values_list(
            "message_id", flat=True
        )
    )
    return sorted((m for m in found if m.pk not in taken), key=lambda m: m.pk)


def _open_cases_by_cluster(cluster_ids: set[int]) -> dict[int, Case]:
    if not cluster_ids:
        return {}
    rows = (
        Case.objects.filter(cluster_id__in=cluster_ids)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("opened_at", "id")
    )
    if connection.features.has_select_for_update:
        rows = rows.select_for_update(of=("self",))
    found: dict[int, Case] = {}
    for case in rows:
        if case.cluster_id is not None:
            found.setdefault(case.cluster_id, case)
    return found


class _Batch:
    """Lookups shared by the whole batch (one query each)."""

    def __init__(self, messages: Sequence[Message]) -> None:
        self.categories = {
            c.pk: c
            for c in Category.objects.filter(
                pk__in={m.category_id for m in messages if m.category_id}
            ).select_related("parent")
        }
        self.units = {
            u["id"]: u
            for u in AdminUnit.objects.filter(
                pk__in={m.admin_unit_id for m in messages if m.admin_unit_id}
            ).values("id", "name", "path")
        }
        self.sites = dict(
            Site.objects.filter(pk__in={m.site_id for m in messages if m.site_id}).values_list(
                "id", "name"
            )
        )
        self.managers: dict[tuple[int, str], list[Any]] = {}

    def case_type(self, message: Message) -> str:
        category = self.categories.get(message.category_id) if message.category_id else None
        if category is None:
            return CaseType.FEEDBACK
        parent = category.parent.code if category.parent is not None else ""
        return case_type_for(category.code, parent)

    def path(self, message: Message) -> str:
        unit = self.units.get(message.admin_unit_id) if message.admin_unit_id else None
        return str(unit["path"]) if unit else ""

    def place(self, message: Message) -> str:
        if message.site_id and message.site_id in self.sites:
            return str(self.sites[message.site_id])
        unit = self.units.get(message.admin_unit_id) if message.admin_unit_id else None
        return str(unit["name"]) if unit else ""

    def managers_for(self, mission_id: int, path: str) -> list[Any]:
        key = (mission_id, path)
        if key not in self.managers:
            self.managers[key] = managers_in_scope(mission_id, path)
        return self.managers[key]


def _join(case: Case, message: Message, now: datetime, links: list[CaseMessage]) -> bool:
    """Join ``message`` to ``case`` in memory; True when the case itself changed."""
    links.append(
        CaseMessage(case=case, message_id=message.pk, role=CaseMessageRole.REPORT, added_at=now)
    )
    changed = False
    if more_urgent(message.urgency, case.urgency):
        case.urgency, changed = message.urgency, True
    if message.is_restricted and not case.is_restricted:
        case.is_restricted, changed = True, True
    return changed


def _new_case(
    message: Message, batch: _Batch, mission: Mission, table: Any, rules: Any, now: datetime
) -> Case:
    case_type = batch.case_type(message)
    category = batch.categories.get(message.category_id) if message.category_id else None
    ack, respond, repeat = sla_pick(table, case_type, message.urgency or "")
    facts = CaseFacts(
        case_type,
        message.urgency or "",
        message.category_id,
        category.parent_id if category is not None else None,
        batch.path(message),
    )
    team, assignee = route_with(rules, facts)
    # The SLA clock starts when the community's report arrived, not when triage saw it: a
    # message stored during an outage and triaged late is already late (docs/adr/0007).
    start = min(message.received_at, now)
    return Case(
        mission=mission,
        case_type=case_type,
        status=CaseStatus.NEW,
        title=case_title_for(category, batch.place(message), case_type),
        urgency=message.urgency or "",
        category_id=message.category_id,
        admin_unit_id=message.admin_unit_id,
        site_id=message.site_id,
        is_restricted=message.is_restricted,
        reporter_id=message.reporter_id,
        reply_channel_id=message.channel_id,
        language=message.language or "",
        cluster_id=message.cluster_id,
        team=team,
        assignee=assignee,
        opened_at=start,
        acknowledge_due_at=start + timedelta(minutes=ack),
        respond_due_at=start + timedelta(minutes=respond),
        escalation_repeat_minutes=repeat,
        next_escalation_at=start + timedelta(minutes=ack),
    )


@transaction.atomic
def cases_from_triage(messages: Sequence[Message], *, now: datetime) -> list[Case]:
    """Open (or join) cases for triaged messages; returns the cases opened. Meant to run in
    triage's transaction (atomic on its own too: a savepoint there)."""
    eligible = _eligible(messages)
    if not eligible:
        return []
    batch = _Batch(eligible)
    open_cases = _open_cases_by_cluster({m.cluster_id for m in eligible if m.cluster_id})
    by_mission: dict[int, list[Message]] = defaultdict(list)
    for message in eligible:
        by_mission[message.mission_id].append(message)
    missions = {m.pk: m for m in Mission.objects.filter(pk__in=by_mission)}
    opened: list[Case] = []
    for mission_id, group in by_mission.items():
        opened += _mission_cases(missions[mission_id], group, batch, open_cases, now)
    return opened


def _mission_cases(
    mission: Mission,
    messages: list[Message],
    batch: _Batch,
    open_cases: dict[int, Case],
    now: datetime,
) -> list[Case]:
    table, rules = sla_table(mission), rules_for(mission.pk)
    fresh: list[tuple[Case, list[Message]]] = []
    fresh_by_cluster: dict[int, tuple[Case, list[Message]]] = {}
    joins: dict[int, tuple[Case, list[Message]]] = {}
    for message in messages:
        existing = open_cases.get(message.cluster_id) if message.cluster_id else None
        if existing is not None:
            joins.setdefault(existing.pk, (existing, []))[1].append(message)
            continue
        if message.cluster_id and message.cluster_id in fresh_by_cluster:
            fresh_by_cluster[message.cluster_id][1].append(message)
            continue
        if batch.case_type(message) != CaseType.ALERT and message.urgency not in URGENT_LEVELS:
            continue
        entry = (_new_case(message, batch, mission, table, rules, now), [message])
        fresh.append(entry)
        if message.cluster_id:
            fresh_by_cluster[message.cluster_id] = entry
    if not fresh and not joins:
        return []
    for case, number in zip(
        [c for c, _m in fresh], numbers_reserve(mission.pk, len(fresh)), strict=True
    ):
        case.number = number
    Case.objects.bulk_create([c for c, _m in fresh])
    links: list[CaseMessage] = []
    events: list[CaseEvent] = []
    raised: list[Case] = []
    for case, group in fresh:
        events.append(
            event_new(case, CaseEventKind.CREATED, actor=AUTO_ACTOR, at=now, to_status="new")
        )
        if case.team_id is not None:
            events.append(
                event_new(
                    case,
                    CaseEventKind.ASSIGNED,
                    actor=AUTO_ACTOR,
                    at=now,
                    data={"team": case.team.name if case.team else "", "by": "rule"},
                )
            )
        changed_fresh = False
        for message in group:
            changed_fresh |= _join(case, message, now, links)
        if changed_fresh:
            raised.append(case)
    changed: list[Case] = []
    for case, group in joins.values():
        if any([_join(case, message, now, links) for message in group]):  # noqa: C419 (all)
            changed.append(case)
    if changed or raised:
        Case.objects.bulk_update([*changed, *raised], ["urgency", "is_restricted"])
    CaseMessage.objects.bulk_create(links)
    for case, group in [*fresh, *joins.values()]:
        events += [
            event_new(
                case,
                CaseEventKind.MESSAGE,
                actor=AUTO_ACTOR,
                at=now,
                data={"message": str(m.public_id), "role": CaseMessageRole.REPORT},
            )
            for m in group
        ]
    CaseEvent.objects.bulk_create(events)
    notify_many([_notice_open(case, mission, group[0], batch) for case, group in fresh])
    # One audit row per case opened or joined, appended to the chain in one insert.
    audit_record_many(
        [
            AuditEntry(
                actor=AUTO_ACTOR,
                action="case.open",
                mission=mission,
                obj=case,
                changes={
                    "case_type": case.case_type,
                    "urgency": case.urgency,
                    "team": case.team.name if case.team else "",
                    "auto": True,
                },
            )
            for case, _group in fresh
        ]
        + [
            AuditEntry(
                actor=AUTO_ACTOR,
                action="case.attach",
                mission=mission,
                obj=case,
                changes={"messages": len(group), "urgency": case.urgency},
            )
            for case, group in joins.values()
        ]
    )
    return [c for c, _m in fresh]


def _notice_open(case: Case, mission: Mission, first: Message, batch: _Batch) -> Notice:
    """The case's new-case notice (written for the batch at once)."""
    if case.assignee is not None:
        people = [case.assignee]
    elif case.team is not None:
        people = team_people(case.team.pk) or batch.managers_for(mission.pk, batch.path(first))
    else:
        people = batch.managers_for(mission.pk, batch.path(first))
    return Notice(
        mission_id=mission.pk,
        recipients=people,
        kind=NotificationKind.NEW_CASE,
        title=notice_title(case, NotificationKind.NEW_CASE, place_name=batch.place(first)),
        case=case,
        dedupe_key=f"new:{case.public_id}",
        url=case_url(case, mission.slug),
        email=case.case_type == CaseType.ALERT,
    )
