"""Benchmarks: print JSON with medians and ratios against a baseline measured in the same run.

Run with ``make bench``. Nothing here asserts a time; the numbers are for people to compare.

1. HTTP: ``GET /api/v1/me`` (bearer-token auth, one token lookup) versus ``GET /healthz`` (a
   trivial view running ``SELECT 1``) on the same gunicorn server (2 sync workers, SQLite).
2. Audit: appending a hash-chained audit row (``audit_record``) versus a plain single-row insert,
   each in its own transaction, same database.
3. Gazetteer import: rows/s of ``palava import places`` (validation, hierarchy, change report,
   one transaction) on a generated 30,000-row gazetteer, versus parsing the same CSV and
   bulk-inserting the rows with no checks at all.
4. Locating: ``locate_admin_unit`` (STRtree over the demo geography's 108 polygons) versus testing
   every polygon with shapely in turn, points per second.
5. Intake (``"intake"``, see ``bench/intake.py``): signed webhook versus ``/healthz`` on SQLite
   and PostgreSQL, triage messages/s, and the kill -9 and replay exactly-once runs.
6. Survey estimates (``"estimates"``, see ``bench/estimates.py``): ``estimate_many`` on 100,000
   rows x 50 questions by 3 disaggregation variables versus samplics' ``TaylorEstimator``.
7. Engagement (``"engagement"``, see ``bench/engagement.py``): the commitment reminder scan
   (idle, and a burst of 1,000) versus ``COUNT(*)``, inclusion by place and the engagement plan
   versus a ``SUM``, and the 3W CSV export versus the ``csv`` module, on a large generated mission.
8. Cultural context (``"context"``, see ``bench/context.py``): the activity clash check and the
   ``calendar_clashes`` API, a year of the whole calendar, and a province dossier (gather, HTML,
   PDF, sizes, pages) on the demo data, versus reading one mission row (and ``/api/v1/me``).
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
from typing import Any

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


GAZETTEER_BENCH = r"""
import csv, json, random, statistics, sys, tempfile, time
from pathlib import Path
from typing import Any
import django
django.setup()
from django.db import transaction
from palava.core.services import job_create
from palava.missions.services import mission_create
from palava.places.importers.service import places_import
from palava.places.models import AdminUnit
rng = random.Random(7)
tmp = Path(tempfile.mkdtemp())
rows = []
for c in range(10):
    iso = "X" + chr(65 + c) + "Z"; pre = "X" + chr(65 + c)
    for a1 in range(1, 31):
        p1 = f"{pre}{a1:02d}"
        rows.append([iso, 1, p1, f"Province {iso} {a1}", iso, "2024-01-01"])
        for a2 in range(1, 100):
            rows.append([iso, 2, f"{p1}{a2:03d}", f"District {p1} {a2}", p1, "2024-01-01"])
path = tmp / "gazetteer.csv"
with path.open("w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Location", "Admin Level", "P-Code", "Name", "Parent P-Code", "Valid from date"])
    w.writerows(rows)
ours, base = [], []
for r in range(3):
    m = mission_create(actor=None, slug=f"g{r}", name=f"G{r}", country="COD", languages=["en"])
    job = job_create(actor=None, mission=m, kind="places.import")
    t = time.perf_counter()
    out = places_import(mission=m, actor=None, job=job, path=path)
    ours.append(len(rows) / (time.perf_counter() - t))
    assert out.ok, out.errors
    m2 = mission_create(actor=None, slug=f"b{r}", name=f"B{r}", country="COD", languages=["en"])
    t = time.perf_counter()
    with path.open() as f, transaction.atomic():
        reader = csv.reader(f); next(reader)
        AdminUnit.objects.bulk_create(
            [AdminUnit(mission=m2, pcode=row[2], level=int(row[1]), country=row[0],
                       name=row[3], path="/" + row[2] + "/") for row in reader],
            batch_size=2000)
    base.append(len(rows) / (time.perf_counter() - t))
print(json.dumps({"rows": len(rows), "ours": statistics.median(ours),
                  "base": statistics.median(base)}))
"""

LOCATE_BENCH = r"""
import json, random, statistics, time
import django
django.setup()
from shapely.geometry import Point, box
from palava.missions.models import Mission
from palava.places.locate import Area, AreaIndex, area_index, geometry_from_geojson
from palava.places.locate import locate_admin_unit
from palava.places.models import AdminUnit

def rate(fn, pts):
    t = time.perf_counter()
    out = [fn(a, b) for a, b in pts]
    return len(pts) / (time.perf_counter() - t), out

def naive(areas):
    def find(a, b):
        p = Point(b, a)
        inside = [x for x in areas if x.geometry.covers(p)]
        return max(inside, key=lambda x: x.level).unit_id if inside else None
    return find

rng = random.Random(3)
mission = Mission.objects.get(slug="demo")
units = AdminUnit.objects.filter(mission=mission).exclude(boundary=None)
demo = [Area(unit_id=u.pk, level=u.level, pcode=u.pcode,
             geometry=geometry_from_geojson(u.boundary)) for u in units]
lats = [u.centroid_lat for u in units]
lons = [u.centroid_lon for u in units]
pts = [(rng.uniform(min(lats) - .3, max(lats) + .3), rng.uniform(min(lons) - .3, max(lons) + .3))
       for _ in range(2000)]
area_index(mission)
grid = [Area(unit_id=i * 70 + j, level=3, pcode=f"G{i:02d}{j:02d}",
             geometry=box(j * .1, i * .1, (j + 1) * .1, (i + 1) * .1))
        for i in range(70) for j in range(70)]
grid_index = AreaIndex(grid)
gpts = [(rng.uniform(0, 7), rng.uniform(0, 7)) for _ in range(2000)]
res = {"e2e": [], "demo_naive": [], "grid_index": [], "grid_naive": []}
for _ in range(5):
    r, e2e = rate(lambda a, b: getattr(locate_admin_unit(mission=mission, lat=a, lon=b), "pk",
                                       None), pts)
    res["e2e"].append(r)
    r, slow = rate(naive(demo), pts)
    res["demo_naive"].append(r)
    r, fast = rate(lambda a, b: getattr(grid_index.find(lat=a, lon=b), "unit_id", None), gpts)
    res["grid_index"].append(r)
    r, slow_grid = rate(naive(grid), gpts[:400])
    res["grid_naive"].append(r)
out = {k: statistics.median(v) for k, v in res.items()}
out.update(demo_units=len(demo), grid_units=len(grid), points=len(pts),
           agree_demo=sum(x == y for x, y in zip(e2e, slow)),
           agree_grid=sum(x == y for x, y in zip(fast, slow_grid)))
print(json.dumps(out))
"""


def _run_script(env: dict[str, str], code: str) -> dict[str, Any]:
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
    return dict(json.loads(out))


def bench_gazetteer(env: dict[str, str]) -> dict[str, object]:
    data = _run_script(env, GAZETTEER_BENCH)
    return {
        "name": "gazetteer_import_vs_raw_bulk_insert",
        "unit": f"rows/s, {data['rows']} rows, median of 3 (SQLite)",
        "baseline_raw_bulk_insert": round(data["base"], 1),
        "palava_import": round(data["ours"], 1),
        "ratio_import_to_baseline": round(data["ours"] / data["base"], 3),
    }


def bench_locate(env: dict[str, str]) -> dict[str, object]:
    run_palava(env, "demo", "--no-serve")
    data = _run_script(env, LOCATE_BENCH)
    return {
        "name": "locate_point_in_polygon",
        "unit": "points/s, median of 5 rounds of 2000 random points",
        "grid": f"{data['grid_units']} square units (national admin-3 size), pure index",
        "baseline_naive_scan_grid": round(data["grid_naive"], 1),
        "strtree_index_grid": round(data["grid_index"], 1),
        "ratio_index_to_baseline_grid": round(data["grid_index"] / data["grid_naive"], 1),
        "demo": f"{data['demo_units']} demo polygons, end to end from the database",
        "baseline_naive_scan_demo_in_memory": round(data["demo_naive"], 1),
        "locate_admin_unit_demo_end_to_end": round(data["e2e"], 1),
        "ratio_end_to_end_to_in_memory_scan_demo": round(data["e2e"] / data["demo_naive"], 3),
        "agreement": f"demo {data['agree_demo']}/2000, grid {data['agree_grid']}/400",
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
        results = [bench_http(env), bench_audit(env), bench_gazetteer(env), bench_locate(env)]
    # Intake (issue #4): webhook ingest, triage, kill -9 and replay runs; own data directories.
    sys.path.insert(0, str(ROOT))
    from bench.intake import bench_intake

    intake = bench_intake()
    # The alert-to-response chain (issue #5): webhook 2xx -> duty officer's notification.
    from bench.alert_latency import bench_alert_latency

    alert_latency = bench_alert_latency()
    # Survey estimates (assessments): estimate_many versus samplics' TaylorEstimator.
    from bench.estimates import run as bench_estimates

    estimates = bench_estimates()
    # Engagement (issue #7): reminder scan, inclusion, plan and 3W export on a large mission.
    from bench.engagement import run as bench_engagement

    engagement = bench_engagement()
    # Cultural context (issue #8): calendar clash check, a year of the calendar, dossiers.
    from bench.context import run as bench_context

    context = bench_context()
    print(
        json.dumps(
            {
                "machine_cores": os.cpu_count(),
                "results": results,
                "intake": intake,
                "alert_latency": alert_latency,
                "estimates": estimates,
                "engagement": engagement,
                "context": context,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
