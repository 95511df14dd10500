"""Helpers for the places import tests: run an import through the real job + task path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from palava.core.models import Job
from palava.core.services import job_create
from palava.missions.models import Mission
from palava.places.models import AdminUnit, PopulationFigure, Site
from palava.places.tasks import places_import_run

GAZETTEER = "admin-pcodes/global_pcodes_adm_1_2_HXL_2024-10.csv"
GAZETTEER_ROWS = 34_584
GAZETTEER_COUNTRIES = 157


def run_import(mission: Mission, path: Path, *, actor: Any = "test", **params: Any) -> Job:
    """Create the job and enqueue the task (test settings run tasks immediately)."""
    job = job_create(
        actor=actor,
        mission=mission,
        kind="places.import",
        params={"format": "auto", "source": path.name, **params},
        input_file=str(path),
    )
    places_import_run.enqueue(str(job.public_id))
    job.refresh_from_db()
    return job


def place_counts() -> tuple[int, int, int]:
    return (AdminUnit.objects.count(), Site.objects.count(), PopulationFigure.objects.count())


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


GAZ_HEADER = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
HXL_ROW = "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent,#date+start\n"
SMALL_GAZETTEER = (
    "COD,1,CD10,Kinshasa,COD,2020-01-01\n"
    "COD,1,CD20,Kongo-Central,COD,2020-01-01\n"
    "COD,2,CD1001,Funa,CD10,2020-01-01\n"
    "COD,2,CD2001,Matadi,CD20,2020-01-01\n"
    "COD,2,CD2002,Boma,CD20,2020-01-01\n"
)


def small_gazetteer(tmp_path: Path, *, hxl: bool = True, body: str = SMALL_GAZETTEER) -> Path:
    return write(tmp_path / "gaz.csv", GAZ_HEADER + (HXL_ROW if hxl else "") + body)
