"""Benchmarks: print JSON with medians and ratios against a baseline measured in the same run.

Run with ``make bench``. Nothing here asserts a time; the numbers are for people to compare.

1. HTTP: ``GET /api/v1/me`` (bearer-token auth, one token lookup) versus ``GET /healthz`` (a
   trivial view running ``SELECT 1``) on the same gunicorn server (2 sync workers, SQLite).
2. Audit: appending a hash-chained audit row (``audit_record``) versus a plain single-row insert,
   each in its own transaction, same database.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ROUNDS = 5
REQUESTS_PER_ROUND = 1500
CLIENT_THREADS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_palava(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(BIN / "palava"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout.strip()


def hammer(port: int, path: str, headers: dict[str, str], total: int) -> float:
    """Requests per second for ``total`` keep-alive GETs over CLIENT_THREADS connections."""
    per_thread = total // CLIENT_THREADS
    errors: list[str] = []

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            for _ in range(per_thread):
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{path}: HTTP {response.status}")
                    return
        except OSError as exc:  # connection refused while the server starts, or reset
            errors.append(f"{path}: {exc}")
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(errors[0])
    return per_thread * CLIENT_THREADS / elapsed


def bench_http(env: dict[str, str]) -> dict[str, object]:
    run_palava(env, "migrate", "--no-input")
    run_palava(env, "mission", "create", "--slug", "bench", "--name", "Bench", "--country", "COD")
    run_palava(
        env,
        "user",
        "create",
        "--username",
        "bencher",
        "--password-stdin",
        stdin="bench-password-2026\n",
    )
    run_palava(
        env, "mission", "add-member", "--mission", "bench", "--user", "bencher", "--role", "officer"
    )
    token = run_palava(env, "token", "create", "--user", "bencher", "--mission", "bench")
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "palava"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                hammer(port, "/healthz", {}, CLIENT_THREADS)
                break
            except RuntimeError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        auth = {"Authorization": f"Bearer {token}"}
        hammer(port, "/api/v1/me", auth, 200)  # warm-up
        base, api = [], []
        for _ in range(ROUNDS):
            base.append(hammer(port, "/healthz", {}, REQUESTS_PER_ROUND))
            api.append(hammer(port, "/api/v1/me", auth, REQUESTS_PER_ROUND))
    finally:
        server.terminate()
        server.wait(timeout=20)
    b, a = statistics.median(base), statistics.median(api)
    return {
        "name": "api_me_vs_healthz",
        "unit": "requests/s (median of rounds)",
        "baseline_healthz": round(b, 1),
        "api_me": round(a, 1),
        "ratio_api_to_baseline": round(a / b, 3),
        "rounds": ROUNDS,
        "requests_per_round": REQUESTS_PER_ROUND,
    }


def bench_audit(env: dict[str, str]) -> dict[str, object]:
    code = r"""
import json, statistics, time
import django
django.setup()
from django.db import transaction
from palava.audit.services import audit_record
from palava.core.models import ScheduledJob
N = 400
plain, chained = [], []
for r in range(5):
    t = time.perf_counter()
    for i in range(N):
        with transaction.atomic():
            ScheduledJob.objects.create(name=f"bench-{r}-{i}", next_run_at="2030-01-01T00:00Z")
    plain.append(N / (time.perf_counter() - t))
    t = time.perf_counter()
    for i in range(N):
        with transaction.atomic():
            audit_record(actor=None, action="bench.append", changes={"i": i})
    chained.append(N / (time.perf_counter() - t))
ScheduledJob.objects.filter(name__startswith="bench-").delete()
print(json.dumps({"plain": statistics.median(plain), "chained": statistics.median(chained)}))
"""
    out = (
        subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    data = json.loads(out)
    return {
        "name": "audit_append_vs_plain_insert",
        "unit": "rows/s, one transaction each (median of 5 rounds of 400)",
        "baseline_plain_insert": round(data["plain"], 1),
        "audit_record": round(data["chained"], 1),
        "ratio_audit_to_baseline": round(data["chained"] / data["plain"], 3),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="palava-bench-") as tmp:
        env = dict(os.environ)
        env.update(
            {
                "PALAVA_DATA_DIR": tmp,
                "DJANGO_SETTINGS_MODULE": "palava.config.settings.dev",
                "PALAVA_DEBUG": "0",
            }
        )
        env.pop("DATABASE_URL", None)
        results = [bench_http(env), bench_audit(env)]
    print(json.dumps({"machine_cores": os.cpu_count(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
