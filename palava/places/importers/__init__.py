"""Imports of places: the OCHA gazetteer CSV, settlements CSV, boundary GeoJSON and population
CSV. Registers the ``places`` kind of ``palava import``."""

from __future__ import annotations

from palava.core.importers import ImportKind, import_kind_register
from palava.core.models import Job


def _enqueue(job: Job) -> None:
    from palava.places.tasks import places_import_run

    places_import_run.enqueue(str(job.public_id))


def _run(*, job: Job, actor: object) -> Job:
    from palava.places.importers.service import places_import_job_run

    return places_import_job_run(job=job, actor=actor)


import_kind_register(
    ImportKind(
        name="places",
        help="gazetteer CSV, settlements CSV, boundaries GeoJSON or population CSV",
        run=_run,
        enqueue=_enqueue,
        formats=("gazetteer", "settlements", "boundaries", "population"),
    )
)
