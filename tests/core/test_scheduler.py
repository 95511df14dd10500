"""The periodic-job scheduler: one enqueue per due run across racing workers, no replay after
downtime, and the platform's own periodic jobs doing their work."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from palava.accounts.models import ApiToken
from palava.accounts.services import user_create
from palava.accounts.tokens import token_create
from palava.audit.models import AuditEvent
from palava.core.models import ScheduledJob
from palava.core.scheduler import (
    job_claim,
    next_slot,
    periodic,
    registered_jobs,
    scheduled_jobs_ensure,
    scheduler_tick,
)
from palava.core.tasks import (
    accounts_purge_expired_tokens,
    audit_verify_chain,
    tasks_prune_results,
)
from palava.missions.models import Role
from palava.missions.services import membership_set, mission_create
from tests.factories import MembershipFactory

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REAL_JOBS = {"audit.verify_chain", "tasks.prune_results", "accounts.purge_expired_tokens"}


@task()
def not_periodic_elsewhere() -> None:
    """A second task, to show a job name cannot point at two tasks."""


@task()
def needs_an_argument(mission_id: int) -> None:
    """Periodic jobs get no arguments."""


@pytest.fixture
def db_tasks(settings: Any) -> None:
    """Enqueue into the database, as ``palava worker`` deployments do."""
    settings.TASKS = DB_TASKS


def _race(contenders: list[Callable[[], Any]]) -> list[Any]:
    """Run the callables in threads released together; each thread uses its own connection."""
    barrier = threading.Barrier(len(contenders))
    results: list[Any] = [None] * len(contenders)
    errors: list[BaseException] = []

    def run(index: int, contender: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=20)
            results[index] = contender()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(contenders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a contender hung"
    assert not errors, errors
    return results


def test_the_platform_jobs_are_registered() -> None:
    jobs = registered_jobs()
    assert set(jobs) >= REAL_JOBS
    assert all(jobs[name].every == timedelta(days=1) for name in REAL_JOBS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("db_tasks")
def test_two_workers_claiming_the_same_seen_run_enqueue_it_once() -> None:
    # given a due job that both workers have read with the same next_run_at
    scheduled_jobs_ensure(now=T0)
    job = registered_jobs()["audit.verify_chain"]
    seen = ScheduledJob.objects.get(name=job.name).next_run_at
    # when both try to claim it at the same instant
    won = _race(
        [
            lambda: job_claim(job=job, seen_next_run_at=seen, now=T0, worker_id="host-a:1"),
            lambda: job_claim(job=job, seen_next_run_at=seen, now=T0, worker_id="host-b:2"),
        ]
    )
    # then exactly one won, and exactly one task was enqueued
    assert sorted(won) == [False, True]
    winner = "host-a:1" if won[0] else "host-b:2"
    row = ScheduledJob.objects.get(name=job.name)
    assert (row.last_claimed_by, row.run_count) == (winner, 1)
    assert row.next_run_at == T0 + timedelta(days=1)
    assert DBTaskResult.objects.filter(task_path=job.task.module_path).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("db_tasks")
def test_racing_ticks_enqueue_each_due_job_once_per_slot() -> None:
    # given several workers ticking together over three days
    for day in range(3):
        now = T0 + timedelta(days=day)
        # when three workers tick at the same instant
        won = _race(
            [functools.partial(scheduler_tick, now=now, worker_id=f"w{w}") for w in range(3)]
        )
        # then every due job was won by exactly one of them
        flat = [name for names in won for name in names]
        assert sorted(flat) == sorted(registered_jobs())
    # and each job was enqueued once per day, no more
    for job in registered_jobs().values():
        assert DBTaskResult.objects.filter(task_path=job.task.module_path).count() == 3
    assert set(ScheduledJob.objects.values_list("run_count", flat=True)) == {3}


@pytest.mark.django_db
def test_missed_runs_are_not_replayed_after_downtime(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given jobs that last ran at T0 (next due T0 + 1 day)
    scheduled_jobs_ensure(now=T0)
    with django_capture_on_commit_callbacks() as first:
        assert set(scheduler_tick(now=T0, worker_id="w1")) == set(registered_jobs())
    assert len(first) == len(registered_jobs())
    # when no worker ran for three and a half days, then one ticks
    later = T0 + timedelta(days=3, hours=12)
    with django_capture_on_commit_callbacks() as callbacks:
        won = scheduler_tick(now=later, worker_id="w2")
    # then each job runs once (not three times) and the next run keeps its 02:00 phase
    assert set(won) == set(registered_jobs())
    assert len(callbacks) == len(registered_jobs())
    row = ScheduledJob.objects.get(name="audit.verify_chain")
    assert row.next_run_at == T0 + timedelta(days=4)
    assert row.run_count == 2
    assert row.last_run_at == later
    # and a tick before that slot claims no daily job (only jobs of a shorter cadence are due)
    frequent = {name for name, job in registered_jobs().items() if job.every < timedelta(hours=6)}
    with django_capture_on_commit_callbacks() as none:
        assert set(scheduler_tick(now=later + timedelta(hours=6), worker_id="w3")) == frequent
    assert len(none) == len(frequent)


@pytest.mark.django_db
def test_a_tick_runs_the_won_job_through_the_task_backend(
    django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # given the immediate task backend of the test settings
    # when a tick wins the audit check and its transaction commits
    with (
        caplog.at_level(logging.INFO, logger="palava"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        scheduler_tick(now=timezone.now(), worker_id="w1")
    # then the task really ran
    assert "audit trail intact" in caplog.text


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (T0 - timedelta(hours=1), T0 + timedelta(days=1)),
        (T0, T0 + timedelta(days=1)),
        (T0 + timedelta(hours=23), T0 + timedelta(days=1)),
        (T0 + timedelta(days=1), T0 + timedelta(days=2)),
        (T0 + timedelta(days=30, seconds=1), T0 + timedelta(days=31)),
    ],
)
def test_next_slot_is_the_first_future_slot_of_the_cadence(
    now: datetime, expected: datetime
) -> None:
    assert next_slot(scheduled=T0, every=timedelta(days=1), now=now) == expected


def test_periodic_refuses_bad_registrations() -> None:
    with pytest.raises(TypeError, match="must decorate a django-tasks Task"):
        periodic(name="x.plain", every=timedelta(hours=1))(lambda: None)  # type: ignore[type-var]
    with pytest.raises(Exception, match="registered twice"):
        periodic(name="audit.verify_chain", every=timedelta(days=1))(not_periodic_elsewhere)
    with pytest.raises(Exception, match="must take no arguments"):
        periodic(name="x.args", every=timedelta(days=1))(needs_an_argument)
    with pytest.raises(Exception, match="must be positive"):
        periodic(name="x.zero", every=timedelta(0))
    assert registered_jobs()["audit.verify_chain"].task is audit_verify_chain
    assert not {"x.plain", "x.args", "x.zero"} & set(registered_jobs())


# --- The periodic jobs do their work ---------------------------------------------------------


@pytest.mark.django_db
def test_purge_deletes_tokens_expired_more_than_90_days_ago() -> None:
    # given three tokens: expired 91 days ago, expired 89 days ago, still valid
    mission = mission_create(actor=None, slug="m", name="M", country="COD", languages=["fr"])
    user = user_create(actor=None, username="amani", password=None)
    membership_set(actor=None, mission=mission, user=user, role=Role.OFFICER)
    tokens = [
        token_create(actor=None, user=user, mission=mission, name=n).token
        for n in ("old", "recent", "live")
    ]
    now = timezone.now()
    ApiToken.objects.filter(pk=tokens[0].pk).update(expires_at=now - timedelta(days=91))
    ApiToken.objects.filter(pk=tokens[1].pk).update(expires_at=now - timedelta(days=89))
    # when the daily job runs
    result = accounts_purge_expired_tokens.call()
    # then only the long-expired token is gone, with an audit row in its mission
    assert result == {"deleted": 1}
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"recent", "live"}
    purge = AuditEvent.objects.get(action="token.purge")
    assert purge.mission_id == mission.pk
    assert purge.object_id == str(tokens[0].public_id)
    assert purge.actor_label == "system:scheduler"


@pytest.mark.django_db
@pytest.mark.usefixtures("db_tasks")
def test_prune_deletes_finished_task_results_older_than_14_days() -> None:
    # given finished results of various ages, and an old result still waiting to run
    ids = {
        name: audit_verify_chain.enqueue().id for name in ("old-ok", "old-failed", "new", "waiting")
    }
    now = timezone.now()
    DBTaskResult.objects.filter(id=ids["old-ok"]).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=15)
    )
    DBTaskResult.objects.filter(id=ids["old-failed"]).update(
        status="FAILED", finished_at=now - timedelta(days=20)
    )
    DBTaskResult.objects.filter(id=ids["new"]).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=13)
    )
    DBTaskResult.objects.filter(id=ids["waiting"]).update(run_after=now - timedelta(days=30))
    # when the daily job runs
    result = tasks_prune_results.call()
    # then the two old finished results are gone and the rest stay
    assert result == {"deleted": 2}
    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert remaining == {str(ids["new"]), str(ids["waiting"])}
    assert AuditEvent.objects.filter(action="tasks.prune_results").count() == 1


def _bypass_append_only_trigger() -> None:
    """What a database administrator could do; rolled back with the test transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")


@pytest.mark.django_db
def test_the_daily_audit_check_names_the_first_tampered_row(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a trail whose second row was edited below the application
    MembershipFactory()
    rows = list(AuditEvent.objects.order_by("id"))
    assert len(rows) >= 3
    _bypass_append_only_trigger()
    AuditEvent.objects.filter(pk=rows[1].pk).update(action="mission.delete")
    # when the daily job runs
    with caplog.at_level(logging.INFO, logger="palava.tasks"):
        result = audit_verify_chain.call()
    # then it reports the tampered row at ERROR level
    assert result == {"checked": 1, "first_bad_id": rows[1].pk}
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert f"row id={rows[1].pk}" in errors[0].getMessage()


@pytest.mark.django_db
def test_the_daily_audit_check_is_quiet_on_an_intact_trail(
    caplog: pytest.LogCaptureFixture,
) -> None:
    MembershipFactory()
    with caplog.at_level(logging.INFO, logger="palava.tasks"):
        result = audit_verify_chain.call()
    assert result == {"checked": AuditEvent.objects.count(), "first_bad_id": None}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
