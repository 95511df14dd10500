"""Intake benchmarks (issue #4, "Measure"): ingest and triage throughput, kill -9 and replay.

Run by ``make bench`` (``bench/run.py`` prints these under ``"intake"``), or alone::

    .venv/bin/python bench/intake.py [--only ingest,triage,crash,replay] [--messages 10000]
                                     [--databases sqlite,postgresql]

Nothing is asserted: every figure is printed as JSON. ``tests/feedback/test_crash_replay.py``
runs small versions of the crash and replay runs with assertions, through the same harness.

1. ``ingest_vs_healthz``: signed generic-JSON webhook POSTs (``/hooks/<uuid>/``, one new message
   each) versus ``GET /healthz`` on the same gunicorn server (2 sync workers) in the same run,
   on SQLite and on PostgreSQL. Requests/s (median of rounds) and their ratio (goal >= 0.5).
2. ``triage``: messages/s of ``triage_pending()`` in one worker process on demo-like messages
   (the demo plan with other seeds, placed on the demo geography). Goal >= 500.
3. ``crash``: 10,000 signed messages from client threads that retry until they get a 2xx (as a
   gateway does), while the web server's and the worker's process groups are killed with
   SIGKILL at random moments and restarted. Then, with the worker running until triage is done:
   every acknowledged message is stored exactly once and every stored message is triaged once
   (``triaged_at`` set, no message left new; reporters' ``message_count`` and clusters'
   ``size`` - counters triage increments once per message - add up to the messages linked).
4. ``replay``: the same 10,000 messages sent 3 times concurrently from 8 clients: exactly
   10,000 rows, 10,000 "stored" answers and 20,000 "duplicate" ones.

PostgreSQL runs use a database of their own, ``palava_bench_<random>`` on 127.0.0.1:5432 (user
``postgres``), dropped afterwards; when that server does not answer they are skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``palava`` and ``bench`` importable
    sys.path.insert(0, str(ROOT))

from palava.feedback.demo_text import SPAM, TEMPLATES, compose  # noqa: E402

BIN = Path(sys.executable).parent
PALAVA = BIN / "palava"
PG_HOST = "127.0.0.1"
PG_PORT = "5432"
PG_USER = "postgres"
ROUNDS = 5
REQUESTS_PER_ROUND = 1500
CLIENT_THREADS = 4
TRIAGE_ROUNDS = 3
# Invented place names for bench messages (the bench mission has no geography).
PLACE_NAMES: tuple[str, ...] = (
    "Kivalunga", "Ndemwamba", "Mwatome", "Tengeku", "Bobisu", "Sate", "Yolele", "Lume",
    "Mabwabo", "Mwalo", "Wakindu", "Tanyaki", "Totu", "Ndashi", "Zimu", "Keki",
)  # fmt: skip


# --- Processes and databases -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def palava_env(data_dir: Path, database_url: str) -> dict[str, str]:
    """A fresh shell's environment (none of the caller's Palava settings) for one data dir."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PALAVA_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        PALAVA_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="palava.config.settings.dev",
        PALAVA_DEBUG="0",
    )
    return env


def run_palava(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    result = subprocess.run(
        [str(PALAVA), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"palava {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout.strip()


class PalavaProcess:
    """``palava serve`` or ``palava worker`` in a session of its own (SIGKILL takes its
    children, e.g. gunicorn's workers, with it), restartable."""

    def __init__(self, args: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.args = list(args)
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(PALAVA), *self.args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def _signal_group(self, signum: int) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)

    def kill9(self) -> None:
        """SIGKILL the whole process group, as a power cut would."""
        self._signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.proc is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.proc.wait(timeout=20)
        self._signal_group(signal.SIGKILL)  # any straggler of the group


def healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def serve(env: dict[str, str], port: int, log: Path) -> PalavaProcess:
    server = PalavaProcess(["serve", "--port", str(port), "--workers", "2"], env, log)
    server.start()
    wait_until(lambda: healthy(port), timeout=60, what="palava serve")
    return server


def pg_available() -> bool:
    try:
        result = subprocess.run(
            ["pg_isready", "-h", PG_HOST, "-p", PG_PORT, "-q"],
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


@dataclass
class BenchDatabase:
    """A database of the bench's own: an SQLite file, or a PostgreSQL database it created."""

    kind: str
    url: str
    path: Path | None = None  # SQLite file

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one read-only query (``?`` placeholders) outside Django."""
        if self.path is not None:
            with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
                return db.execute(sql, params).fetchall()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()

    def scalar(self, sql: str, *params: Any) -> Any:
        rows = self.query(sql, *params)
        return rows[0][0] if rows else None


@contextlib.contextmanager
def bench_database(kind: str, data_dir: Path) -> Iterator[BenchDatabase]:
    """A fresh database: SQLite in ``data_dir``, or ``palava_bench_<random>`` on PostgreSQL."""
    if kind == "sqlite":
        path = data_dir / "palava.sqlite3"
        yield BenchDatabase(kind, f"sqlite:///{path}", path)
        return
    name = f"palava_bench_{secrets.token_hex(4)}"
    admin = ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]
    subprocess.run(["createdb", *admin, name], check=True, timeout=60)
    try:
        yield BenchDatabase(kind, f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}")
    finally:
        subprocess.run(["dropdb", *admin, "--if-exists", "--force", name], check=False, timeout=120)


# --- Channels and signed messages ------------------------------------------------------------


@dataclass(frozen=True)
class HookChannel:
    uuid: str
    secret: str

    @property
    def path(self) -> str:
        return f"/hooks/{self.uuid}/"


def prepare(
    env: dict[str, str], *, mission: str, channels: Sequence[str]
) -> dict[str, HookChannel]:
    """Migrate, create a mission and generic-JSON channels (``palava channel create --json``)."""
    run_palava(env, "migrate", "--no-input", "--verbosity", "0")
    run_palava(env, "mission", "create", "--slug", mission, "--name", mission, "--country", "COD")
    out: dict[str, HookChannel] = {}
    for name in channels:
        printed = run_palava(
            env, "channel", "create", "--mission", mission, "--type", "generic", "--name", name,
            "--json",
        )  # fmt: skip
        data = json.loads(printed.splitlines()[-1])
        out[name] = HookChannel(uuid=data["uuid"], secret=data["secret"])
    return out


def sign(secret: str, raw: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The generic channel's headers: ``sha256=hex(HMAC(secret, "<ts>." + body))``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Palava-Timestamp": stamp,
        "X-Palava-Signature": f"sha256={mac}",
    }


def payloads(count: int, *, prefix: str, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` realistic gateway payloads (demo templates, 300 senders), ids ``prefix-N``."""
    rng = random.Random(seed)
    senders = [f"+99997{rng.randint(0, 9_999_999):07d}" for _ in range(300)]
    templates = [t for t in TEMPLATES if t.category != SPAM]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    for i in range(count):
        template = rng.choice(templates)
        text = compose(
            template, rng, place=rng.choice(PLACE_NAMES), place2=rng.choice(PLACE_NAMES)
        ).text
        out.append(
            {
                "id": f"{prefix}-{i:06d}",
                "from": rng.choice(senders),
                "text": text,
                "sent_at": (start + timedelta(seconds=37 * i)).isoformat(),
            }
        )
    return out


# --- Clients -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the clients saw: answers by ``status`` field, acknowledged ids, failed attempts."""

    answers: Counter[str] = field(default_factory=Counter)
    acked: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, provider_id: str, answer: str) -> None:
        with self.lock:
            self.answers[answer] += 1
            self.acked[provider_id] += 1

    def fail(self, reason: str) -> None:
        with self.lock:
            self.failures[reason] += 1

    def attempt(self) -> None:
        with self.lock:
            self.attempts += 1

    @property
    def acknowledged(self) -> int:
        with self.lock:
            return sum(self.acked.values())


def send_until_2xx(
    port: int,
    channel: HookChannel,
    items: Sequence[dict[str, Any]],
    outcome: Outcome,
    *,
    deadline: float,
) -> None:
    """Send each item, retrying (fresh signature, backing off) until the server answers 2xx."""
    rng = random.Random()
    conn: http.client.HTTPConnection | None = None
    for item in items:
        raw = json.dumps(item).encode()
        pause = 0.05
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("the clients ran out of time")
            outcome.attempt()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", channel.path, body=raw, headers=sign(channel.secret, raw))
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                outcome.fail(type(exc).__name__)
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(pause * rng.uniform(0.5, 1.5))
                pause = min(pause * 2, 0.5)
                continue
            if 200 <= response.status < 300:
                outcome.record(str(item["id"]), str(json.loads(body).get("status", "")))
                break
            outcome.fail(f"HTTP {response.status}")
            time.sleep(pause * rng.uniform(0.5, 1.5))
            pause = min(pause * 2, 0.5)
    if conn is not None:
        conn.close()


def run_clients(
    port: int,
    channel: HookChannel,
    queues: Sequence[Sequence[dict[str, Any]]],
    *,
    timeout: float,
    outcome: Outcome | None = None,
) -> tuple[Outcome, float]:
    """One thread per queue; returns the outcome and the seconds it took."""
    outcome = outcome if outcome is not None else Outcome()
    errors: list[BaseException] = []
    deadline = time.monotonic() + timeout

    def client(items: Sequence[dict[str, Any]]) -> None:
        try:
            send_until_2xx(port, channel, items, outcome, deadline=deadline)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(q,), daemon=True) for q in queues]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return outcome, time.perf_counter() - start


def hammer_get(port: int, path: str, total: int) -> float:
    """Requests/s of ``total`` GETs over CLIENT_THREADS connections (as bench/run.py)."""
    per_thread = total // CLIENT_THREADS
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for _ in range(per_thread):
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{path}: HTTP {response.status}")
                    return
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(failures[0])
    return per_thread * CLIENT_THREADS / elapsed


def hammer_hook(port: int, channel: HookChannel, items: Sequence[dict[str, Any]]) -> float:
    """Requests/s of signed POSTs, each a new message (signed before the clock starts)."""
    per_thread = len(items) // CLIENT_THREADS
    signed = []
    for item in items[: per_thread * CLIENT_THREADS]:
        raw = json.dumps(item).encode()
        signed.append((raw, sign(channel.secret, raw)))
    failures: list[str] = []

    def client(chunk: Sequence[tuple[bytes, dict[str, str]]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for raw, headers in chunk:
                conn.request("POST", channel.path, body=raw, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                if response.status != 200 or b'"stored"' not in answer:
                    failures.append(f"webhook: HTTP {response.status} {answer[:200]!r}")
                    return
        finally:
            conn.close()

    chunks = [signed[i * per_thread : (i + 1) * per_thread] for i in range(CLIENT_THREADS)]
    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(failures[0])
    return len(signed) / elapsed


# --- Checks ------------------------------------------------------------------------------------


def channel_ids(db: BenchDatabase, channel: HookChannel) -> tuple[int, int]:
    """(channel pk, mission pk) of a channel (SQLite keeps UUIDs as 32 hex digits)."""
    key = channel.uuid.replace("-", "") if db.kind == "sqlite" else channel.uuid
    rows = db.query("SELECT id, mission_id FROM feedback_channel WHERE public_id = ?", key)
    return int(rows[0][0]), int(rows[0][1])


def untriaged(db: BenchDatabase, mission_id: int) -> int:
    return int(
        db.scalar(
            "SELECT count(*) FROM feedback_message WHERE mission_id = ? AND triaged_at IS NULL",
            mission_id,
        )
    )


def exactly_once_report(
    db: BenchDatabase, channel: HookChannel, sent: set[str], outcome: Outcome
) -> dict[str, Any]:
    """Stored once, triaged once: the figures, and whether every check holds."""
    channel_id, mission_id = channel_ids(db, channel)
    rows = db.query(
        "SELECT provider_message_id, triaged_at IS NOT NULL, triage_version, status "
        "FROM feedback_message WHERE channel_id = ?",
        channel_id,
    )
    stored = Counter(str(r[0]) for r in rows)
    linked_reporter = int(
        db.scalar(
            "SELECT count(*) FROM feedback_message "
            "WHERE mission_id = ? AND reporter_id IS NOT NULL",
            mission_id,
        )
    )
    reporter_counts = int(
        db.scalar(
            "SELECT coalesce(sum(message_count), 0) FROM feedback_reporter WHERE mission_id = ?",
            mission_id,
        )
    )
    clustered = int(
        db.scalar(
            "SELECT count(*) FROM feedback_message WHERE mission_id = ? AND cluster_id IS NOT NULL",
            mission_id,
        )
    )
    cluster_sizes = int(
        db.scalar(
            "SELECT coalesce(sum(size), 0) FROM feedback_cluster WHERE mission_id = ?", mission_id
        )
    )
    report: dict[str, Any] = {
        "sent_distinct": len(sent),
        "acknowledged_distinct": len(outcome.acked),
        "acknowledged_total": sum(outcome.acked.values()),
        "answers": dict(outcome.answers),
        "rows": len(rows),
        "rows_distinct": len(stored),
        "rows_duplicated": sum(c - 1 for c in stored.values()),
        "acknowledged_missing": len(set(outcome.acked) - set(stored)),
        "rows_never_sent": len(set(stored) - sent),
        "triaged": sum(1 for r in rows if r[1]),
        "untriaged": sum(1 for r in rows if not r[1]),
        "left_new": sum(1 for r in rows if r[3] == "new"),
        "triage_versions": dict(Counter(str(r[2]) for r in rows)),
        "reporter_message_count_sum": reporter_counts,
        "messages_with_reporter": linked_reporter,
        "cluster_size_sum": cluster_sizes,
        "messages_in_clusters": clustered,
    }
    report["exactly_once"] = bool(
        report["rows"] == report["rows_distinct"] == len(outcome.acked)
        and report["acknowledged_missing"] == 0
        and report["rows_never_sent"] == 0
        and report["untriaged"] == 0
        and report["left_new"] == 0
        and reporter_counts == linked_reporter
        and cluster_sizes == clustered
    )
    return report


# --- Crash and replay runs ---------------------------------------------------------------------


def crash_run(
    *,
    env: dict[str, str],
    db: BenchDatabase,
    channel: HookChannel,
    messages: int,
    kills: int,
    threads: int,
    logs: Path,
    seed: int = 11,
    timeout: float = 1200,
) -> dict[str, Any]:
    """Send ``messages`` while killing the server and the worker ``kills`` times each."""
    rng = random.Random(seed)
    items = payloads(messages, prefix=f"crash{seed}", seed=seed)
    port = free_port()
    server = serve(env, port, logs / "crash-serve.log")
    worker = PalavaProcess(["worker", "--interval", "0.2"], env, logs / "crash-worker.log")
    worker.start()
    victims = {"server": server, "worker": worker}
    plan = ["server"] * kills + ["worker"] * kills
    rng.shuffle(plan)
    # Kill when the acknowledged count crosses random points of the run, so every kill lands
    # while messages are in flight.
    marks = sorted(rng.uniform(0.05, 0.9) * messages for _ in plan)
    events: list[dict[str, Any]] = []
    stop = threading.Event()
    queues = [items[i::threads] for i in range(threads)]
    outcome = Outcome()

    def chaos() -> None:
        for victim, mark in zip(plan, marks, strict=True):
            while not stop.is_set() and outcome.acknowledged < mark:
                time.sleep(0.02)
            if stop.is_set():
                return
            acked = outcome.acknowledged
            victims[victim].kill9()
            events.append({"killed": victim, "acknowledged_so_far": acked})
            time.sleep(rng.uniform(0.1, 0.8))
            victims[victim].start()

    killer = threading.Thread(target=chaos, daemon=True)
    try:
        killer.start()
        started = time.perf_counter()
        try:
            run_clients(port, channel, queues, timeout=timeout, outcome=outcome)
        finally:
            stop.set()
            killer.join(timeout=60)
        ingest_seconds = time.perf_counter() - started
        for proc in victims.values():
            if not proc.alive:
                proc.start()
        _channel_id, mission_id = channel_ids(db, channel)
        wait_until(lambda: untriaged(db, mission_id) == 0, timeout=timeout, what="triage to finish")
        triage_seconds = time.perf_counter() - started - ingest_seconds
        time.sleep(1.0)  # a batch in flight would still show in the counters
        report = exactly_once_report(db, channel, {str(i["id"]) for i in items}, outcome)
        # Tasks a killed worker left "running" show that kills landed during triage runs.
        report["task_results"] = {
            str(status): int(count)
            for status, count in db.query(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
            )
        }
    finally:
        stop.set()
        server.stop()
        worker.stop()
    report.update(
        database=db.kind,
        messages=messages,
        client_threads=threads,
        kills={"server": server.kills, "worker": worker.kills},
        kill_events=events,
        failed_attempts=dict(outcome.failures),
        attempts=outcome.attempts,
        ingest_seconds=round(ingest_seconds, 1),
        triage_after_ingest_seconds=round(triage_seconds, 1),
    )
    return report


def replay_run(
    *,
    env: dict[str, str],
    db: BenchDatabase,
    channel: HookChannel,
    messages: int,
    copies: int,
    threads: int,
    logs: Path,
    timeout: float = 1200,
) -> dict[str, Any]:
    """Each message sent ``copies`` times at once by different clients."""
    items = payloads(messages, prefix="replay", seed=13)
    # Copy k of message i goes to client (i + k) % threads: the copies of one message are in
    # flight together, from different connections.
    queues: list[list[dict[str, Any]]] = [[] for _ in range(threads)]
    for i, item in enumerate(items):
        for k in range(copies):
            queues[(i + k) % threads].append(item)
    port = free_port()
    server = serve(env, port, logs / "replay-serve.log")
    try:
        outcome, seconds = run_clients(port, channel, queues, timeout=timeout)
    finally:
        server.stop()
    channel_id, _mission_id = channel_ids(db, channel)
    rows = int(db.scalar("SELECT count(*) FROM feedback_message WHERE channel_id = ?", channel_id))
    distinct = int(
        db.scalar(
            "SELECT count(DISTINCT provider_message_id) FROM feedback_message WHERE channel_id = ?",
            channel_id,
        )
    )
    return {
        "database": db.kind,
        "messages": messages,
        "copies": copies,
        "client_threads": threads,
        "requests": messages * copies,
        "answers": dict(outcome.answers),
        "failed_attempts": dict(outcome.failures),
        "rows": rows,
        "rows_distinct": distinct,
        "exactly_once": rows == distinct == messages
        and outcome.answers.get("stored", 0) == messages
        and outcome.answers.get("duplicate", 0) == messages * (copies - 1),
        "seconds": round(seconds, 1),
        "requests_per_second": round(messages * copies / seconds, 1),
    }


# --- The benchmarks ----------------------------------------------------------------------------


def bench_ingest(env: dict[str, str], db: BenchDatabase, logs: Path) -> dict[str, Any]:
    channel = prepare(env, mission="bench", channels=["ingest"])["ingest"]
    port = free_port()
    server = serve(env, port, logs / f"ingest-{db.kind}.log")
    try:
        hammer_get(port, "/healthz", 200)  # warm-up
        hammer_hook(port, channel, payloads(200, prefix="warm", seed=1))
        base, hook = [], []
        for r in range(ROUNDS):
            batch = payloads(REQUESTS_PER_ROUND, prefix=f"ingest{r}", seed=100 + r)
            base.append(hammer_get(port, "/healthz", REQUESTS_PER_ROUND))
            hook.append(hammer_hook(port, channel, batch))
    finally:
        server.stop()
    b, h = statistics.median(base), statistics.median(hook)
    return {
        "name": "ingest_webhook_vs_healthz",
        "database": db.kind,
        "unit": "requests/s (median of rounds), gunicorn 2 sync workers, 4 client threads",
        "baseline_healthz": round(b, 1),
        "signed_generic_webhook": round(h, 1),
        "ratio_webhook_to_baseline": round(h / b, 3),
        "goal_ratio": 0.5,
        "rounds": ROUNDS,
        "requests_per_round": REQUESTS_PER_ROUND,
    }


TRIAGE_SCRIPT = r"""
import json, statistics, sys, time
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from palava.feedback.channel_services import channel_create
from palava.feedback.demo import demo_places, messages_store
from palava.feedback.demo_plan import SEED, demo_messages
from palava.feedback.language import detect_language
from palava.feedback.models import Channel, ChannelType, Message
from palava.feedback.triage import triage_pending
from palava.missions.models import Mission

rounds = int(sys.argv[1])
mission = Mission.objects.get(slug="demo")
places = demo_places(mission)
webform = Channel.objects.get(mission=mission, channel_type=ChannelType.WEBFORM, is_active=True)
rates, counts, detect = [], [], []
for r in range(rounds):
    now = timezone.now()
    plan = demo_messages(places, now=now, seed=SEED + 1000 + r)
    with transaction.atomic():
        channels = {"webform": webform}
        for kind in ("twilio", "africastalking", "generic", "hotline"):
            channels[kind] = channel_create(
                actor="bench", mission=mission, name=f"bench {r} {kind}", channel_type=kind,
                secret="b" * 32 if kind == "twilio" else None,
            ).channel
        created = sum(messages_store(mission, channels, plan, now=now).values())
    bodies = [p.body for p in plan]
    t = time.perf_counter()
    for body in bodies:
        detect_language(body)
    detect.append(len(bodies) / (time.perf_counter() - t))
    t = time.perf_counter()
    done = 0
    while True:
        n = triage_pending()
        if not n:
            break
        done += n
    rates.append(done / (time.perf_counter() - t))
    counts.append(done)
print(json.dumps({"rates": rates, "counts": counts, "detect": detect}))
"""


def bench_triage(env: dict[str, str], db: BenchDatabase) -> dict[str, Any]:
    run_palava(env, "demo", "--no-serve")  # the demo geography, taxonomy and trained models
    result = subprocess.run(
        [sys.executable, "-c", TRIAGE_SCRIPT, str(TRIAGE_ROUNDS)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "name": "triage_per_worker_process",
        "database": db.kind,
        "unit": "messages/s, one process, triage_pending() on demo-like messages (median)",
        "messages_per_round": data["counts"],
        "triage_messages_per_second": round(statistics.median(data["rates"]), 1),
        "language_detection_alone_per_second": round(statistics.median(data["detect"]), 1),
        "goal": 500,
        "rounds": TRIAGE_ROUNDS,
    }


def _with_database(
    kind: str, work: Callable[[dict[str, str], BenchDatabase, Path], dict[str, Any]]
) -> dict[str, Any]:
    if kind == "postgresql" and not pg_available():
        return {"database": kind, "skipped": "PostgreSQL does not answer on 127.0.0.1:5432"}
    with tempfile.TemporaryDirectory(prefix="palava-bench-intake-") as tmp:
        data_dir = Path(tmp)
        logs = data_dir / "logs"
        logs.mkdir()
        with bench_database(kind, data_dir) as db:
            env = palava_env(data_dir, db.url)
            try:
                return work(env, db, logs)
            except Exception as exc:
                tail = ""
                for log in sorted(logs.glob("*.log")):
                    tail += f"\n--- {log.name}\n" + log.read_text(errors="replace")[-1500:]
                raise RuntimeError(f"{kind}: {exc}{tail}") from exc


def bench_intake(
    *,
    only: Sequence[str] = ("ingest", "triage", "crash", "replay"),
    messages: int = 10_000,
    databases: Sequence[str] = ("sqlite", "postgresql"),
) -> dict[str, Any]:
    """Every intake figure, by benchmark then database."""
    out: dict[str, Any] = {}
    if "ingest" in only:
        out["ingest_vs_healthz"] = [
            _with_database(k, lambda e, d, logs: bench_ingest(e, d, logs)) for k in databases
        ]
    if "triage" in only:
        out["triage"] = [_with_database(k, lambda e, d, _l: bench_triage(e, d)) for k in databases]
    if "crash" in only:

        def crash(env: dict[str, str], db: BenchDatabase, logs: Path) -> dict[str, Any]:
            channel = prepare(env, mission="crash", channels=["crash"])["crash"]
            return crash_run(
                env=env, db=db, channel=channel, messages=messages, kills=4, threads=8, logs=logs
            )

        out["crash"] = [_with_database(k, crash) for k in databases]
    if "replay" in only:

        def replay(env: dict[str, str], db: BenchDatabase, logs: Path) -> dict[str, Any]:
            channel = prepare(env, mission="replay", channels=["replay"])["replay"]
            return replay_run(
                env=env, db=db, channel=channel, messages=messages, copies=3, threads=8, logs=logs
            )

        out["replay"] = [_with_database(k, replay) for k in databases]
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="ingest,triage,crash,replay")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    result = bench_intake(
        only=[s.strip() for s in args.only.split(",") if s.strip()],
        messages=args.messages,
        databases=[s.strip() for s in args.databases.split(",") if s.strip()],
    )
    print(json.dumps({"machine_cores": os.cpu_count(), "intake": result}, indent=2))


if __name__ == "__main__":
    main()
