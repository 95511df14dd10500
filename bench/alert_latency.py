"""Alert latency (issue #5, "Bench"): from a gateway's webhook answer to the duty officer's
notification, with a real ``palava serve`` and a real ``palava worker`` under load.

Run by ``make bench`` (``bench/run.py`` prints it under ``"alert_latency"``), or alone::

    .venv/bin/python bench/alert_latency.py [--seconds 60] [--rate 100] [--alert-every 2]
                                            [--databases sqlite,postgresql]

Set-up per database (a fresh SQLite data directory; PostgreSQL in a database of its own,
``palava_bench_<random>`` on 127.0.0.1, only when ``DATABASE_URL`` is set or asked for with
``--databases``): a mission, a generic-JSON channel, a duty officer on a team with a catch-all
assignment rule (so new cases go to that officer).

Load: ``--rate`` signed webhook POSTs per second (4 paced client threads) of routine messages
(demo templates that are neither alerts nor urgent), and every ``--alert-every`` seconds one
alert (a security threat or violence report, life-threatening) from a fifth thread.

Latency of an alert = ``Notification.created_at`` of the new-case notice of the case the alert
opened, minus the wall-clock time at which the client had read the webhook's 2xx answer (same
machine, same clock). The notice's ``created_at`` is stamped inside the triage transaction,
so it is also measured as *seen*: a poller reads new notification rows every 50 ms and records
when each became visible (committed), which is what the duty officer's board can show.

Alerts that joined an already open case of their cluster (a near-duplicate of an earlier
alert) have no notice of their own and are counted apart, as are alerts triage did not take for
an alert. Goal: p95 <= 2 s. Nothing is asserted; the figures are printed as JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``palava`` and ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench.intake import (  # noqa: E402
    PLACE_NAMES,
    BenchDatabase,
    HookChannel,
    PalavaProcess,
    bench_database,
    channel_ids,
    free_port,
    palava_env,
    pg_available,
    prepare,
    serve,
    sign,
    untriaged,
    wait_until,
)
from palava.feedback.demo_text import TEMPLATES, compose  # noqa: E402

GOAL_P95_SECONDS = 2.0
CLIENT_THREADS = 4
POLL_SECONDS = 0.05
WARM_UP_MESSAGES = 50
ALERT_CATEGORIES = ("security_threat", "violence_incident")
NOT_ROUTINE = ("security_threat", "violence_incident", "tension_dispute", "spam")
SYLLABLES = ("ka", "lu", "mbo", "nde", "zi", "wa", "to", "ngu", "ri", "sha", "ye", "po", "mu")

SETUP = r"""
import django, sys
django.setup()
from palava.accounts.models import User
from palava.feedback.cases.routing_services import rule_save, team_save
from palava.feedback.triage import categories_ensure
from palava.missions.models import Membership, Mission, Role
mission = Mission.objects.get(slug=sys.argv[1])
user = User.objects.create_user(username="duty", email="duty@example.org")
Membership.objects.create(user=user, mission=mission, role=Role.OFFICER)
categories_ensure(mission)
team = team_save(mission=mission, actor="system:bench", name="Joint operations centre",
                 duty_officer=user)
rule_save(mission=mission, actor="system:bench", name="Everything", team=team)
print(user.pk)
"""


def _nonce(rng: random.Random) -> str:
    """Six invented words: near-duplicate clustering must not merge distinct alerts."""
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in range(6))


def routine_payloads(count: int, rng: random.Random) -> list[dict[str, Any]]:
    templates = [t for t in TEMPLATES if t.urgency == "routine" and t.category not in NOT_ROUTINE]
    return [
        {
            "id": f"load-{i:07d}",
            "from": f"+99997{rng.randint(0, 9_999_999):07d}",
            "text": compose(
                rng.choice(templates),
                rng,
                place=rng.choice(PLACE_NAMES),
                place2=rng.choice(PLACE_NAMES),
            ).text,
        }
        for i in range(count)
    ]


def alert_payloads(count: int, rng: random.Random) -> list[dict[str, Any]]:
    templates = [
        t
        for t in TEMPLATES
        if t.category in ALERT_CATEGORIES
        and t.urgency in ("life_threatening", "urgent")
        and t.language in ("en", "fr")
    ]
    out = []
    for i in range(count):
        text = compose(
            rng.choice(templates),
            rng,
            place=rng.choice(PLACE_NAMES),
            place2=rng.choice(PLACE_NAMES),
        ).text
        out.append(
            {
                "id": f"alert-{i:05d}",
                "from": f"+99998{rng.randint(0, 9_999_999):07d}",
                "text": f"{text} {_nonce(rng)}",
            }
        )
    return out


@dataclass
class Sent:
    """Wall-clock times (``time.time()``) at which each message's 2xx answer had been read."""

    acked_at: dict[str, float] = field(default_factory=dict)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def _post(conn: http.client.HTTPConnection, channel: HookChannel, item: dict[str, Any]) -> bool:
    raw = json.dumps(item).encode()
    conn.request("POST", channel.path, body=raw, headers=sign(channel.secret, raw))
    response = conn.getresponse()
    response.read()
    return 200 <= response.status < 300


def paced_client(
    port: int,
    channel: HookChannel,
    items: Sequence[dict[str, Any]],
    interval: float,
    start: float,
    sent: Sent,
) -> None:
    """Send ``items`` one every ``interval`` seconds from ``start`` (monotonic clock)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for i, item in enumerate(items):
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                ok = _post(conn, channel, item)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            with sent.lock:
                if ok:
                    sent.acked_at[str(item["id"])] = time.time()
                else:
                    sent.failures += 1
    finally:
        conn.close()


def _as_epoch(value: Any) -> float:
    """A timestamp from either database as seconds since the epoch (SQLite stores UTC text)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(str(value).replace(" ", "T"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.timestamp()


class NotificationPoller(threading.Thread):
    """Records when each new-case notification row first became visible to a reader."""

    def __init__(self, db: BenchDatabase) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.seen: dict[int, float] = {}
        self.stop_event = threading.Event()

    def run(self) -> None:
        last = 0
        while not self.stop_event.is_set():
            try:
                rows = self.db.query(
                    "SELECT id FROM feedback_notification WHERE id > ? AND kind = 'new_case' "
                    "ORDER BY id",
                    last,
                )
            except Exception:  # a locked or busy database: try again
                rows = []
            now = time.time()
            for (pk,) in rows:
                self.seen.setdefault(int(pk), now)
                last = max(last, int(pk))
            self.stop_event.wait(POLL_SECONDS)


def _alert_rows(db: BenchDatabase, channel_pk: int) -> list[tuple[Any, ...]]:
    """(provider id, message id, case id, first message id of the case, notice id, notice
    created_at) for every alert message; case/notice columns are NULL when missing."""
    return db.query(
        "SELECT m.provider_message_id, m.id, cm.case_id, "
        "  (SELECT min(c2.message_id) FROM feedback_casemessage c2 WHERE c2.case_id = cm.case_id),"
        "  n.id, n.created_at "
        "FROM feedback_message m "
        "LEFT JOIN feedback_casemessage cm ON cm.message_id = m.id "
        "LEFT JOIN feedback_notification n ON n.case_id = cm.case_id AND n.kind = 'new_case' "
        "WHERE m.channel_id = ? AND m.provider_message_id LIKE ? "
        "ORDER BY m.id, n.id",
        channel_pk,
        "alert-%",
    )


def _summary(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered) + 0.5) - 1)]  # nearest rank
    return {
        "count": len(values),
        "median_s": round(statistics.median(values), 3),
        "p95_s": round(p95, 3),
        "max_s": round(ordered[-1], 3),
    }


def latency_run(
    env: dict[str, str],
    db: BenchDatabase,
    logs: Path,
    *,
    seconds: float,
    rate: float,
    alert_every: float,
    worker_interval: float | None = None,
) -> dict[str, Any]:
    channel = prepare(env, mission="alerts", channels=["gateway"])["gateway"]
    subprocess.run(
        [sys.executable, "-c", SETUP, "alerts"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    channel_pk, mission_pk = channel_ids(db, channel)
    rng = random.Random(11)
    per_thread = int(seconds * rate / CLIENT_THREADS)
    load = routine_payloads(per_thread * CLIENT_THREADS, rng)
    warm = routine_payloads(WARM_UP_MESSAGES, rng)
    for item in warm:
        item["id"] = f"warm-{item['id']}"
    alerts = alert_payloads(int(seconds / alert_every), rng)
    port = free_port()
    server = serve(env, port, logs / "serve.log")
    extra = ["--interval", str(worker_interval)] if worker_interval else []
    worker = PalavaProcess(["worker", *extra], env, logs / "worker.log")
    worker.start()
    poller = NotificationPoller(db)
    sent = Sent()
    try:
        # Warm-up, not measured: the worker's first triage loads the language models.
        paced_client(port, channel, warm, 1 / rate, time.monotonic(), sent)
        wait_until(lambda: untriaged(db, mission_pk) == 0, timeout=300, what="warm-up triage")
        poller.start()
        start = time.monotonic() + 0.5
        threads = [
            threading.Thread(
                target=paced_client,
                args=(port, channel, load[i::CLIENT_THREADS], CLIENT_THREADS / rate, start, sent),
            )
            for i in range(CLIENT_THREADS)
        ]
        threads.append(
            threading.Thread(
                target=paced_client,
                args=(port, channel, alerts, alert_every, start + alert_every / 2, sent),
            )
        )
        begun = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sending = time.perf_counter() - begun
        wait_until(lambda: untriaged(db, mission_pk) == 0, timeout=300, what="triage")
        time.sleep(1)
    finally:
        poller.stop_event.set()
        worker.stop()
        server.stop()
    committed: list[float] = []
    seen: list[float] = []
    joined = no_case = no_notice = 0
    for provider_id, message_id, case_id, first_id, notice_id, created_at in _alert_rows(
        db, channel_pk
    ):
        acked = sent.acked_at.get(str(provider_id))
        if acked is None:
            continue
        if case_id is None:
            no_case += 1
        elif first_id != message_id:
            joined += 1
        elif notice_id is None:
            no_notice += 1
        else:
            committed.append(_as_epoch(created_at) - acked)
            if notice_id in poller.seen:
                seen.append(poller.seen[notice_id] - acked)
    measured = _summary(committed)
    return {
        "database": db.kind,
        "worker_poll_interval_s": worker_interval or "default",
        "load": {
            "routine_messages": len(load),
            "alerts": len(alerts),
            "target_rate_per_s": rate,
            "achieved_rate_per_s": round((len(load) + len(alerts)) / sending, 1),
            "failed_posts": sent.failures,
        },
        "latency_notification_created_at": measured,
        "latency_notification_visible": _summary(seen),
        "alerts_joined_existing_case": joined,
        "alerts_without_case": no_case,
        "alerts_without_notice": no_notice,
        "goal_p95_s": GOAL_P95_SECONDS,
        "meets_goal": bool(measured.get("p95_s") is not None)
        and measured.get("p95_s", 1e9) <= GOAL_P95_SECONDS,
    }


def bench_alert_latency(
    *,
    seconds: float = 60,
    rate: float = 100,
    alert_every: float = 2.0,
    databases: Sequence[str] | None = None,
    worker_interval: float | None = None,
) -> list[dict[str, Any]]:
    if databases is None:
        databases = ("sqlite", "postgresql") if os.environ.get("DATABASE_URL") else ("sqlite",)
    out = []
    for kind in databases:
        if kind == "postgresql" and not pg_available():
            out.append({"database": kind, "skipped": "PostgreSQL does not answer"})
            continue
        with tempfile.TemporaryDirectory(prefix="palava-bench-alerts-") as tmp:
            data_dir = Path(tmp)
            logs = data_dir / "logs"
            logs.mkdir()
            with bench_database(kind, data_dir) as db:
                env = palava_env(data_dir, db.url)
                try:
                    out.append(
                        latency_run(
                            env,
                            db,
                            logs,
                            seconds=seconds,
                            rate=rate,
                            alert_every=alert_every,
                            worker_interval=worker_interval,
                        )
                    )
                except Exception as exc:
                    tail = ""
                    for log in sorted(logs.glob("*.log")):
                        tail += f"\n--- {log.name}\n" + log.read_text(errors="replace")[-1500:]
                    raise RuntimeError(f"{kind}: {exc}{tail}") from exc
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--alert-every", type=float, default=2.0)
    parser.add_argument("--databases", default="")
    parser.add_argument(
        "--worker-interval", type=float, default=None, help="palava worker --interval (seconds)"
    )
    args = parser.parse_args(argv)
    databases = [s.strip() for s in args.databases.split(",") if s.strip()] or None
    result = bench_alert_latency(
        seconds=args.seconds,
        rate=args.rate,
        alert_every=args.alert_every,
        databases=databases,
        worker_interval=args.worker_interval,
    )
    print(json.dumps({"machine_cores": os.cpu_count(), "alert_latency": result}, indent=2))


if __name__ == "__main__":
    main()
