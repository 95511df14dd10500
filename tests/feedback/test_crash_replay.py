"""Exactly-once intake against real processes: ``kill -9`` of ``palava serve`` and
``palava worker`` while messages arrive, and the same messages sent three times at once.

Small versions of the ``make bench`` runs (``bench/intake.py``: 10,000 messages, four kills of
each), through the same harness: real gunicorn and worker processes on a data directory of their
own, clients that retry a message until they get a 2xx as a gateway does. They run on SQLite,
and also on a PostgreSQL database of their own when the suite itself runs on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.intake import (
    BenchDatabase,
    HookChannel,
    bench_database,
    crash_run,
    palava_env,
    pg_available,
    prepare,
    replay_run,
)

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=DATABASES)
def intake(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, str], BenchDatabase, dict[str, HookChannel], Path]]:
    """A migrated database with a mission and two generic-JSON channels, made by the CLI."""
    kind = str(request.param)
    if kind == "postgresql" and not (
        os.environ.get("DATABASE_URL", "").startswith("postgres") and pg_available()
    ):
        pytest.skip("PostgreSQL runs only when the suite runs on PostgreSQL")
    data_dir = tmp_path_factory.mktemp(f"intake-{kind}")
    logs = data_dir / "logs"
    logs.mkdir()
    with bench_database(kind, data_dir) as db:
        env = palava_env(data_dir, db.url)
        channels = prepare(env, mission="intake", channels=["crash", "replay"])
        yield env, db, channels, logs


def test_kill_9_of_server_and_worker_loses_nothing_and_triages_each_message_once(
    intake: tuple[dict[str, str], BenchDatabase, dict[str, HookChannel], Path],
) -> None:
    env, db, channels, logs = intake
    # when 300 messages arrive from 4 clients while the server and the worker are each killed
    # with SIGKILL once, at random moments, and restarted
    report = crash_run(
        env=env,
        db=db,
        channel=channels["crash"],
        messages=300,
        kills=1,
        threads=4,
        logs=logs,
        timeout=120,
    )
    assert report["kills"] == {"server": 1, "worker": 1}, report
    assert report["failed_attempts"], "the clients never noticed the server dying"
    # then every message that got a 2xx is stored, once, and nothing else is
    assert report["acknowledged_distinct"] == 300
    assert report["rows"] == report["rows_distinct"] == 300
    assert report["acknowledged_missing"] == report["rows_never_sent"] == 0
    # and every stored message was triaged, once: none left waiting, and the per-message
    # counters triage increments (reporters' message_count, clusters' size) add up exactly
    assert report["triaged"] == 300
    assert report["untriaged"] == report["left_new"] == 0
    assert report["messages_with_reporter"] == 300
    assert report["reporter_message_count_sum"] == 300
    assert report["cluster_size_sum"] == report["messages_in_clusters"]
    assert report["exactly_once"], report


def test_the_same_messages_sent_three_times_at_once_are_stored_once(
    intake: tuple[dict[str, str], BenchDatabase, dict[str, HookChannel], Path],
) -> None:
    env, db, channels, logs = intake
    # when 200 messages are each sent 3 times, the copies in flight together from 8 clients
    report = replay_run(
        env=env,
        db=db,
        channel=channels["replay"],
        messages=200,
        copies=3,
        threads=8,
        logs=logs,
        timeout=120,
    )
    # then exactly 200 rows exist, and exactly one answer per message said "stored"
    assert report["rows"] == report["rows_distinct"] == 200
    assert report["answers"] == {"stored": 200, "duplicate": 400}, report
    assert report["exactly_once"]
