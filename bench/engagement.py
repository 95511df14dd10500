"""Engagement benchmarks (issue #7): reminder scan, inclusion, engagement plan and 3W export.

Run by ``make bench`` (``bench/run.py`` prints these under ``"engagement"``), or alone::

    .venv/bin/python bench/engagement.py

A throw-away SQLite data directory (migrated afresh) is filled with a large mission generated
with bulk inserts: 300 places over 3 admin levels (12 x 4 x 5) with boundaries (polygons of
``BOUNDARY_VERTICES`` points) and population figures (about one place in ten without), 5,000
activities (mostly held, over 18 months) with ~9 attendance cells each, 20,000 commitments in
every state (open ones already reminded or escalated, so the steady state has nothing due), 30
partners and 500 projects with beneficiary cells, other places and deliverables. Every figure
is the median of 5 rounds, against a baseline measured in the same run on the same database.
Nothing is asserted.

1. ``reminders``: ``commitments_remind_and_escalate`` (the 15-minute scheduler task) when nothing
   is due, versus one ``SELECT COUNT(*)`` over the commitments table; and a burst of 1,000 due
   reminders (stamps cleared, due dates moved into the reminder window), processed by as many
   runs as it takes (each run takes at most ``reminders.BATCH`` per mission and kind).
2. ``inclusion_by_place``: the whole mission at admin level 2 over 12 months, versus one
   ``SUM(count)`` over the attendance table.
3. ``plan``: ``plan_build`` (the plan page's rows) at level 2, versus the same ``SUM``.
4. ``export_3w``: the 3W table written through ``palava.core.exporters.write_csv`` (queries
   included), rows/s, versus writing the same rows (already built) with the ``csv`` module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``palava`` and ``bench`` importable
    sys.path.insert(0, str(ROOT))

ROUNDS = 5
LEVELS = (12, 4, 5)  # provinces, territories per province, localities per territory
ACTIVITIES = 5_000
COMMITMENTS = 20_000
PROJECTS = 500
PARTNERS = 30
BURST = 1_000
POP_BANDS = ("0-4", "5-17", "18-35", "36-59", "60+")
BOUNDARY_VERTICES = 400  # a modest admin boundary; real admin-3 polygons often have thousands


def _boundary(rng: random.Random, lat: float, lon: float) -> dict[str, Any]:
    """A closed, star-shaped GeoJSON polygon around (lat, lon)."""
    import math

    ring = []
    for k in range(BOUNDARY_VERTICES):
        angle = 2 * math.pi * k / BOUNDARY_VERTICES
        radius = 0.05 * (0.8 + 0.4 * rng.random())
        ring.append(
            [round(lon + radius * math.cos(angle), 6), round(lat + radius * math.sin(angle), 6)]
        )
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _median_seconds(fn: Callable[[], object]) -> tuple[float, object]:
    fn()  # warm-up (caches, SQLite pages)
    times: list[float] = []
    out: object = None
    for _ in range(ROUNDS):
        seconds, out = _timed(fn)
        times.append(seconds)
    return statistics.median(times), out


# --- Data ------------------------------------------------------------------------------------


def generate(rng: random.Random) -> dict[str, Any]:
    """The mission, its members and every record (bulk inserts; a few services for setup)."""
    from django.db import transaction
    from django.utils import timezone

    from palava.accounts.services import user_create
    from palava.actors.models import ActorKind, ActorType
    from palava.actors.services import actor_create
    from palava.engagement.models import (
        OPEN_STATUSES,
        Activity,
        ActivityStatus,
        ActivityType,
        AgeBand,
        AttendanceCount,
        BeneficiaryAge,
        Commitment,
        CommitmentStatus,
        CountSex,
        Deliverable,
        DeliverableStatus,
        ParticipantGroup,
        Partner,
        PartnerType,
        PartyKind,
        Project,
        ProjectReach,
        ProjectStatus,
        ProjectType,
        Sector,
    )
    from palava.missions.models import Role
    from palava.missions.services import membership_set, mission_create
    from palava.places.models import AdminUnit, PopulationFigure
    from palava.places.services import place_search_text, unit_path

    mission = mission_create(
        actor=None,
        slug="bench-engagement",
        name="Bench engagement",
        country="COD",
        languages=["fr", "en"],
        time_zone="Africa/Lubumbashi",
        require_two_factor=False,
    )
    reader_user = user_create(actor=None, username="bench-manager", password=None)
    reader = membership_set(actor=None, mission=mission, user=reader_user, role=Role.MANAGER)
    for i in range(2):
        extra = user_create(actor=None, username=f"bench-admin{i}", password=None)
        membership_set(actor=None, mission=mission, user=extra, role=Role.ADMIN)
    officers = []
    for i in range(20):
        user = user_create(actor=None, username=f"bench-officer{i}", password=None)
        membership_set(actor=None, mission=mission, user=user, role=Role.OFFICER)
        officers.append(user)

    now = timezone.now()
    today = timezone.localdate(now, timezone=ZoneInfo(mission.time_zone))
    with transaction.atomic():
        # Places: 3 levels, built level by level so parents have ids.
        levels: list[list[AdminUnit]] = []
        parents: list[AdminUnit | None] = [None]
        for level, fan_out in enumerate(LEVELS, start=1):
            made = []
            for parent in parents:
                for k in range(fan_out):
                    pcode = f"{parent.pcode if parent else 'CD'}{k + 1:02d}"
                    name = f"Place {pcode}"
                    lat, lon = rng.uniform(-8, 2), rng.uniform(18, 30)
                    made.append(
                        AdminUnit(
                            mission=mission,
                            pcode=pcode,
                            level=level,
                            country="COD",
                            name=name,
                            parent=parent,
                            path=unit_path(parent=parent, pcode=pcode),
                            search_text=place_search_text(name=name),
                            boundary=_boundary(rng, lat, lon),
                            centroid_lat=lat,
                            centroid_lon=lon,
                        )
                    )
            levels.append(AdminUnit.objects.bulk_create(made))
            parents = list(levels[-1])
        units = [u for level_units in levels for u in level_units]
        territories, localities = levels[1], levels[2]

        # Population: localities (9 in 10), and a few territories with figures of their own.
        figures = []
        for unit in [u for u in localities if rng.random() < 0.9] + territories[::6]:
            for sex in ("f", "m"):
                for band in POP_BANDS:
                    figures.append(
                        PopulationFigure(
                            mission=mission,
                            admin_unit=unit,
                            year=2024,
                            sex=sex,
                            age_band=band,
                            count=rng.randint(200, 8000),
                        )
                    )
        PopulationFigure.objects.bulk_create(figures, batch_size=2000)

        # Activities: 85% held in the last 18 months, the rest planned, postponed or cancelled.
        where = localities * 3 + territories
        activities = []
        for i in range(ACTIVITIES):
            held = rng.random() < 0.85
            offset = -rng.randint(0, 540) if held else rng.randint(-30, 120)
            begins = now + dt.timedelta(days=offset, hours=rng.randint(-5, 5))
            activities.append(
                Activity(
                    mission=mission,
                    activity_type=rng.choice(ActivityType.values),
                    title=f"Activity {i}",
                    status=ActivityStatus.HELD
                    if held
                    else rng.choice(
                        [ActivityStatus.PLANNED, ActivityStatus.POSTPONED, ActivityStatus.CANCELLED]
                    ),
                    admin_unit=rng.choice(where),
                    starts_at=begins,
                    ends_at=begins + dt.timedelta(hours=3),
                )
            )
        activities = Activity.objects.bulk_create(activities, batch_size=1000)
        joined = Activity.places.through
        Activity.places.through.objects.bulk_create(
            [
                joined(activity_id=a.pk, adminunit_id=rng.choice(localities).pk)
                for a in activities
                if rng.random() < 0.2
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        cells = []
        combos = [
            (s, b, g)
            for s in CountSex.values
            for b in AgeBand.values
            for g in ParticipantGroup.values
        ]
        for activity in activities:
            if activity.status != ActivityStatus.HELD:
                continue
            for sex, band, group in rng.sample(combos, rng.randint(4, 14)):
                cells.append(
                    AttendanceCount(
                        activity=activity,
                        sex=sex,
                        age_band=band,
                        group=group,
                        count=rng.randint(1, 40),
                    )
                )
        AttendanceCount.objects.bulk_create(cells, batch_size=2000)

        # Commitments: every state; open ones due in the past are escalated, those due within
        # the reminder window reminded, so a scan finds nothing (the steady state).
        commitments = []
        for i in range(COMMITMENTS):
            status = rng.choices(CommitmentStatus.values, weights=[30, 15, 35, 10, 10], k=1)[0]
            made_on = today - dt.timedelta(days=rng.randint(30, 700))
            due = made_on + dt.timedelta(days=rng.randint(7, 900)) if rng.random() < 0.9 else None
            open_ = status in OPEN_STATUSES
            reminded = escalated = None
            if open_ and due is not None:
                if due < today:
                    escalated = reminded = now
                elif due <= today + dt.timedelta(days=7):
                    reminded = now
            party = rng.choice(PartyKind.values)
            commitments.append(
                Commitment(
                    mission=mission,
                    number=i + 1,
                    made_by_kind=party,
                    made_by_name=f"Party {i % 97}",
                    made_to_kind=rng.choice(PartyKind.values),
                    made_to_name=f"Community {i % 89}",
                    description=f"Promise {i}",
                    admin_unit=rng.choice(where),
                    activity=rng.choice(activities) if rng.random() < 0.5 else None,
                    made_on=made_on,
                    due_date=due,
                    status=status,
                    owner=rng.choice(officers) if rng.random() < 0.8 else None,
                    created_by=rng.choice(officers),
                    sensitivity=2 if party == PartyKind.ARMED_GROUP else 1,
                    reminder_sent_at=reminded,
                    escalated_at=escalated,
                )
            )
        Commitment.objects.bulk_create(commitments, batch_size=1000)

    # Partners (organisation actors, through the service) and projects.
    partners = []
    for i in range(PARTNERS):
        org = actor_create(
            actor=None,
            mission=mission,
            kind=ActorKind.ORGANISATION,
            actor_type=ActorType.CIVIL_SOCIETY,
            name=f"Organisation {i}",
            admin_unit=rng.choice(territories),
        )
        partners.append(
            Partner(
                mission=mission,
                actor=org,
                acronym=f"ORG{i}",
                partner_type=rng.choice(PartnerType.values),
            )
        )
    with transaction.atomic():
        partners = Partner.objects.bulk_create(partners)
        projects = []
        for i in range(PROJECTS):
            starts = today - dt.timedelta(days=rng.randint(0, 700))
            budget = rng.randint(5_000, 250_000) if rng.random() < 0.8 else None
            projects.append(
                Project(
                    mission=mission,
                    code=f"QIP-{i:04d}",
                    title=f"Project {i}",
                    project_type=rng.choice(ProjectType.values),
                    sector=rng.choice(Sector.values),
                    partner=rng.choice(partners),
                    funder=rng.choice(partners) if rng.random() < 0.5 else None,
                    admin_unit=rng.choice(where),
                    budget=budget,
                    currency="USD" if budget is not None else "",
                    starts_on=starts,
                    ends_on=starts + dt.timedelta(days=rng.randint(30, 400)),
                    status=rng.choice(ProjectStatus.values),
                )
            )
        projects = Project.objects.bulk_create(projects)
        Project.places.through.objects.bulk_create(
            [
                Project.places.through(project_id=p.pk, adminunit_id=unit.pk)
                for p in projects
                for unit in rng.sample(localities, rng.randint(0, 3))
            ],
            ignore_conflicts=True,
        )
        ProjectReach.objects.bulk_create(
            [
                ProjectReach(
                    project=p,
                    sex=sex,
                    age_group=age,
                    targeted=(t := rng.randint(10, 900)),
                    reached=rng.randint(0, t),
                )
                for p in projects
                for sex in ("f", "m")
                for age in BeneficiaryAge.values
            ],
            batch_size=2000,
        )
        Deliverable.objects.bulk_create(
            [
                Deliverable(
                    project=p,
                    description=f"Deliverable {k}",
                    due_on=today + dt.timedelta(days=rng.randint(-60, 90)),
                    status=rng.choice(DeliverableStatus.values),
                )
                for p in projects
                for k in range(rng.randint(0, 4))
            ]
        )
    return {
        "reader": reader,
        "today": today,
        "now": now,
        "counts": {
            "places": len(units),
            "population_rows": len(figures),
            "activities": len(activities),
            "attendance_cells": len(cells),
            "commitments": len(commitments),
            "open_commitments": sum(1 for c in commitments if c.status in OPEN_STATUSES),
            "projects": len(projects),
            "partners": len(partners),
        },
    }


# --- Measures --------------------------------------------------------------------------------


class QueryCount:
    """Counts the SQL statements run on the default connection while active."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(
        self, execute: Callable[..., object], sql: str, params: Any, many: bool, context: Any
    ) -> object:
        self.n += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.n


def _count_queries(fn: Callable[[], object]) -> int:
    from django.db import connection

    counter = QueryCount()
    with connection.execute_wrapper(counter):
        fn()
    return len(counter)


def _scalar(sql: str) -> Callable[[], object]:
    from django.db import connection

    def query() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        return row[0] if row else None

    return query


def bench_reminders(data: dict[str, Any]) -> dict[str, object]:
    from django.db import connection

    from palava.engagement.models import OPEN_STATUSES, Commitment
    from palava.engagement.reminders import BATCH, commitments_remind_and_escalate

    now: dt.datetime = data["now"]
    today: dt.date = data["today"]
    count_sql = f"SELECT COUNT(*) FROM {Commitment._meta.db_table}"
    base, _ = _median_seconds(_scalar(count_sql))
    scan, fired = _median_seconds(lambda: commitments_remind_and_escalate(now=now))
    idle_queries = _count_queries(lambda: commitments_remind_and_escalate(now=now))

    # The burst: 1,000 open commitments due later, moved into the reminder window each round
    # (a new due date each round, so notices are not deduplicated against the previous one).
    burst_ids = list(
        Commitment.objects.filter(
            status__in=OPEN_STATUSES, due_date__gt=today + dt.timedelta(days=30)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:BURST]
    )
    seconds: list[float] = []
    runs: list[int] = []
    reminded: list[int] = []
    queries: list[int] = []
    for round_ in range(ROUNDS):
        Commitment.objects.filter(pk__in=burst_ids).update(
            due_date=today + dt.timedelta(days=round_ + 1),
            reminder_sent_at=None,
            escalated_at=None,
        )
        total = passes = 0
        counter = QueryCount()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            while True:
                out = commitments_remind_and_escalate(now=now)
                total += out["reminded"]
                if out["reminded"] == 0 and out["escalated"] == 0:
                    break
                passes += 1
            seconds.append(time.perf_counter() - start)
        runs.append(passes)
        reminded.append(total)
        queries.append(len(counter))
    burst_s = statistics.median(seconds)
    return {
        "name": "commitment_reminder_scan",
        "unit": "ms per call (median of 5 rounds)",
        "steady_state_fired": fired,
        "baseline_count_star_ms": round(base * 1000, 3),
        "scan_nothing_due_ms": round(scan * 1000, 3),
        "ratio_scan_to_baseline": round(scan / base, 1),
        "scan_nothing_due_queries": idle_queries,
        "burst_reminders": BURST,
        "burst_reminded_median": statistics.median(reminded),
        "burst_total_s_median": round(burst_s, 3),
        "burst_reminders_per_s": round(BURST / burst_s, 1),
        "burst_ms_per_reminder": round(burst_s * 1000 / BURST, 3),
        "burst_scheduler_runs_that_fired": statistics.median(runs),
        "burst_runs_note": f"each run fires at most {BATCH} per mission and kind (BATCH)",
        "burst_queries_per_reminder": round(statistics.median(queries) / BURST, 1),
    }


def bench_reads(data: dict[str, Any]) -> dict[str, object]:
    from palava.engagement.inclusion_selectors import inclusion_by_place, places_for
    from palava.engagement.models import AttendanceCount
    from palava.engagement.plan import plan_build

    reader = data["reader"]
    today: dt.date = data["today"]
    start = today - dt.timedelta(days=365)
    sum_sql = f"SELECT SUM(count) FROM {AttendanceCount._meta.db_table}"
    base, total = _median_seconds(_scalar(sum_sql))

    def inclusion() -> object:
        units = list(places_for(membership=reader, place=None, level=2))
        return inclusion_by_place(membership=reader, units=units, start=start, end=today)

    incl, rows = _median_seconds(inclusion)
    incl_queries = _count_queries(inclusion)
    plan_s, plan = _median_seconds(lambda: plan_build(membership=reader, level=2, today=today))
    plan_queries = _count_queries(lambda: plan_build(membership=reader, level=2, today=today))
    return {
        "inclusion": {
            "name": "inclusion_by_place_level2_12_months",
            "unit": "ms per call (median of 5 rounds)",
            "places": len(rows) if isinstance(rows, list) else None,
            "attendance_total": total,
            "baseline_sum_count_ms": round(base * 1000, 3),
            "inclusion_by_place_ms": round(incl * 1000, 3),
            "ratio_to_baseline": round(incl / base, 1),
            "queries": incl_queries,
        },
        "plan": {
            "name": "plan_build_level2",
            "unit": "ms per call (median of 5 rounds)",
            "rows": len(getattr(plan, "rows", [])),
            "baseline_sum_count_ms": round(base * 1000, 3),
            "plan_build_ms": round(plan_s * 1000, 3),
            "ratio_to_baseline": round(plan_s / base, 1),
            "queries": plan_queries,
        },
    }


def bench_export(data: dict[str, Any]) -> dict[str, object]:
    from palava.core.exporters import write_csv
    from palava.engagement.export_3w import three_w_table

    reader = data["reader"]

    def ours() -> object:
        return write_csv(three_w_table(reader), io.BytesIO())

    table = three_w_table(reader)
    header = [c.header for c in table.columns]
    tags = [c.hashtag for c in table.columns]
    rows = [list(r) for r in table.rows]

    def plain() -> object:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow(tags)
        writer.writerows(rows)
        return len(rows)

    base, _ = _median_seconds(plain)
    mine, written = _median_seconds(ours)
    export_queries = _count_queries(ours)
    n = len(rows)
    return {
        "name": "export_3w_csv",
        "unit": "rows/s (median of 5 rounds), queries and table building included for palava",
        "rows": n,
        "rows_written": written,
        "columns": len(header),
        "baseline_csv_module_rows_per_s": round(n / base, 1),
        "palava_write_csv_rows_per_s": round(n / mine, 1),
        "ratio_to_baseline": round(base / mine, 3),
        "palava_ms": round(mine * 1000, 3),
        "queries": export_queries,
    }


def measure() -> dict[str, object]:
    """In a process whose environment points at a fresh data directory: migrate, fill, time."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    seconds, data = _timed(lambda: generate(random.Random(7)))
    assert isinstance(data, dict)
    reads = bench_reads(data)
    return {
        "database": "sqlite",
        "rounds": ROUNDS,
        "data": {**data["counts"], "generate_s": round(seconds, 1)},
        "reminders": bench_reminders(data),
        "inclusion": reads["inclusion"],
        "plan": reads["plan"],
        "export_3w": bench_export(data),
    }


def run() -> dict[str, object]:
    """Every engagement figure, measured in a child process on a throw-away SQLite database."""
    with tempfile.TemporaryDirectory(prefix="palava-bench-engagement-") as tmp:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PALAVA_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            PALAVA_DATA_DIR=tmp,
            DJANGO_SETTINGS_MODULE="palava.config.settings.dev",
            PALAVA_DEBUG="0",
        )
        result = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--measure"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"engagement bench failed: {result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(measure(), default=str))
    else:
        print(json.dumps(run(), indent=2))
