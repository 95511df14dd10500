"""A real ``palava worker`` process: runs an enqueued task, runs the scheduler, stops on SIGTERM.

The worker runs against its own file SQLite database (prepared here through the real commands),
whatever database the rest of the suite uses.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from palava.core.scheduler import registered_jobs

ROOT = Path(__file__).resolve().parents[2]
PALAVA = Path(sys.executable).parent / "palava"


def palava_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh shell: none of the suite's own Palava/database settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PALAVA_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PALAVA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="palava.config.settings.dev")
    env.update(extra)
    return env


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def run_palava(
    *args: str, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PALAVA, *args],
        env=env,
        cwd=ROOT,
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )


def start_palava(
    *args: str, env: dict[str, str], log: Path, **kwargs: Any
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [PALAVA, *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, **kwargs
        )


@pytest.fixture
def worker_db(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    database = tmp_path / "worker.sqlite3"
    env = palava_env(tmp_path / "data", DATABASE_URL=f"sqlite:///{database}")
    migrated = run_palava("migrate", "--verbosity", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return database, env


def _query(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database, timeout=10) as db:
        return db.execute(sql, params).fetchall()


def test_a_real_worker_runs_tasks_and_the_scheduler_and_stops_on_sigterm(
    worker_db: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    database, env = worker_db
    # given a task enqueued in the database
    enqueued = run_palava(
        "shell",
        "-c",
        "from palava.core.tasks import audit_verify_chain; print(audit_verify_chain.enqueue().id)",
        env=env,
    )
    assert enqueued.returncode == 0, enqueued.stderr
    task_id = enqueued.stdout.strip().splitlines()[-1].replace("-", "")
    assert _query(database, "SELECT status FROM django_tasks_database_dbtaskresult") == [("READY",)]
    # when a worker process starts
    log = tmp_path / "worker.log"
    worker = start_palava("worker", "--interval", "0.2", env=env, log=log)
    try:
        # then it runs the task successfully
        wait_for(
            lambda: _query(
                database,
                "SELECT 1 FROM django_tasks_database_dbtaskresult "
                "WHERE replace(id, '-', '') = ? AND status = 'SUCCESSFUL'",
                task_id,
            ),
            timeout=60,
            what="the enqueued task to succeed",
        )
        # and its scheduler claimed every periodic job under its host:pid id
        claimed = wait_for(
            lambda: _query(
                database,
                "SELECT name FROM core_scheduledjob WHERE last_claimed_by LIKE ?",
                f"%:{worker.pid}",
            ),
            timeout=60,
            what="the scheduler to claim the periodic jobs",
        )
        assert {name for (name,) in claimed} == set(registered_jobs())
        # and the jobs it enqueued ran too
        wait_for(
            lambda: (
                not _query(
                    database,
                    "SELECT 1 FROM django_tasks_database_dbtaskresult WHERE status != 'SUCCESSFUL'",
                )
            ),
            timeout=60,
            what="every enqueued task to succeed",
        )
        # when it receives SIGTERM
        worker.send_signal(signal.SIGTERM)
        # then it stops cleanly
        assert worker.wait(timeout=30) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    assert "stopped" in log.read_text()


def test_worker_refuses_a_backend_that_is_not_the_database(tmp_path: Path) -> None:
    # given the test settings, whose task backend runs tasks immediately
    env = palava_env(tmp_path, DJANGO_SETTINGS_MODULE="palava.config.settings.test")
    # when a worker is started
    result = run_palava("worker", "--no-scheduler", env=env)
    # then it explains why it cannot run
    assert result.returncode != 0
    assert "needs the database task backend" in result.stderr
