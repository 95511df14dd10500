"""Escalation on a frozen clock: every SLA path, repeated escalation, and stopping once handled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine

from palava.audit.models import AuditEvent
from palava.core.scheduler import registered_jobs
from palava.feedback.cases import services
from palava.feedback.cases.escalation import cases_escalate_due
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Notification,
    NotificationKind,
    ResponderType,
)
from palava.missions.models import Role
from tests.factories import MissionFactory
from tests.feedback.helpers_inbox import member_in
from tests.feedback.test_cases_helpers import T0, Env, make_env

pytestmark = pytest.mark.django_db

ACK = NotificationKind.ACK_OVERDUE
RESP = NotificationKind.RESPONSE_OVERDUE


@contextmanager
def at(minutes: float) -> Iterator[None]:
    with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
        yield


def run(minutes: float) -> int:
    with at(minutes):
        return cases_escalate_due()


def notices(case: Case, kind: str) -> list[tuple[int, str]]:
    """(level, recipient username) of the case's notices of ``kind``, oldest first."""
    rows = Notification.objects.filter(case=case, kind=kind).order_by("created_at", "id")
    return [(n.level, n.recipient.username) for n in rows]


@pytest.fixture
def env() -> Env:
    return make_env()


@pytest.fixture
def alert(env: Env) -> Case:
    with at(0):
        return env.alert()


def test_the_escalation_task_runs_every_minute() -> None:
    job = registered_jobs()["feedback.escalate"]
    assert job.every == timedelta(minutes=1)


def test_an_alert_not_acknowledged_in_15_minutes_notifies_the_duty_officer(
    env: Env, alert: Case
) -> None:
    assert alert.acknowledge_due_at == T0 + timedelta(minutes=15)
    assert alert.respond_due_at == T0 + timedelta(hours=2)
    assert run(14.9) == 0
    assert notices(alert, ACK) == []
    assert run(15) == 1
    assert notices(alert, ACK) == [(1, env.duty.user.username)]
    alert.refresh_from_db()
    assert alert.acknowledge_breached_at == T0 + timedelta(minutes=15)
    assert alert.escalation_level == 1
    assert alert.next_escalation_at == T0 + timedelta(minutes=30)
    event = CaseEvent.objects.get(case=alert, kind=CaseEventKind.ESCALATED)
    assert event.data == {"kind": ACK, "level": 1, "recipients": 1}
    assert event.actor_label == "system:escalation"
    assert AuditEvent.objects.filter(action="case.escalate", object_id=str(alert.public_id)).count()


def test_escalation_climbs_to_the_lead_then_managers_and_repeats_at_level_3(
    env: Env, alert: Case
) -> None:
    for minute in (15, 30, 45, 60, 75):
        assert run(minute) == 1
    assert notices(alert, ACK) == [
        (1, env.duty.user.username),
        (2, env.lead.user.username),
        (3, env.manager.user.username),
        (3, env.manager.user.username),
        (3, env.manager.user.username),
    ]
    alert.refresh_from_db()
    assert alert.escalation_level == 3
    assert CaseEvent.objects.filter(case=alert, kind=CaseEventKind.ESCALATED).count() == 5


def test_a_run_between_repeats_does_nothing(env: Env, alert: Case) -> None:
    run(15)
    assert run(29.9) == 0
    assert notices(alert, ACK) == [(1, env.duty.user.username)]


def test_running_twice_in_the_same_minute_notifies_once(env: Env, alert: Case) -> None:
    assert run(15) == 1
    assert run(15) == 0
    assert run(15.5) == 0
    assert Notification.objects.filter(case=alert, kind=ACK).count() == 1
    assert CaseEvent.objects.filter(case=alert, kind=CaseEventKind.ESCALATED).count() == 1


def test_acknowledging_stops_the_acknowledgement_escalation(env: Env, alert: Case) -> None:
    run(15)
    run(30)
    with at(31):
        services.case_acknowledge(case=alert, actor=env.duty.user)
    for minute in (45, 60, 90, 119):
        assert run(minute) == 0
    assert len(notices(alert, ACK)) == 2
    alert.refresh_from_db()
    assert alert.escalation_level == 0
    assert alert.next_escalation_at == T0 + timedelta(hours=2)


def test_no_response_in_2_hours_escalates_again_from_level_1(env: Env, alert: Case) -> None:
    with at(5):
        services.case_acknowledge(case=alert, actor=env.duty.user)
    assert run(15) == 0  # acknowledged in time: no acknowledgement breach
    assert run(119) == 0
    assert run(120) == 1
    assert run(135) == 1
    assert run(150) == 1
    assert run(165) == 1
    assert notices(alert, ACK) == []
    assert notices(alert, RESP) == [
        (1, env.duty.user.username),
        (2, env.lead.user.username),
        (3, env.manager.user.username),
        (3, env.manager.user.username),
    ]
    alert.refresh_from_db()
    assert alert.respond_breached_at == T0 + timedelta(hours=2)
    assert alert.acknowledge_breached_at is None


def test_recording_a_response_stops_the_response_escalation(env: Env, alert: Case) -> None:
    with at(5):
        services.case_acknowledge(case=alert, actor=env.duty.user)
    run(120)
    with at(130):
        services.case_response_record(
            case=alert,
            actor=env.duty.user,
            responder_type=ResponderType.MISSION_POLICE,
            action="Patrol sent",
        )
    for minute in (135, 150, 300):
        assert run(minute) == 0
    assert len(notices(alert, RESP)) == 1
    alert.refresh_from_db()
    assert alert.next_escalation_at is None
    assert alert.status == CaseStatus.RESPONSE_DISPATCHED


def test_a_response_recorded_in_time_means_no_breach_at_all(env: Env, alert: Case) -> None:
    with at(5):
        services.case_acknowledge(case=alert, actor=env.duty.user)
    with at(60):
        services.case_response_record(
            case=alert, actor=env.duty.user, responder_type=ResponderType.NOBODY, action="None"
        )
    for minute in (15, 120, 240):
        assert run(minute) == 0
    assert Notification.objects.filter(case=alert).exclude(kind="new_case").count() == 0


def test_an_unfounded_case_stops_escalating(env: Env, alert: Case) -> None:
    with at(5):
        services.case_acknowledge(case=alert, actor=env.duty.user)
    with at(10):
        services.case_verify(case=alert, actor=env.duty.user, verified=False)
    for minute in (120, 135, 500):
        assert run(minute) == 0
    assert notices(alert, RESP) == []


def test_a_closed_case_stops_escalating_even_with_a_stale_clock(env: Env, alert: Case) -> None:
    with at(5):
        services.case_acknowledge(case=alert, actor=env.duty.user)
        services.case_verify(case=alert, actor=env.duty.user, verified=False)
        services.case_close(case=alert, actor=env.duty.user)
    # a clock left behind (e.g. by an older version) must not notify about a closed case
    Case.objects.filter(pk=alert.pk).update(next_escalation_at=T0 + timedelta(minutes=20))
    assert run(120) == 0
    alert.refresh_from_db()
    assert alert.next_escalation_at is None
    assert Notification.objects.filter(case=alert).exclude(kind="new_case").count() == 0


def test_acknowledging_after_the_response_deadline_escalates_the_response_at_once(
    env: Env, alert: Case
) -> None:
    for minute in (15, 30, 45):
        run(minute)
    with at(125):
        services.case_acknowledge(case=alert, actor=env.duty.user)
    assert run(125) == 1
    assert notices(alert, RESP) == [(1, env.duty.user.username)]


def test_a_mission_policy_overrides_the_default_per_urgency(env: Env) -> None:
    services.sla_policy_save(
        mission=env.mission,
        actor=None,
        case_type="alert",
        urgency="life_threatening",
        acknowledge_minutes=5,
        respond_minutes=30,
        repeat_minutes=5,
    )
    with at(0):
        grave = env.alert(urgency="life_threatening")
        usual = env.alert(urgency="urgent", unit="north")
    other = make_env(MissionFactory())
    with at(0):
        elsewhere = other.alert(urgency="life_threatening")
    assert run(5) == 1
    assert notices(grave, ACK) == [(1, env.duty.user.username)]
    assert run(10) == 1  # repeats every 5 minutes
    assert notices(usual, ACK) == []
    assert run(15) == 3  # grave level 3, usual and the other mission's alert level 1
    assert [lvl for lvl, _u in notices(grave, ACK)] == [1, 2, 3]
    assert notices(usual, ACK) == [(1, env.duty.user.username)]
    assert notices(elsewhere, ACK) == [(1, other.duty.user.username)]
    grave.refresh_from_db()
    assert grave.respond_due_at == T0 + timedelta(minutes=30)


def test_a_policy_for_any_urgency_applies_and_running_clocks_do_not_move(env: Env) -> None:
    with at(0):
        before = env.alert()
    services.sla_policy_save(
        mission=env.mission,
        actor=None,
        case_type="alert",
        acknowledge_minutes=30,
        respond_minutes=240,
        repeat_minutes=30,
    )
    with at(0):
        after = env.alert(unit="north")
    assert after.acknowledge_due_at == T0 + timedelta(minutes=30)
    assert run(15) == 1
    assert notices(before, ACK)
    assert not notices(after, ACK)
    before.refresh_from_db()
    assert before.acknowledge_due_at == T0 + timedelta(minutes=15)


def test_a_case_with_no_route_goes_to_the_managers_whose_scope_covers_it(env: Env) -> None:
    south_manager = member_in(env.mission, Role.MANAGER, env.geo.south)
    north_manager = member_in(env.mission, Role.MANAGER, env.geo.north)
    admin = member_in(env.mission, Role.ADMIN)
    with at(0):
        case = env.alert(unit="south_town")
    assert case.team is None
    assert case.assignee is None
    expected = sorted([env.manager.user.username, south_manager.user.username, admin.user.username])
    new = Notification.objects.filter(case=case, kind=NotificationKind.NEW_CASE)
    assert sorted(n.recipient.username for n in new) == expected
    assert north_manager.user.username not in expected
    assert run(15) == 1
    assert sorted(u for _lvl, u in notices(case, ACK)) == expected


def test_level_2_without_team_leads_goes_to_managers(env: Env) -> None:
    services.team_member_set(team=env.team, actor=None, user=env.lead.user, is_lead=False)
    with at(0):
        case = env.alert()
    run(15)
    run(30)
    assert notices(case, ACK) == [(1, env.duty.user.username), (2, env.manager.user.username)]


def test_a_team_without_a_duty_officer_notifies_every_member_at_level_1(env: Env) -> None:
    services.team_save(mission=env.mission, actor=None, team=env.team, name=env.team.name)
    with at(0):
        case = env.alert()
    assert case.team == env.team
    assert case.assignee is None
    run(15)
    assert sorted(u for _lvl, u in notices(case, ACK)) == sorted(
        m.user.username for m in (env.duty, env.lead, env.member)
    )


def test_the_assignee_is_level_1_after_reassignment(env: Env, alert: Case) -> None:
    with at(2):
        services.case_assign(case=alert, actor=env.manager.user, assignee=env.member.user)
    run(15)
    assert notices(alert, ACK) == [(1, env.member.user.username)]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_notify_twice() -> None:
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (SQLite serialises writers)")
    env = make_env()
    with at(0):
        cases = {env.alert(unit=u).pk for u in ("north", "north_town") * 10}
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(cases_escalate_due(limit=5))
        finally:
            connections.close_all()

    with at(15):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(results) == len(cases)
    assert Notification.objects.filter(kind=ACK).count() == len(cases)
    assert CaseEvent.objects.filter(kind=CaseEventKind.ESCALATED).count() == len(cases)
