"""Writing a form's raw export (:func:`raw_export_write`) and auditing it (:func:`raw_export`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from palava.assessments.models import Form, Round, Submission
from palava.assessments.raw_export.layout import (
    _FILE_BAD,
    Cell,
    Layout,
    Table,
    _uuid_of,
    cell,
)
from palava.assessments.raw_export.sinks import CsvZipSink, Sink, XlsxSink
from palava.assessments.submission_selectors import export_rows
from palava.audit.services import audit_record
from palava.core.services import job_create, job_finish
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has

FORMATS = ("xlsx", "zip")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
JOB_KIND = "submission_export"
ACTION = "submission.export"
MAX_EXPORT_SUBMISSIONS = 100_000
CHUNK = 200


class ExportTooLarge(ValueError):
    """More submissions than one direct download may hold."""


# --- Writing ---------------------------------------------------------------------------------


def _values(table: Table, data: dict[str, Any]) -> list[Cell]:
    values = [cell(data.get(c), numeric=c in table.numeric) for c in table.columns]
    values.extend(cell(data.get(c)) for c in table.extras)
    return values


def _emit_repeats(
    sink: Sink, layout: Layout, data: dict[str, Any], parent: Table, parent_index: int, uuid: Cell
) -> None:
    for key, value in data.items():
        if not isinstance(value, list):
            continue
        table = layout.tables.get(str(key))
        if table is None:
            continue
        for item in value:
            if not isinstance(item, dict):
                continue
            table.index += 1
            row = _values(table, item)
            row.extend([table.index, parent_index, parent.name, uuid])
            sink.row(table, row)
            _emit_repeats(sink, layout, item, table, table.index, uuid)


def _submissions(rows: Any) -> Iterator[Submission]:
    return rows.select_related("admin_unit").iterator(chunk_size=CHUNK)  # type: ignore[no-any-return]


def layout_for(form: Form, rows: Any) -> Layout:
    """The sheets and columns of ``form``'s export for the submissions ``rows``."""
    definition = form.current_version.definition if form.current_version else {}
    layout = Layout(form.form_id, definition if isinstance(definition, dict) else {})
    for data in rows.values_list("data", flat=True).iterator(chunk_size=CHUNK):
        layout.scan(data)
    return layout


def raw_export_write(
    *, membership: Membership, form: Form, fmt: str, out: IO[bytes], round: Round | None = None
) -> int:
    """Write ``form``'s current submissions visible to ``membership`` (of ``round`` when given)
    as ``fmt`` ("xlsx" or "zip") to ``out``; returns the number of submissions. Not audited:
    see :func:`raw_export`."""
    if fmt not in FORMATS:
        raise ValueError(_("Unknown export format."))
    if not membership.is_active or not role_has(membership.role, Perm.SUBMISSION_EXPORT):
        raise PermissionDenied(_("Your role does not allow this export."))
    if form.mission_id != membership.mission_id:
        raise PermissionDenied(_("Your role does not allow this export."))
    rows = export_rows(membership=membership, form=form, round=round)
    total = rows.count()
    if total > MAX_EXPORT_SUBMISSIONS:
        raise ExportTooLarge(
            _("Too many submissions for one export (%(count)d; the limit is %(limit)d).")
            % {"count": total, "limit": MAX_EXPORT_SUBMISSIONS}
        )
    layout = layout_for(form, rows)
    tables = list(layout.tables.values())
    sink: Sink = XlsxSink(out) if fmt == "xlsx" else CsvZipSink(out, form.form_id)
    sink.start(tables)
    count = 0
    for submission in _submissions(rows):
        count += 1
        data = submission.data if isinstance(submission.data, dict) else {}
        uuid = cell(_uuid_of(submission.instance_id))
        row = _values(layout.main, data)
        row.extend(
            [
                str(submission.public_id),
                uuid,
                submission.received_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                count,
                submission.status,
                submission.source,
                submission.admin_unit.pcode if submission.admin_unit else None,
                cell(" ".join(str(f) for f in submission.quality_flags or [])),
            ]
        )
        sink.row(layout.main, row)
        _emit_repeats(sink, layout, data, layout.main, count, uuid)
    sink.close()
    return count


def export_filename(form: Form, fmt: str) -> str:
    base = _FILE_BAD.sub("_", form.form_id).strip("._") or "data"
    return f"{base}.{fmt}"


def raw_export(
    *,
    actor: Any,
    membership: Membership,
    form: Form,
    fmt: str,
    out: IO[bytes],
    round: Round | None = None,
) -> int:
    """Write the raw export (see :func:`raw_export_write`) and audit it as
    ``submission.export`` with the form, round, format and row count."""
    if not membership.is_active or not role_has(membership.role, Perm.SUBMISSION_EXPORT):
        raise PermissionDenied(_("Your role does not allow this export."))
    params: dict[str, Any] = {
        "form": str(form.public_id),
        "form_id": form.form_id,
        "round": str(round.public_id) if round is not None else "",
        "format": fmt,
    }
    job = job_create(actor=actor, mission=membership.mission, kind=JOB_KIND, params=params)
    try:
        rows = raw_export_write(membership=membership, form=form, fmt=fmt, out=out, round=round)
    except Exception:
        job_finish(job=job, succeeded=False, message=_("The export failed."))
        raise
    with transaction.atomic():
        job_finish(
            job=job,
            succeeded=True,
            result={"rows": rows, "format": fmt},
            message=_("Exported %(rows)s rows.") % {"rows": rows},
        )
        audit_record(
            actor=actor,
            action=ACTION,
            mission=membership.mission,
            obj=job,
            changes={
                "params": json.dumps(params, sort_keys=True),
                "result": json.dumps({"rows": rows, "format": fmt}),
            },
        )
    return rows
