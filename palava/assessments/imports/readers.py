"""Reading the tables of an uploaded export (KoboToolbox XLSX or CSV, ODK Central zip).

Files are untrusted: everything here raises only :class:`ImportFileError` for a bad file.
Limits: 25 MB per file, 50,000 rows per sheet, 2,000 columns, cells of 10,000 characters; an
archive holds at most 50 members that unpack to at most 100 MB, none outside the archive. An
XLSX is opened read-only and never evaluated: a formula is imported as its text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from palava.core.exporters import unescape_text
from palava.core.importers import ImportFileError
from palava.places.importers.base import decode_text

MAX_BYTES = 25 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 2_000
MAX_CELL_CHARS = 10_000
MAX_MEMBERS = 50
MAX_UNPACKED = 100 * 1024 * 1024
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Sheet:
    """One table: its name (sheet title or CSV file name), header and ``(row number, cells)``."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class Upload:
    format: str  # "xlsx", "csv" or "zip"
    sheets: list[Sheet]
    warnings: list[str] = field(default_factory=list)


def _too_big(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file is larger than the limit of %(limit)s bytes.") % {"limit": limit}
    )


def _clean_cell(value: str) -> str:
    """Text without control characters or surrounding blanks; the apostrophe an export put
    before ``=``, ``+``, ``-`` or ``@`` (so spreadsheets do not run it) is removed."""
    return _CONTROL.sub("", unescape_text(value)).strip()


def _cell_text(value: Any) -> str:
    """An XLSX cell as text: formulas stay their text, whole numbers lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_cell(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = getattr(value, "text", None)  # ArrayFormula and friends: their formula text
    return _clean_cell(str(text if isinstance(text, str) else value))


def _header(cells: Sequence[str]) -> list[str]:
    header = [_clean_cell(cell) for cell in cells]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
    return header


def _check_rows(name: str, count: int) -> None:
    if count > MAX_ROWS:
        raise ImportFileError(
            _("“%(sheet)s” has more than %(max)s rows.") % {"sheet": name[:100], "max": MAX_ROWS}
        )


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    outside = re.sub(r'"[^"]*"', "", first)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_text(text: str, name: str) -> Sheet:
    """A CSV table (separator sniffed from the header line)."""
    csv.field_size_limit(MAX_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if header is None:
                header = _header(cells)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((number, [_clean_cell(cell) for cell in cells[: MAX_COLUMNS + 1]]))
            _check_rows(name, len(rows))
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file cannot be read: %(error)s") % {"error": error}
        ) from None
    if not header or not any(header):
        raise ImportFileError(_("The file has no header row."))
    return Sheet(name=name, header=header, rows=rows)


def _check_archive(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(_("The archive has more than %(max)s files.") % {"max": MAX_MEMBERS})
    if sum(info.file_size for info in members) > MAX_UNPACKED:
        raise ImportFileError(
            _("The archive unpacks to more than %(limit)s bytes.") % {"limit": MAX_UNPACKED}
        )
    for info in members:
        name = info.filename.replace("\\", "/")
        parts = name.split("/")
        if name.startswith("/") or ".." in parts or re.match(r"^[A-Za-z]:", name):
            raise ImportFileError(
                _("The archive holds a file outside itself (%(name)s): refused.")
                % {"name": info.filename[:100]}
            )
    return members


def _read_xlsx(path: Path) -> Upload:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for broken files
        raise ImportFileError(_("The workbook cannot be read (damaged or not XLSX).")) from None
    sheets: list[Sheet] = []
    try:
        for worksheet in book.worksheets:
            header: list[str] | None = None
            rows: list[tuple[int, list[str]]] = []
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(value) for value in values[: MAX_COLUMNS + 1]]
                if header is None:
                    if any(cells):
                        header = _header(cells)
                    continue
                if any(cells):
                    rows.append((number, cells))
                    _check_rows(str(worksheet.title), len(rows))
            if header:
                sheets.append(Sheet(name=str(worksheet.title), header=header, rows=rows))
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("The workbook cannot be read (damaged or not XLSX).")) from None
    finally:
        book.close()
    if not sheets:
        raise ImportFileError(_("The workbook has no rows."))
    return Upload(format="xlsx", sheets=sheets)


def _read_zip(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> Upload:
    warnings: list[str] = []
    sheets: list[Sheet] = []
    skipped = 0
    for info in members:
        if info.is_dir():
            continue
        if not info.filename.lower().endswith(".csv"):
            skipped += 1
            continue
        with archive.open(info) as handle:
            data = handle.read(MAX_UNPACKED + 1)
        if len(data) > MAX_UNPACKED:
            raise _too_big(MAX_UNPACKED)
        stem = posixpath.basename(info.filename.replace("\\", "/"))[:-4]
        sheets.append(read_csv_text(decode_text(data), stem))
    if skipped:
        warnings.append(
            _("%(count)s files of the archive that are not CSV (media) were not imported.")
            % {"count": skipped}
        )
    if not sheets:
        raise ImportFileError(_("The archive holds no CSV file."))
    # The main table first: the one without PARENT_KEY whose name prefixes the others.
    mains = [
        sheet
        for sheet in sheets
        if "PARENT_KEY" not in sheet.header and "_parent_index" not in sheet.header
    ]
    if not mains:
        raise ImportFileError(_("The archive has no main table (every CSV has a PARENT_KEY)."))
    main = min(mains, key=lambda sheet: (len(sheet.name), sheet.name))
    rest = sorted((sheet for sheet in sheets if sheet is not main), key=lambda sheet: sheet.name)
    return Upload(format="zip", sheets=[main, *rest], warnings=warnings)


def read_upload(path: Path, *, name: str = "") -> Upload:
    """The tables of an uploaded export (XLSX, CSV or a zip of CSVs), by content; ``name`` is
    the uploaded file's name (a CSV's table is named after it)."""
    try:
        size = path.stat().st_size
    except OSError:
        raise ImportFileError(_("The file cannot be read.")) from None
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > MAX_BYTES:
        raise _too_big(MAX_BYTES)
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                members = _check_archive(archive)
                names = {info.filename for info in members}
                if "xl/workbook.xml" not in names:
                    return _read_zip(archive, members)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
            raise ImportFileError(_("The file is a damaged zip archive.")) from None
        except (NotImplementedError, RuntimeError):  # unknown compression, encrypted members
            raise ImportFileError(
                _("The archive uses a compression or encryption that cannot be read.")
            ) from None
        return _read_xlsx(path)
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise _too_big(MAX_BYTES)
    text = decode_text(data)
    return Upload(format="csv", sheets=[read_csv_text(text, Path(name).stem or path.stem)])
