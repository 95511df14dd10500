"""Cultural context benchmarks (issue #8): calendar clash check, a year of the calendar, dossiers.

Run by ``make bench`` (``bench/run.py`` prints these under ``"context"``), or alone::

    .venv/bin/python bench/context.py

A throw-away SQLite data directory (migrated afresh) is filled with the demo loaders of the
base (mission, one user per role), places (109 admin units, sites), actors, engagement
(activities, commitments) and context (~40 calendar events, ~40 knowledge entries), read by the
demo manager (who sees everything). The feedback, cases and assessments loaders are left out:
together they take a minute or more, so the dossier's feedback and cases sections are empty.
Every time is a median, against a baseline measured in the same run on the same database:
reading one ``Mission`` row by primary key (ORM), and for HTTP ``GET /api/v1/me`` (token auth,
the most trivial API operation). Nothing is asserted.

1. ``clash_check``: ``activity_clashes`` for one activity at the admin unit where the most
   warning events apply, on a day with a clash (Eid al-Fitr 2026) and on a quiet day.
2. ``clash_api``: ``GET /api/v1/missions/demo/calendar/clashes`` versus ``GET /api/v1/me``, both
   through Django's test client in-process (whole middleware stack and bearer-token auth, no
   sockets).
3. ``calendar_year``: ``occurrences_between`` over the whole visible calendar for 2026.
4. ``dossier``: a place dossier for the demo province with the most entries: gathering
   (``dossier_content``), ``render_html``, ``render_pdf`` (WeasyPrint; fewer rounds), sizes and
   pages.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``palava`` and ``bench`` importable
    sys.path.insert(0, str(ROOT))

ROUNDS_FAST = 50  # ORM reads, the clash check
ROUNDS_HTTP = 30
ROUNDS_CALENDAR = 10
ROUNDS_GATHER = 5
ROUNDS_HTML = 5
ROUNDS_PDF = 3
CLASH_DAY = dt.date(2026, 3, 20)  # Eid al-Fitr 1447 (Umm al-Qura)
QUIET_DAY = dt.date(2026, 11, 10)  # a Tuesday with no holiday, season or market day
YEAR = 2026


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _median_seconds(fn: Callable[[], object], rounds: int) -> tuple[float, object]:
    fn()  # warm-up (caches, SQLite pages, templates, fonts)
    times: list[float] = []
    out: object = None
    for _ in range(rounds):
        seconds, out = _timed(fn)
        times.append(seconds)
    return statistics.median(times), out


def _queries(fn: Callable[[], object]) -> int:
    """How many SQL statements ``fn`` runs on the default connection."""
    from django.db import connection

    count = 0

    def counter(
        execute: Callable[..., object], sql: str, params: Any, many: bool, context: Any
    ) -> object:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _ratio(value: float, base: float) -> float:
    return round(value / base, 1) if base > 0 else 0.0


# --- Data ------------------------------------------------------------------------------------


def load() -> dict[str, Any]:
    """The whole demo, and the figures the benches need from it."""
    from django.db import transaction

    from palava.actors.demo import load_actors
    from palava.context.demo import load_context
    from palava.context.models import CalendarEvent, KnowledgeEntry
    from palava.context.selectors import events_applying_to_unit
    from palava.engagement.demo import load_engagement
    from palava.missions.demo import demo_base_load
    from palava.missions.models import Membership, Role
    from palava.places.demo import load_places
    from palava.places.models import AdminUnit

    started = time.perf_counter()
    with transaction.atomic():
        demo = demo_base_load(io.StringIO())
        for loader in (load_places, load_actors, load_engagement, load_context):
            loader(demo.mission, demo.users, io.StringIO())
    seconds = time.perf_counter() - started
    mission = demo.mission
    reader = Membership.objects.select_related("mission", "user").get(
        mission=mission, user=demo.users[Role.MANAGER], is_active=True
    )
    units = list(AdminUnit.objects.filter(mission=mission).order_by("pcode"))
    warned = {
        unit.pk: events_applying_to_unit(membership=reader, unit=unit).filter(warn=True).count()
        for unit in units
    }
    unit = max(units, key=lambda u: (warned[u.pk], u.level, u.pcode))
    entries = {
        u.pcode: KnowledgeEntry.objects.filter(mission=mission, admin_unit__path__startswith=u.path)
        .exclude(status="retired")
        .count()
        for u in units
        if u.level == 1
    }
    province = max((u for u in units if u.level == 1), key=lambda u: (entries[u.pcode], u.pcode))
    return {
        "mission": mission,
        "reader": reader,
        "unit": unit,
        "province": province,
        "counts": {
            "demo_load_s": round(seconds, 1),
            "admin_units": len(units),
            "calendar_events": CalendarEvent.objects.filter(mission=mission).count(),
            "calendar_events_active": CalendarEvent.objects.filter(
                mission=mission, is_active=True
            ).count(),
            "knowledge_entries": KnowledgeEntry.objects.filter(mission=mission).count(),
            "clash_unit": unit.pcode,
            "clash_unit_level": unit.level,
            "warning_events_applying_at_clash_unit": warned[unit.pk],
            "dossier_province": province.pcode,
            "entries_in_dossier_province_and_below": entries[province.pcode],
        },
    }


def _baseline(data: dict[str, Any]) -> float:
    from palava.missions.models import Mission

    pk = data["mission"].pk
    base, _ = _median_seconds(lambda: Mission.objects.get(pk=pk), ROUNDS_FAST)
    return base


# --- Measures --------------------------------------------------------------------------------


def bench_clash(data: dict[str, Any], base: float) -> dict[str, object]:
    from zoneinfo import ZoneInfo

    from palava.context.calendar_selectors import activity_clashes

    reader, unit = data["reader"], data["unit"]
    zone = ZoneInfo(reader.mission.time_zone)

    def check(day: dt.date) -> Callable[[], object]:
        starts = dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone)
        return lambda: activity_clashes(
            membership=reader,
            admin_unit=unit,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            language="en",
        )

    clash_s, found = _median_seconds(check(CLASH_DAY), ROUNDS_FAST)
    quiet_s, quiet = _median_seconds(check(QUIET_DAY), ROUNDS_FAST)
    assert isinstance(found, list)
    assert isinstance(quiet, list)
    return {
        "name": "activity_clashes",
        "unit": f"ms per call (median of {ROUNDS_FAST})",
        "events_checked": data["counts"]["warning_events_applying_at_clash_unit"],
        "baseline_mission_by_pk_ms": _ms(base),
        "clash_day": CLASH_DAY.isoformat(),
        "clash_day_clashes": len(found),
        "clash_day_reasons": [c.reason for c in found][:5],
        "clash_day_ms": _ms(clash_s),
        "ratio_clash_day_to_baseline": _ratio(clash_s, base),
        "queries": _queries(check(CLASH_DAY)),
        "quiet_day": QUIET_DAY.isoformat(),
        "quiet_day_clashes": len(quiet),
        "quiet_day_ms": _ms(quiet_s),
        "ratio_quiet_day_to_baseline": _ratio(quiet_s, base),
    }


def bench_clash_api(data: dict[str, Any]) -> dict[str, object]:
    from django.test import Client

    from palava.accounts.tokens import token_create

    reader, unit = data["reader"], data["unit"]
    raw = token_create(
        actor=None, user=reader.user, mission=reader.mission, name="bench-context"
    ).raw
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
    clash_url = (
        f"/api/v1/missions/{reader.mission.slug}/calendar/clashes?pcode={unit.pcode}"
        f"&starts_at={CLASH_DAY.isoformat()}T10:00:00&ends_at={CLASH_DAY.isoformat()}T13:00:00"
    )

    def get(url: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")
            return response.json()

        return call

    base, _ = _median_seconds(get("/api/v1/me"), ROUNDS_HTTP)
    api, body = _median_seconds(get(clash_url), ROUNDS_HTTP)
    found = body.get("clashes", []) if isinstance(body, dict) else []
    return {
        "name": "calendar_clashes_api_vs_me",
        "unit": f"ms per request, in-process test client (median of {ROUNDS_HTTP})",
        "baseline_api_me_ms": _ms(base),
        "calendar_clashes_ms": _ms(api),
        "ratio_to_baseline": round(api / base, 2),
        "clashes_returned": len(found) if isinstance(found, list) else None,
    }


def bench_calendar_year(data: dict[str, Any], base: float) -> dict[str, object]:
    from palava.context.calendar_selectors import occurrences_between

    reader = data["reader"]

    def year() -> object:
        return occurrences_between(
            membership=reader,
            start=dt.date(YEAR, 1, 1),
            end=dt.date(YEAR, 12, 31),
            language="en",
        )

    seconds, found = _median_seconds(year, ROUNDS_CALENDAR)
    assert isinstance(found, list)
    return {
        "name": "occurrences_between_whole_calendar_one_year",
        "unit": f"ms per call (median of {ROUNDS_CALENDAR})",
        "year": YEAR,
        "events": data["counts"]["calendar_events_active"],
        "occurrences": len(found),
        "baseline_mission_by_pk_ms": _ms(base),
        "occurrences_between_ms": _ms(seconds),
        "ratio_to_baseline": _ratio(seconds, base),
        "us_per_occurrence": round(seconds * 1e6 / len(found), 1) if found else None,
        "queries": _queries(year),
    }


def bench_dossier(data: dict[str, Any], base: float) -> dict[str, object]:
    from django.utils import timezone

    from palava.context.dossier.gather import dossier_content
    from palava.context.dossier.render import render_html, render_pdf

    reader, province = data["reader"], data["province"]
    now = timezone.now()

    def gather() -> object:
        return dossier_content(
            membership=reader, places=[province], kind="place", language="en", now=now
        )

    gather_s, content = _median_seconds(gather, ROUNDS_GATHER)
    html_s, html = _median_seconds(lambda: render_html(content), ROUNDS_HTML)  # type: ignore[arg-type]
    assert isinstance(html, bytes)
    pdf_s, pdf = _median_seconds(lambda: render_pdf(html), ROUNDS_PDF)
    assert isinstance(pdf, bytes)
    # pypdfium2 ships no type information: imported as a module object, its API is ``Any``.
    pdfium: Any = importlib.import_module("pypdfium2")
    document = pdfium.PdfDocument(pdf)
    pages = len(document)
    document.close()
    sections = getattr(content, "sections", [])
    total = gather_s + html_s + pdf_s
    return {
        "name": "dossier_place_province",
        "unit": (
            f"ms (median of {ROUNDS_GATHER} gather, {ROUNDS_HTML} HTML, {ROUNDS_PDF} PDF), "
            "manager reader, English"
        ),
        "place": province.pcode,
        "sections": len(sections),
        "baseline_mission_by_pk_ms": _ms(base),
        "gather_ms": _ms(gather_s),
        "ratio_gather_to_baseline": _ratio(gather_s, base),
        "gather_queries": _queries(gather),
        "render_html_ms": _ms(html_s),
        "ratio_render_html_to_baseline": _ratio(html_s, base),
        "render_pdf_ms": _ms(pdf_s),
        "ratio_render_pdf_to_baseline": _ratio(pdf_s, base),
        "total_ms": _ms(total),
        "pdf_share_of_total": round(pdf_s / total, 3),
        "html_bytes": len(html),
        "pdf_bytes": len(pdf),
        "pdf_pages": pages,
    }


def measure() -> dict[str, object]:
    """In a process whose environment points at a fresh data directory: migrate, load, time."""
    import django

    django.setup()
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    data = load()
    base = _baseline(data)
    out = {
        "database": "sqlite",
        "data": data["counts"],
        "baseline_mission_by_pk_ms": _ms(base),
        "clash_check": bench_clash(data, base),
        "clash_api": bench_clash_api(data),
        "calendar_year": bench_calendar_year(data, base),
        "dossier": bench_dossier(data, base),
    }
    out["bench_wall_s"] = round(time.perf_counter() - start, 1)
    return out


def run() -> dict[str, object]:
    """Every context figure, measured in a child process on a throw-away SQLite database."""
    with tempfile.TemporaryDirectory(prefix="palava-bench-context-") as tmp:
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
        raise RuntimeError(f"context bench failed: {result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(measure(), default=str))
    else:
        print(json.dumps(run(), indent=2))
