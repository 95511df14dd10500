"""Reading submissions exported from KoboToolbox or ODK Central, and matching them to a form.

Files (untrusted; everything here raises only :class:`ImportFileError` for a bad file):

* KoboToolbox XLSX (also Palava's own raw export): the first sheet is the main table, one more
  sheet per repeat group with ``_index``, ``_parent_index``, ``_parent_table_name`` and
  ``_submission__uuid``. Headers are field paths joined by ``/`` or bare field names.
* KoboToolbox CSV: the main table only, ``;`` or ``,`` separated, UTF-8 with or without BOM.
* ODK Central: a ``.zip`` of CSV files (``<form>.csv`` and ``<form>-<repeat>.csv``), headers
  joined by ``-``, rows linked by ``KEY`` and ``PARENT_KEY``; or its main CSV alone.

Limits: 25 MB per file, 50,000 rows per sheet, 2,000 columns, cells of 10,000 characters; an
archive holds at most 50 members that unpack to at most 100 MB, none outside the archive. An
XLSX is opened read-only and never evaluated: a formula is imported as its text.

Matching (:func:`plan_import`): every column is matched to a field of the form's question tree
by its path (``/`` or ``-`` separated, from the root or from its repeat) or by its name when only
one field has it; select-multiple answers split over ``question/choice`` columns (0/1) are
rebuilt when the joined column is missing; ODK Central geopoints split in ``-Latitude`` ... are
joined. Each row becomes the ``Submission.data`` of one submission; a row with a wrong value (a
number, a date, a choice) is reported with its sheet, row and column and skipped.

The package: :mod:`.readers` reads the files, :mod:`.fields` matches columns to the form's
questions and cleans values, :mod:`.plan` turns rows into planned submissions.
"""

from __future__ import annotations

from palava.assessments.imports.fields import (
    DATETIME_TYPES,
    GEO_PARTS,
    MEDIA_TYPES,
    RANK,
    SELECT_MANY,
    SELECT_ONE,
    SYSTEM_COLUMNS,
    TRUE_CELLS,
    BadValue,
    Column,
    Field,
    Tree,
    clean_value,
    field_tree,
    match_columns,
)
from palava.assessments.imports.plan import (
    ISSUES_KEPT,
    Issues,
    Node,
    Plan,
    Planned,
    plan_import,
)
from palava.assessments.imports.readers import (
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_MEMBERS,
    MAX_ROWS,
    MAX_UNPACKED,
    Sheet,
    Upload,
    read_csv_text,
    read_upload,
)

__all__ = [
    "DATETIME_TYPES",
    "GEO_PARTS",
    "ISSUES_KEPT",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_MEMBERS",
    "MAX_ROWS",
    "MAX_UNPACKED",
    "MEDIA_TYPES",
    "RANK",
    "SELECT_MANY",
    "SELECT_ONE",
    "SYSTEM_COLUMNS",
    "TRUE_CELLS",
    "BadValue",
    "Column",
    "Field",
    "Issues",
    "Node",
    "Plan",
    "Planned",
    "Sheet",
    "Tree",
    "Upload",
    "clean_value",
    "field_tree",
    "match_columns",
    "plan_import",
    "read_csv_text",
    "read_upload",
]
