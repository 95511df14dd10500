"""Periodic jobs: a registry, and a tick that any number of workers can run at the same time.

An app registers a job by decorating a django-tasks ``Task`` in its ``tasks.py``::

    @periodic(name="audit.verify_chain", every=timedelta(days=1))
    @task()
    def audit_verify_chain() -> dict[str, Any]: ...

Every worker calls :func:`scheduler_tick` every ``PALAVA_SCHEDULER_INTERVAL`` seconds. One
``ScheduledJob`` row per job holds ``next_run_at``; a worker claims a due run with a
compare-and-swap ``UPDATE ... WHERE name = %s AND next_run_at = <the value it saw>``. The database
lets exactly one such update match (PostgreSQL re-checks the condition after the row lock,
SQLite serialises writers), so exactly one worker enqueues the task, after its transaction
commits. Runs missed while no worker was up are not replayed one by one: ``next_run_at`` jumps
to the first future slot of the job's cadence.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils.module_loading import module_has_submodule
from django_tasks.base import Task

from palava.core.models import ScheduledJob

logger = logging.getLogger("palava.scheduler")

TaskT = TypeVar("TaskT", bound=Task[Any, Any])


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: Task[Any, Any]

    def enqueue(self) -> None:
        result = self.task.enqueue()
        # Frequent sweeps (e.g. triage every minute) would drown the log at INFO.
        level = logging.INFO if self.every >= timedelta(hours=1) else logging.DEBUG
        logger.log(level, "scheduler enqueued %s (task result %s)", self.name, result.id)


_REGISTRY: dict[str, PeriodicJob] = {}
_discovered = False


def periodic(*, name: str, every: timedelta) -> Callable[[TaskT], TaskT]:
    """Register a task that takes no arguments to run every ``every``, cluster-wide."""
    if every <= timedelta(0):
        raise ImproperlyConfigured(f"periodic job {name!r}: 'every' must be positive")

    def register(task_obj: TaskT) -> TaskT:
        if not isinstance(task_obj, Task):
            raise TypeError(
                f"periodic job {name!r} must decorate a django-tasks Task "
                "(put @periodic(...) above @task())"
            )
        required = [
            p.name
            for p in inspect.signature(task_obj.func).parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if required:
            raise ImproperlyConfigured(
                f"periodic job {name!r}: the task must take no arguments (has {required})"
            )
        existing = _REGISTRY.get(name)
        if existing is not None and existing.task.module_path != task_obj.module_path:
            raise ImproperlyConfigured(
                f"periodic job {name!r} registered twice: {existing.task.module_path} "
                f"and {task_obj.module_path}"
            )
        _REGISTRY[name] = PeriodicJob(name=name, every=every, task=task_obj)
        return task_obj

    return register


def discover() -> None:
    """Import ``tasks`` of every installed Palava app, so their periodic jobs register."""
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        if config.name.startswith("palava.") and module_has_submodule(config.module, "tasks"):
            import_module(f"{config.name}.tasks")
    _discovered = True


def registered_jobs() -> dict[str, PeriodicJob]:
    discover()
    return dict(_REGISTRY)


def next_slot(*, scheduled: datetime, every: timedelta, now: datetime) -> datetime:
    """The first slot ``scheduled + k * every`` (k >= 1) strictly after ``now``.

    Keeps the job's phase (a job due at 02:00 stays at 02:00) and skips the slots missed while
    no worker ran, instead of replaying them.
    """
    missed = max(0, (now - scheduled) // every)
    candidate = scheduled + every * (missed + 1)
    while candidate <= now:  # pragma: no cover - guards rounding of very small cadences
        candidate += every
    return candidate


def scheduled_jobs_ensure(*, now: datetime) -> None:
    """One row per registered job; a new job is due at ``now``.

    Concurrent creators are harmless: the name is unique and conflicts are ignored.
    """
    jobs = registered_jobs()
    known = set(ScheduledJob.objects.filter(name__in=jobs).values_list("name", flat=True))
    missing = [ScheduledJob(name=name, next_run_at=now) for name in jobs if name not in known]
    if missing:
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)


def job_claim(
    *, job: PeriodicJob, seen_next_run_at: datetime, now: datetime, worker_id: str
) -> bool:
    """Claim the run due at ``seen_next_run_at``; True for the one worker that won it.

    The winner's enqueue happens on commit, so a rolled-back claim never enqueues.
    """
    with transaction.atomic():
        claimed = ScheduledJob.objects.filter(name=job.name, next_run_at=seen_next_run_at).update(
            next_run_at=next_slot(scheduled=seen_next_run_at, every=job.every, now=now),
            last_run_at=now,
            last_claimed_by=worker_id[:200],
            run_count=F("run_count") + 1,
        )
        if claimed == 1:
            transaction.on_commit(job.enqueue)
    return claimed == 1


def scheduler_tick(*, now: datetime, worker_id: str) -> list[str]:
    """Enqueue every due periodic job this worker wins; return their names."""
    jobs = registered_jobs()
    if not jobs:
        return []
    scheduled_jobs_ensure(now=now)
    due = ScheduledJob.objects.filter(name__in=jobs, next_run_at__lte=now).values_list(
        "name", "next_run_at"
    )
    won: list[str] = []
    for name, seen in sorted(due):
        if job_claim(job=jobs[name], seen_next_run_at=seen, now=now, worker_id=worker_id):
            won.append(name)
    return won
