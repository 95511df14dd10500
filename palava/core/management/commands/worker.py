"""``palava worker``: run background tasks, and the periodic-job scheduler beside them.

The django-tasks-db worker runs in the main thread; the scheduler ticks in a daemon thread with
its own database connection. SIGINT or SIGTERM stop both: a running task is finished first (a
second signal aborts it), then the process exits 0.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from argparse import ArgumentParser, ArgumentTypeError
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_backend_name,
    valid_interval,
)

from palava.core.scheduler import registered_jobs, scheduler_tick

logger = logging.getLogger("palava.worker")


def default_worker_id() -> str:
    """Host name and process id: unique across machines, readable in ``last_claimed_by``."""
    pid = str(os.getpid())
    return f"{socket.gethostname()[: 63 - len(pid)]}:{pid}"


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ArgumentTypeError("must be greater than zero")
    return number


class SchedulerThread(threading.Thread):
    """Calls ``scheduler_tick`` every ``interval`` seconds until ``stop()``."""

    def __init__(self, *, interval: float, worker_id: str) -> None:
        super().__init__(name="palava-scheduler", daemon=True)
        self.interval = interval
        self.worker_id = worker_id
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        try:
            while not self._stop_event.is_set():
                try:
                    won = scheduler_tick(now=timezone.now(), worker_id=self.worker_id)
                    if won:
                        logger.debug("scheduler: enqueued %s", ", ".join(won))
                except Exception:
                    # A database hiccup must not kill the scheduler; the next tick retries.
                    logger.exception("scheduler tick failed")
                    connections.close_all()
                self._stop_event.wait(self.interval)
        finally:
            # Connections are per thread: this closes the scheduler's own connection only.
            connections.close_all()


class PalavaWorker(Worker):
    """The django-tasks-db worker, stopping the scheduler thread on the first signal."""

    def __init__(self, *, scheduler: SchedulerThread | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scheduler = scheduler

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        super().shutdown(signum, frame)


class Command(BaseCommand):
    help = "Run background tasks and the periodic-job scheduler until SIGINT or SIGTERM."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=0.25,
            help="seconds to wait when the queue is empty (default: %(default)s)",
        )
        parser.add_argument(
            "--queue",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="queues to process, comma-separated; '*' for all (default: %(default)s)",
        )
        parser.add_argument(
            "--max-tasks",
            type=positive_int,
            default=None,
            help="exit after running this many tasks",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not run the periodic-job scheduler in this worker",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("django_tasks").setLevel(logging.INFO)
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        try:
            backend_name = valid_backend_name(DEFAULT_TASK_BACKEND_ALIAS)
        except ArgumentTypeError as error:
            raise CommandError(f"palava worker needs the database task backend: {error}") from None
        worker_id = default_worker_id()
        scheduler: SchedulerThread | None = None
        if not options["no_scheduler"]:
            jobs = registered_jobs()
            scheduler = SchedulerThread(
                interval=float(settings.PALAVA_SCHEDULER_INTERVAL), worker_id=worker_id
            )
            logger.info(
                "scheduler: %d periodic jobs (%s), tick every %ss",
                len(jobs),
                ", ".join(sorted(jobs)),
                scheduler.interval,
            )
        worker = PalavaWorker(
            scheduler=scheduler,
            queue_names=[q.strip() for q in options["queue"].split(",") if q.strip()],
            interval=options["interval"],
            batch=False,
            backend_name=backend_name,
            startup_delay=True,
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        if scheduler is not None:
            scheduler.start()
        try:
            worker.run()
        finally:
            if scheduler is not None:
                scheduler.stop()
                scheduler.join(timeout=30)
            connections.close_all()
            logger.info("worker %s stopped", worker_id)
