"""Where the rows of a raw export go: an XLSX workbook or a zip of CSV files, on disk."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from typing import IO, Any

from palava.assessments.raw_export.layout import _FILE_BAD, Cell, Table
from palava.core.exporters import safe_text

# --- Sinks: where rows go --------------------------------------------------------------------


class Sink:
    def start(self, tables: list[Table]) -> None:
        raise NotImplementedError

    def row(self, table: Table, values: list[Cell]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class XlsxSink(Sink):
    """xlsxwriter in constant-memory mode: each sheet streams its rows to a temporary file."""

    def __init__(self, out: IO[bytes]) -> None:
        import xlsxwriter

        self._book = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "tmpdir": tempfile.gettempdir(),
            },
        )
        self._sheets: dict[str, Any] = {}
        self._rows: dict[str, int] = {}

    def start(self, tables: list[Table]) -> None:
        bold = self._book.add_format({"bold": True})
        for table in tables:
            sheet = self._book.add_worksheet(table.name)
            for col, header in enumerate(table.header()):
                sheet.write_string(0, col, safe_text(header), bold)
            self._sheets[table.path] = sheet
            self._rows[table.path] = 0

    def row(self, table: Table, values: list[Cell]) -> None:
        sheet = self._sheets[table.path]
        self._rows[table.path] += 1
        number = self._rows[table.path]
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(number, col, value)
            else:
                sheet.write_string(number, col, value)

    def close(self) -> None:
        self._book.close()


class CsvZipSink(Sink):
    """One CSV per table in a temporary file, zipped into ``out`` at the end."""

    def __init__(self, out: IO[bytes], form_id: str) -> None:
        self._out = out
        self._prefix = _FILE_BAD.sub("_", form_id).strip("._") or "data"
        self._files: dict[str, tuple[str, IO[bytes], io.TextIOWrapper, Any]] = {}

    def _filename(self, table: Table) -> str:
        if table.parent is None:
            return f"{self._prefix}.csv"
        return f"{self._prefix}-{_FILE_BAD.sub('_', table.name)}.csv"

    def start(self, tables: list[Table]) -> None:
        for table in tables:
            raw: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([safe_text(h) for h in table.header()])
            self._files[table.path] = (self._filename(table), raw, text, writer)

    def row(self, table: Table, values: list[Cell]) -> None:
        self._files[table.path][3].writerow(["" if v is None else str(v) for v in values])

    def close(self) -> None:
        with zipfile.ZipFile(self._out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, raw, text, _writer in self._files.values():
                text.flush()
                raw.seek(0)
                with archive.open(name, "w") as target:
                    shutil.copyfileobj(raw, target, 1024 * 1024)
                text.close()
