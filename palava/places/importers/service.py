"""The places import service: read the file, detect its format, validate everything, then write
in one transaction (all or nothing), and finish the job with the change report or the errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from palava.core.importers import ImportFileError
from palava.core.models import Job, JobStatus
from palava.core.services import job_finish, job_progress
from palava.places.importers import boundaries, gazetteer, population, settlements
from palava.places.importers.base import (
    Issues,
    Progress,
    decode_text,
    no_progress,
    read_bytes,
    read_table,
)

logger = logging.getLogger("palava.places.import")

FORMATS = ("gazetteer", "settlements", "boundaries", "population")
JOB_KIND = "places.import"


@dataclass
class Outcome:
    """What an import did (``ok``) or why it wrote nothing (``errors``)."""

    format: str
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    errors: Issues = field(default_factory=Issues)
    warnings: Issues = field(default_factory=Issues)


def detect_format(text: str) -> str:
    """Which of :data:`FORMATS` the text is, by content."""
    if text.lstrip()[:1] in ("{", "["):
        return "boundaries"
    table = read_table(text)
    if gazetteer.looks_like_gazetteer(table):
        return "gazetteer"
    if settlements.looks_like_settlements(table):
        return "settlements"
    if population.looks_like_population(table):
        return "population"
    raise ImportFileError(
        _(
            "The file's columns match no places format. A gazetteer needs P-Code, Name, Admin "
            "Level and Parent P-Code; settlements need name, latitude and longitude; population "
            "needs a P-code column and sex/age columns (e.g. F_TL). Columns found: %(columns)s."
        )
        % {"columns": ", ".join(name[:40] for name in table.header[:20]) or "-"}
    )


def places_import(
    *,
    mission: Any,
    actor: Any,
    job: Job,
    path: Path,
    fmt: str = "auto",
    strict: bool = False,
    year: int | None = None,
    source: str = "",
    progress: Progress = no_progress,
) -> Outcome:
    """Import ``path`` into ``mission``. Raises :class:`ImportFileError` for a file that cannot
    be read at all; returns an :class:`Outcome` with row errors (nothing written) or the report."""
    warnings = Issues()
    text = decode_text(read_bytes(path), warnings)
    if fmt in ("", "auto"):
        fmt = detect_format(text)
    if fmt not in FORMATS:
        raise ImportFileError(_("Unknown format %(format)r.") % {"format": fmt[:30]})
    source = source or path.name
    if fmt == "boundaries":
        shapes, errors, warnings = boundaries.plan_boundaries(
            text, mission=mission, progress=progress, warnings=warnings
        )
        if errors:
            return Outcome(fmt, False, errors=errors, warnings=warnings)
        progress(len(shapes), len(shapes), _("Writing"))
        result = boundaries.boundaries_apply(mission=mission, actor=actor, job=job, planned=shapes)
        return Outcome(fmt, True, result, errors, warnings)
    table = read_table(text)
    progress(0, len(table.rows), _("Checking rows"))
    if fmt == "gazetteer":
        existing = gazetteer.existing_units(mission)
        plan = gazetteer.plan_gazetteer(
            table, existing=existing, strict=strict, progress=progress, warnings=warnings
        )
        if plan.errors:
            return Outcome(fmt, False, errors=plan.errors, warnings=plan.warnings)
        progress(len(table.rows), len(table.rows), _("Writing"))
        result = gazetteer.gazetteer_apply(
            mission=mission, actor=actor, job=job, plan=plan, existing=existing, source=source
        )
        return Outcome(fmt, True, result, plan.errors, plan.warnings)
    if fmt == "settlements":
        sites, errors, warnings = settlements.plan_settlements(
            table, mission=mission, progress=progress, warnings=warnings
        )
        if errors:
            return Outcome(fmt, False, errors=errors, warnings=warnings)
        progress(len(table.rows), len(table.rows), _("Writing"))
        result = settlements.settlements_apply(mission=mission, actor=actor, job=job, planned=sites)
        return Outcome(fmt, True, result, errors, warnings)
    figures, errors, warnings = population.plan_population(
        table, mission=mission, year=year, progress=progress, warnings=warnings
    )
    if errors:
        return Outcome(fmt, False, errors=errors, warnings=warnings)
    progress(len(table.rows), len(table.rows), _("Writing"))
    result = population.population_apply(
        mission=mission, actor=actor, job=job, figures=figures, source=source
    )
    return Outcome(fmt, True, result, errors, warnings)


def _progress_for(job: Job) -> Callable[[int, int, str], None]:
    def report(done: int, total: int, message: str) -> None:
        job_progress(job=job, done=done, total=total, message=message)

    return report


def places_import_job_run(*, job: Job, actor: Any) -> Job:
    """Run a places import job to its end (the task and the command call this).

    Retry-safe: a job that already succeeded is returned as it is; a failed one runs again (the
    import itself is all-or-nothing, and importing the same file twice changes nothing).
    """
    if job.status == JobStatus.SUCCEEDED:
        return job
    params = job.params or {}
    fmt = str(params.get("format") or "auto")
    progress = _progress_for(job)
    progress(0, 0, _("Reading the file"))
    try:
        outcome = places_import(
            mission=job.mission,
            actor=actor,
            job=job,
            path=Path(job.input_file),
            fmt=fmt,
            strict=bool(params.get("strict", False)),
            year=int(params["year"]) if params.get("year") else None,
            source=str(params.get("source") or ""),
            progress=progress,
        )
    except ImportFileError as error:
        return job_finish(
            job=job,
            succeeded=False,
            result={"format": fmt, "errors_total": 1},
            errors=[{"line": 0, "reason": str(error)}],
            message=str(error),
        )
    except Exception:
        logger.exception("places import job %s crashed", job.public_id)
        job_finish(job=job, succeeded=False, message=_("The import failed on an internal error."))
        raise
    base = {
        "format": outcome.format,
        "errors_total": outcome.errors.count,
        "warnings_total": outcome.warnings.count,
        "warnings": outcome.warnings.as_list(),
    }
    if not outcome.ok:
        return job_finish(
            job=job,
            succeeded=False,
            result=base,
            errors=outcome.errors.as_list(),
            message=_("%(count)s problems found: nothing was imported.")
            % {"count": outcome.errors.count},
        )
    return job_finish(
        job=job,
        succeeded=True,
        result={**outcome.result, **base},
        message=_("Imported."),
    )


def import_job_get(*, mission: Any, public_id: Any) -> Job | None:
    """A places import job of ``mission`` (never fetched by id alone)."""
    return (
        Job.objects.filter(mission=mission, kind=JOB_KIND, public_id=public_id)
        .select_related("created_by")
        .first()
    )
