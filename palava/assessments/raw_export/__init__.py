"""Raw exports of one form's submissions: XLSX with one sheet per repeat, or a zip of CSVs.

The shape is KoboToolbox's "XML values and headers" export, so analysts' scripts and the
survey importer read it unchanged:

- the main sheet (named after the ``form_id``, at most 31 characters) has one row per current
  submission; its header is the field paths (``group/question``) in form order, then any
  answered path the form does not define (older versions), then ``_id`` (the submission's
  public id), ``_uuid`` (the instance id without ``uuid:``), ``_submission_time`` (ISO 8601,
  UTC), ``_index`` (1..n), ``_status``, ``_source``, ``_place`` (P-code) and ``_flags``
  (quality flag codes, space-separated);
- one sheet per repeat (named after the repeat, unique, at most 31 characters) with the
  repeat's field paths, then ``_index`` (1..n in that sheet), ``_parent_index`` (the ``_index``
  of the row it belongs to), ``_parent_table_name`` (that row's sheet: the main sheet, or the
  enclosing repeat's sheet for a nested repeat) and ``_submission__uuid``.

The CSV export is a zip of ``<form_id>.csv`` and ``<form_id>-<sheet>.csv`` with the same
columns (UTF-8 with a byte-order mark).

Safety: a text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
written with a leading apostrophe, as :func:`palava.core.exporters.safe_text` does (importers
undo it with ``unescape_text``); answers to numeric questions are written as numbers. XLSX
cells are never formulas or links.

Memory stays flat: submissions are read in chunks twice (the first pass finds the columns the
form does not define), XLSX is written by xlsxwriter in constant-memory mode and CSVs go to
temporary files, all on disk rather than in memory. An export is a sensitive read: it is
audited as ``submission.export`` with the row count, against an export :class:`Job`.

The package: :mod:`.layout` (sheets, columns, cells), :mod:`.sinks` (XLSX and zipped CSV
writers) and :mod:`.writer` (the export itself, its checks and its audit).
"""

from __future__ import annotations

from palava.assessments.raw_export.layout import (
    MAIN_META,
    MAX_EXTRA_COLUMNS,
    MAX_TABLES,
    NO_ANSWER_TYPES,
    NUMERIC_TYPES,
    REPEAT_META,
    SHEET_MAX,
    Cell,
    Layout,
    Table,
    cell,
    sheet_name,
)
from palava.assessments.raw_export.sinks import CsvZipSink, Sink, XlsxSink
from palava.assessments.raw_export.writer import (
    ACTION,
    CHUNK,
    CONTENT_TYPES,
    FORMATS,
    JOB_KIND,
    MAX_EXPORT_SUBMISSIONS,
    ExportTooLarge,
    export_filename,
    layout_for,
    raw_export,
    raw_export_write,
)

__all__ = [
    "ACTION",
    "CHUNK",
    "CONTENT_TYPES",
    "FORMATS",
    "JOB_KIND",
    "MAIN_META",
    "MAX_EXPORT_SUBMISSIONS",
    "MAX_EXTRA_COLUMNS",
    "MAX_TABLES",
    "NO_ANSWER_TYPES",
    "NUMERIC_TYPES",
    "REPEAT_META",
    "SHEET_MAX",
    "Cell",
    "CsvZipSink",
    "ExportTooLarge",
    "Layout",
    "Sink",
    "Table",
    "XlsxSink",
    "cell",
    "export_filename",
    "layout_for",
    "raw_export",
    "raw_export_write",
    "sheet_name",
]
