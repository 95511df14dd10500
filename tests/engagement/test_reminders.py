"""Time travel: reminders before the due date and escalation once overdue fire once each."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from palava.audit.models import AuditEvent
from palava.engagement.commitment_services import commitment_set_status, commitment_update
from palava.engagement.models import (
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentStatus,
    EngagementSettings,
)
from palava.engagement.reminders import commitment_fire, commitments_remind_and_escalate
from palava.engagement.tasks import engagement_commitments
from palava.feedback.models import Notification, NotificationKind
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_commitments import make_commitment

pytestmark = pytest.mark.django_db

LUBUMBASHI = ZoneInfo("Africa/Lubumbashi")  # the factory's mission time zone, UTC+2
DUE = dt.date(2026, 3, 31)


def _at(day: dt.date, hour: int, minute: int = 0, zone: ZoneInfo = LUBUMBASHI) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _events(c: Commitment, kind: str) -> int:
    return CommitmentEvent.objects.filter(commitment=c, kind=kind).count()


def _notices(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("id"))


def _run(at: dt.datetime) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return commitments_remind_and_escalate()


def test_reminder_then_escalation_fire_once_each_at_the_right_time(
    mission: Mission, member_of: Any
) -> None:
    officer: Membership = member_of(Role.OFFICER)
    manager: Membership = member_of(Role.MANAGER)
    with time_machine.travel(_at(dt.date(2026, 3, 1), 10), tick=False):
        c = make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)

    # the default lead time is 7 days: the window opens on 24 March (mission time)
    assert _run(_at(dt.date(2026, 3, 23), 23, 50)) == {"reminded": 0, "escalated": 0}
    assert _notices(NotificationKind.COMMITMENT_DUE) == []

    assert _run(_at(dt.date(2026, 3, 24), 0, 10)) == {"reminded": 1, "escalated": 0}
    assert _events(c, CommitmentEventKind.REMINDER) == 1
    due = _notices(NotificationKind.COMMITMENT_DUE)
    assert [n.recipient_id for n in due] == [officer.user.pk]
    assert due[0].url == f"/m/{mission.slug}/commitments/{c.public_id}/"
    assert c.reference in due[0].title
    assert "2026-03-31" in due[0].title
    assert "Kalehe" not in due[0].title
    assert "Civil Affairs" not in due[0].title

    assert _run(_at(dt.date(2026, 3, 25), 9)) == {"reminded": 0, "escalated": 0}
    assert _events(c, CommitmentEventKind.REMINDER) == 1
    assert len(_notices(NotificationKind.COMMITMENT_DUE)) == 1

    # on the due date itself (late evening, mission time): not overdue yet
    assert _run(_at(DUE, 23, 50)) == {"reminded": 0, "escalated": 0}

    # just after midnight, mission time (still 31 March in UTC): overdue
    assert _run(_at(dt.date(2026, 4, 1), 0, 10)) == {"reminded": 0, "escalated": 1}
    assert _events(c, CommitmentEventKind.ESCALATION) == 1
    overdue = _notices(NotificationKind.COMMITMENT_OVERDUE)
    assert {n.recipient_id for n in overdue} == {officer.user.pk, manager.user.pk}

    assert _run(_at(dt.date(2026, 4, 2), 9)) == {"reminded": 0, "escalated": 0}
    assert _events(c, CommitmentEventKind.ESCALATION) == 1
    assert len(_notices(NotificationKind.COMMITMENT_OVERDUE)) == 2
    assert (
        AuditEvent.objects.filter(
            action="engagement.commitment.escalate", actor_label="system:scheduler"
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="engagement.commitment.remind").count() == 1


def test_reminder_goes_to_the_recorder_when_nobody_follows_up(
    mission: Mission, member_of: Any
) -> None:
    officer: Membership = member_of(Role.LIAISON)
    make_commitment(mission, by=officer, due_date=DUE)
    _run(_at(dt.date(2026, 3, 30), 9))
    assert [n.recipient_id for n in _notices(NotificationKind.COMMITMENT_DUE)] == [officer.user.pk]


def test_a_closed_commitment_never_reminds_nor_escalates(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)
    commitment_set_status(actor=officer.user, commitment=c, status=CommitmentStatus.DONE)
    assert _run(_at(dt.date(2026, 3, 28), 9)) == {"reminded": 0, "escalated": 0}
    assert _run(_at(dt.date(2026, 4, 5), 9)) == {"reminded": 0, "escalated": 0}
    assert Notification.objects.count() == 0


def test_changing_the_due_date_rearms_both(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)
    assert _run(_at(dt.date(2026, 4, 1), 9)) == {"reminded": 0, "escalated": 1}
    with time_machine.travel(_at(dt.date(2026, 4, 1), 10), tick=False):
        c = commitment_update(actor=officer.user, commitment=c, due_date=dt.date(2026, 4, 20))
    assert c.reminder_sent_at is None
    assert c.escalated_at is None
    assert _run(_at(dt.date(2026, 4, 12), 9)) == {"reminded": 0, "escalated": 0}
    assert _run(_at(dt.date(2026, 4, 13), 9)) == {"reminded": 1, "escalated": 0}
    assert _run(_at(dt.date(2026, 4, 21), 9)) == {"reminded": 0, "escalated": 1}
    assert _events(c, CommitmentEventKind.ESCALATION) == 2
    keys = {n.dedupe_key for n in _notices(NotificationKind.COMMITMENT_OVERDUE)}
    assert keys == {
        f"commitment:{c.public_id}:overdue:2026-03-31",
        f"commitment:{c.public_id}:overdue:2026-04-20",
    }


def test_the_lead_time_comes_from_the_mission_settings(mission: Mission, member_of: Any) -> None:
    EngagementSettings.objects.create(mission=mission, reminder_days=2)
    officer: Membership = member_of(Role.OFFICER)
    make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)
    assert _run(_at(dt.date(2026, 3, 28), 9))["reminded"] == 0
    assert _run(_at(dt.date(2026, 3, 29), 9))["reminded"] == 1


def test_two_racing_runs_fire_once(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)
    now = _at(dt.date(2026, 3, 26), 9)
    # both runs read the commitment before either claims it
    first = Commitment.objects.select_related("mission", "admin_unit", "owner").get(pk=c.pk)
    second = Commitment.objects.select_related("mission", "admin_unit", "owner").get(pk=c.pk)
    with time_machine.travel(now, tick=False):
        with transaction.atomic():
            assert commitment_fire(first, kind=NotificationKind.COMMITMENT_DUE, now=now)
        with transaction.atomic():
            assert not commitment_fire(second, kind=NotificationKind.COMMITMENT_DUE, now=now)
    assert _events(c, CommitmentEventKind.REMINDER) == 1
    assert len(_notices(NotificationKind.COMMITMENT_DUE)) == 1


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Pacific/Kiritimati", 1), ("UTC", 0), ("America/Los_Angeles", 0)],
)
def test_overdue_is_judged_in_the_mission_time_zone(
    mission: Mission, member_of: Any, zone: str, expected: int
) -> None:
    Mission.objects.filter(pk=mission.pk).update(time_zone=zone)
    mission.refresh_from_db()
    officer: Membership = member_of(Role.OFFICER)
    make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)
    # 10:30 UTC on 31 March is already 1 April in Kiritimati (UTC+14)
    at = dt.datetime(2026, 3, 31, 10, 30, tzinfo=dt.UTC)
    assert _run(at)["escalated"] == expected


def test_the_scheduled_task_runs_the_pass(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)
    with time_machine.travel(_at(dt.date(2026, 4, 3), 9), tick=False):
        result = engagement_commitments.call()
    assert result == {"reminded": 0, "escalated": 1}


def test_notices_only_reach_active_members(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission, by=officer, owner=officer.user, due_date=DUE)
    Membership.objects.filter(pk=officer.pk).update(is_active=False)
    assert _run(_at(dt.date(2026, 3, 30), 9))["reminded"] == 1
    assert _notices(NotificationKind.COMMITMENT_DUE) == []
    assert _events(c, CommitmentEventKind.REMINDER) == 1


def test_the_job_is_registered_every_15_minutes() -> None:
    from palava.core.scheduler import registered_jobs

    job = registered_jobs()["engagement.commitments"]
    assert job.every == dt.timedelta(minutes=15)
    assert job.task is engagement_commitments


def test_a_backlog_larger_than_one_batch_drains_in_one_run(
    mission: Mission, member_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More due commitments than one batch: one run reminds them all, once each."""
    from palava.engagement import reminders

    monkeypatch.setattr(reminders, "BATCH", 3)
    officer: Membership = member_of(Role.OFFICER)
    with time_machine.travel(_at(dt.date(2026, 3, 1), 10), tick=False):
        made = [
            make_commitment(mission, by=officer, owner=officer.user, due_date=DUE) for _ in range(8)
        ]
    assert _run(_at(dt.date(2026, 3, 25), 9)) == {"reminded": 8, "escalated": 0}
    assert all(_events(c, CommitmentEventKind.REMINDER) == 1 for c in made)
    assert _run(_at(dt.date(2026, 3, 25), 10)) == {"reminded": 0, "escalated": 0}
