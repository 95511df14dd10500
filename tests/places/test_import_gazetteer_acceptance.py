"""Acceptance: the shared OCHA gazetteer (34,584 rows) through the task and the command."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palava.audit.models import AuditEvent
from palava.core.models import JobStatus
from palava.missions.models import Mission
from palava.places.models import AdminUnit
from tests.places.import_support import (
    GAZETTEER,
    GAZETTEER_COUNTRIES,
    GAZETTEER_ROWS,
    run_import,
)

pytestmark = pytest.mark.django_db


def _unit(mission: Mission, pcode: str) -> AdminUnit:
    return AdminUnit.objects.select_related("parent").get(mission=mission, pcode=pcode)


def test_the_shared_gazetteer_loads_every_row_with_correct_parents(
    mission: Mission, shared_data: Path
) -> None:
    # given the OCHA global admin-1/admin-2 gazetteer with its HXL row
    path = shared_data / GAZETTEER

    # when it is imported through the job and its task
    started = time.perf_counter()
    job = run_import(mission, path)
    elapsed = time.perf_counter() - started

    # then every row is a unit, plus one admin-0 unit per country and one placeholder
    assert job.status == JobStatus.SUCCEEDED, job.errors[:5]
    units = AdminUnit.objects.filter(mission=mission)
    assert units.filter(level__gte=1).exclude(pcode__in=job.result["placeholders"]).count() == (
        GAZETTEER_ROWS
    )
    assert units.filter(level=0).count() == GAZETTEER_COUNTRIES
    assert job.result["counts"]["added"] == units.count()
    assert job.result["placeholders"] == ["SS00"]
    print(f"\n{connection.vendor}: {GAZETTEER_ROWS} rows imported in {elapsed:.1f}s")
    assert elapsed < 60
    # and parents and paths are right
    af0101 = _unit(mission, "AF0101")
    assert af0101.parent is not None
    assert af0101.parent.pcode == "AF01"
    assert af0101.parent.parent is not None
    assert af0101.parent.parent.pcode == "AFG"
    assert af0101.path == "/AFG/AF01/AF0101/"
    assert af0101.level == 2
    assert af0101.country == "AFG"
    assert _unit(mission, "AFG").parent is None
    kgz = _unit(mission, "KG02205000000")
    assert kgz.parent is not None
    assert kgz.parent.pcode == "KG02000000000"
    assert "kabul" in _unit(mission, "AF01").search_text
    # and the rows that break P-code conventions are reported as warnings
    assert job.result["warnings_total"] > 0
    # and one audit row records the import with its counts
    audit = AuditEvent.objects.filter(action="places.import", mission=mission)
    assert audit.count() == 1
    assert str(units.count()) in audit.get().changes["result"]


def test_a_second_import_of_the_same_file_changes_nothing(
    mission: Mission, shared_data: Path
) -> None:
    # given the gazetteer imported once
    path = shared_data / GAZETTEER
    assert run_import(mission, path).status == JobStatus.SUCCEEDED

    # when the same file is imported again
    with CaptureQueriesContext(connection) as queries:
        job = run_import(mission, path)

    # then nothing is added, renamed, moved or retired, and no unit row is updated
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counts"] == {
        "added": 0,
        "renamed": 0,
        "moved": 0,
        "retired": 0,
        "unretired": 0,
        "redated": 0,
    }
    assert job.result["units_updated"] == 0
    unit_writes = [
        q["sql"]
        for q in queries.captured_queries
        if "places_adminunit" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert unit_writes == []


def test_an_edited_edition_gives_exactly_its_change_report(
    mission: Mission, shared_data: Path, tmp_path: Path
) -> None:
    # given the gazetteer imported once
    source = shared_data / GAZETTEER
    assert run_import(mission, source).status == JobStatus.SUCCEEDED
    # and an edited copy: AF0101 renamed, AF0102 removed, AF0199 added
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    edited: list[list[str]] = []
    for row in rows:
        if row[2] == "AF0101":
            row = [*row[:3], "Kabul City", *row[4:]]
        if row[2] == "AF0102":
            continue
        edited.append(row)
    edited.append(["AFG", "2", "AF0199", "New District", "AF01", "2024-10-01"])
    path = tmp_path / "edited.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(edited)

    # when the edited copy is imported through the command
    call_command("import", "places", str(path), "--mission", mission.slug)

    # then the change report says exactly that
    job = mission.jobs.order_by("-created_at", "-id").first()
    assert job is not None
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counts"] == {
        "added": 1,
        "renamed": 1,
        "moved": 0,
        "retired": 1,
        "unretired": 0,
        "redated": 0,
    }
    assert job.result["added"] == [{"pcode": "AF0199", "name": "New District"}]
    assert job.result["renamed"] == [{"pcode": "AF0101", "old": "Kabul", "new": "Kabul City"}]
    assert [r["pcode"] for r in job.result["retired"]] == ["AF0102"]
    # and the removed unit is kept, retired, and the new one sits under its parent
    assert _unit(mission, "AF0102").retired_at is not None
    assert _unit(mission, "AF0199").path == "/AFG/AF01/AF0199/"
    assert _unit(mission, "AF0101").name == "Kabul City"

    # when the original comes back
    job = run_import(mission, source)

    # then the removed unit is un-retired and the edits undone
    assert job.result["counts"]["unretired"] == 1
    assert job.result["counts"]["renamed"] == 1
    assert job.result["counts"]["retired"] == 1  # AF0199 is not in the original
    assert _unit(mission, "AF0102").retired_at is None


def test_the_command_imports_the_gazetteer(
    mission: Mission, shared_data: Path, capsys: Any
) -> None:
    # given the derived five-country file
    path: Path = (
        shared_data / "admin-pcodes" / "DERIVED_mission_countries_adm1_2_from_HXL_2024-10.csv"
    )

    # when imported with the command
    call_command("import", "places", str(path), "--mission", mission.slug, "--format", "gazetteer")

    # then its countries are there and the command printed the counts
    assert set(
        AdminUnit.objects.filter(mission=mission, level=0).values_list("pcode", flat=True)
    ) == {"COD", "SSD", "CAF", "MLI", "LBN"}
    assert "added" in capsys.readouterr().out
