"""The registry behind ``palava export <kind>`` and export jobs: apps register what they export.

An app registers its kinds in its ``exchange`` module (``palava/<app>/exchange.py``); the
registry imports those modules on first use. A kind gives a **table** (columns with their HXL
hashtags, rows) written here as CSV or XLSX with the hashtag row as the second row, and/or
**GeoJSON** features.

Exports are for a :class:`Reader`, built from a membership: the kind selects through the app's
selectors (mission, geographic scope, clearance), so an export never holds more than the pages
show that member. Contact details and notes are never exported.

Safety of the files: text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, tab, carriage return first) are written with a leading apostrophe in CSV (the OWASP
advice; importers strip it again), and XLSX cells are always written as strings or numbers,
never as formulas or links.

Pages start an export with :func:`export_start` (a :class:`~palava.core.models.Job` and the
:func:`export_run_task` task, with progress); the command runs the same job synchronously with
:func:`export_run` and its own output stream. Both are audited (``export.write``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django_tasks import task

from palava.audit.services import audit_record
from palava.core.models import Job, JobStatus
from palava.core.sensitivity import Sensitivity
from palava.core.services import job_create, job_finish, job_progress
from palava.missions.models import Membership, Mission, Role
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.scope import Scope

logger = logging.getLogger("palava.exports")

FORMATS = ("csv", "xlsx", "geojson")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
JOB_KIND = "export"
PROGRESS_EVERY = 250
EXPORTS_DIR = "exports"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None
Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    """The default progress callback: nothing."""


# --- What an export is made of ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its header (first row) and its HXL hashtag with attributes (second row)."""

    header: str
    hashtag: str


@dataclass(frozen=True)
class Table:
    columns: Sequence[Column]
    rows: Iterable[Sequence[Cell]]
    total: int


@dataclass(frozen=True)
class Features:
    """GeoJSON features (``{"type": "Feature", ...}`` dicts) and how many there are."""

    features: Iterable[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class ExportKind:
    """One exportable kind. ``table(reader)`` and/or ``geojson(reader)``; ``perm`` is what the
    member's role needs to export it."""

    name: str
    help: str
    perm: Perm
    table: Callable[[Membership], Table] | None = None
    geojson: Callable[[Membership], Features] | None = None

    @property
    def formats(self) -> tuple[str, ...]:
        out: tuple[str, ...] = ()
        if self.table is not None:
            out += ("csv", "xlsx")
        if self.geojson is not None:
            out += ("geojson",)
        return out


_KINDS: dict[str, ExportKind] = {}
_discovered = False


def export_kind_register(kind: ExportKind) -> None:
    """Register (or re-register, e.g. on module reload) an exportable kind."""
    _KINDS[kind.name] = kind


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("exchange")
        _discovered = True


def export_kinds() -> dict[str, ExportKind]:
    _discover()
    return dict(sorted(_KINDS.items()))


def export_kind_get(name: str) -> ExportKind | None:
    _discover()
    return _KINDS.get(name)


# --- Readers ---------------------------------------------------------------------------------


def reader_for_role(*, mission: Mission, role: str = Role.VIEWER) -> Membership:
    """A reader for operators' exports (the command): the whole mission, with the permissions
    and clearance of ``role``. An unsaved membership: the selectors take it like a real one."""
    reader = Membership(mission=mission, role=role, is_active=True)
    reader._palava_scope = Scope(mission_id=mission.pk, paths=None)  # type: ignore[attr-defined]
    return reader


def reader_clearance(reader: Membership) -> Sensitivity:
    return clearance_for(reader.role)


def _check(kind: ExportKind, fmt: str, reader: Membership) -> None:
    if fmt not in kind.formats:
        raise ValueError(
            _("%(kind)s cannot be exported as %(format)s (only %(formats)s).")
            % {"kind": kind.name, "format": fmt, "formats": ", ".join(kind.formats)}
        )
    if not reader.is_active or not role_has(reader.role, kind.perm):
        raise PermissionDenied(_("Your role does not allow this export."))


# --- Writers ---------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (``'=SUM(...)`` for ``=SUM(...)``)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def unescape_text(value: str) -> str:
    """The inverse of :func:`safe_text`, for importers."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def _progressed(rows: Iterable[Any], total: int, progress: Progress) -> Iterator[Any]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, total)


def write_csv(table: Table, out: IO[bytes], progress: Progress = _no_progress) -> int:
    """UTF-8 with a BOM (so spreadsheets pick the encoding), header row, hashtag row, rows."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    writer.writerow([c.hashtag for c in table.columns])
    count = 0
    for row in _progressed(table.rows, table.total, progress):
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(table: Table, out: IO[bytes], progress: Progress = _no_progress) -> int:
    """One sheet: header row (bold), hashtag row, rows; strings never become formulas or links."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet("data")
    bold = book.add_format({"bold": True})
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, column.header, bold)
        sheet.write_string(1, col, column.hashtag)
        sheet.set_column(col, col, max(12, min(40, len(column.header) + 2)))
    sheet.freeze_panes(2, 0)
    count = 0
    for row in _progressed(table.rows, table.total, progress):
        count += 1
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(count + 1, col, str(value))
            elif isinstance(value, int | float):
                sheet.write_number(count + 1, col, value)
            else:
                sheet.write_string(count + 1, col, str(value))
    book.close()
    return count


def write_geojson(features: Features, out: IO[bytes], progress: Progress = _no_progress) -> int:
    """A FeatureCollection, one feature per line."""
    out.write(b'{"type": "FeatureCollection", "features": [\n')
    count = 0
    for feature in _progressed(features.features, features.total, progress):
        if count:
            out.write(b",\n")
        out.write(json.dumps(feature, ensure_ascii=False).encode("utf-8"))
        count += 1
    out.write(b"\n]}\n")
    return count


@dataclass(frozen=True)
class ExportResult:
    kind: str
    format: str
    rows: int


def export_write(
    *,
    kind: ExportKind,
    fmt: str,
    reader: Membership,
    out: IO[bytes],
    progress: Progress = _no_progress,
) -> ExportResult:
    """Write ``kind`` as ``fmt`` to ``out`` for ``reader`` (no audit row: see :func:`export_run`).

    Raises ``PermissionDenied`` when the reader's role lacks the kind's permission and
    ``ValueError`` for a format the kind does not have.
    """
    _check(kind, fmt, reader)
    if fmt == "geojson":
        assert kind.geojson is not None
        rows = write_geojson(kind.geojson(reader), out, progress)
    else:
        assert kind.table is not None
        writer = write_csv if fmt == "csv" else write_xlsx
        rows = writer(kind.table(reader), out, progress)
    return ExportResult(kind=kind.name, format=fmt, rows=rows)


# --- Export jobs -----------------------------------------------------------------------------


def export_path(job: Job) -> Path:
    """Where a page's export is written: ``MEDIA_ROOT/exports/<mission>/<job id>.<format>``."""
    fmt = str((job.params or {}).get("format", "csv"))
    return Path(settings.MEDIA_ROOT) / EXPORTS_DIR / job.mission.slug / f"{job.public_id}.{fmt}"


def export_job_create(*, actor: Any, mission: Mission, kind: str, fmt: str, role: str = "") -> Job:
    """The job record of one export (``role`` only for operators' exports without a member)."""
    params: dict[str, Any] = {"kind": kind, "format": fmt}
    if role:
        params["role"] = role
    return job_create(actor=actor, mission=mission, kind=JOB_KIND, params=params)


@transaction.atomic
def export_start(*, actor: Any, membership: Membership, kind: str, fmt: str) -> Job:
    """Record an export job for ``membership`` and enqueue its task after commit.

    The task exports as the job's creator in the job's mission, with the scope and clearance
    they have when it runs.
    """
    found = export_kind_get(kind)
    if found is None:
        raise ValueError(_("Unknown export kind."))
    _check(found, fmt, membership)
    job = export_job_create(actor=actor, mission=membership.mission, kind=found.name, fmt=fmt)
    transaction.on_commit(lambda: export_run_task.enqueue(str(job.public_id)))
    return job


def _creator_membership(job: Job) -> Membership | None:
    if job.created_by_id is None:
        return None
    return (
        Membership.objects.select_related("mission")
        .filter(mission_id=job.mission_id, user_id=job.created_by_id, is_active=True)
        .first()
    )


def export_run(
    *, job: Job, reader: Membership | None = None, out: IO[bytes] | None = None, actor: Any = None
) -> Job:
    """Run an export job to its end and finish it (a finished job is returned as it is).

    Pages' jobs (``reader`` and ``out`` not given) export as the job's creator, into
    :func:`export_path`. The command passes its own reader and output stream. The export is
    audited as ``export.write`` with the kind, format and row count.
    """
    if job.status == JobStatus.SUCCEEDED:
        return job
    params = job.params or {}
    kind = export_kind_get(str(params.get("kind", "")))
    fmt = str(params.get("format", ""))
    reader = reader if reader is not None else _creator_membership(job)
    actor = actor if actor is not None else (job.created_by or "system:worker")
    if kind is None or reader is None:
        return job_finish(job=job, succeeded=False, message=_("This export cannot run any more."))
    try:
        _check(kind, fmt, reader)
    except (PermissionDenied, ValueError) as error:
        return job_finish(job=job, succeeded=False, message=str(error))

    def progress(done: int, total: int) -> None:
        job_progress(job=job, done=done, total=total, message=_("Writing rows"))

    path: Path | None = None
    try:
        if out is None:
            path = export_path(job)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                result = export_write(
                    kind=kind, fmt=fmt, reader=reader, out=handle, progress=progress
                )
            job.output_file = str(path.relative_to(Path(settings.MEDIA_ROOT)))
        else:
            result = export_write(kind=kind, fmt=fmt, reader=reader, out=out, progress=progress)
    except Exception:
        if path is not None:
            path.unlink(missing_ok=True)
        logger.exception("export job %s crashed", job.public_id)
        job_finish(job=job, succeeded=False, message=_("The export failed on an internal error."))
        raise
    summary = {"kind": result.kind, "format": result.format, "rows": result.rows}
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="export.write",
            mission=job.mission,
            obj=job,
            changes={"params": json.dumps(params, sort_keys=True), "result": json.dumps(summary)},
        )
        return job_finish(
            job=job,
            succeeded=True,
            result=summary,
            message=_("Exported %(rows)s rows.") % {"rows": result.rows},
        )


@task()
def export_run_task(job_public_id: str) -> dict[str, Any]:
    """Run an export job (thin: loads the job and calls :func:`export_run`)."""
    job = (
        Job.objects.select_related("mission", "created_by")
        .filter(public_id=job_public_id, kind=JOB_KIND)
        .first()
    )
    if job is None:
        return {"status": "missing"}
    job = export_run(job=job)
    return {"status": job.status, "rows": job.result.get("rows", 0)}
