"""Reading untrusted tabular files safely: size limit, decoding, CSV dialect, HXL hashtag row,
columns found by header name or by HXL hashtag, and row-level issues with line numbers.

Everything here raises only :class:`ImportFileError` for bad input.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from palava.core.importers import ImportFileError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_FIELD_CHARS = 10_000  # a cell longer than this is refused (csv's own limit is 128 KiB)
MAX_ROWS = 1_000_000
ISSUES_KEPT = 1000  # row-level issues listed (the count is always exact)

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str) -> None:
    """The default progress callback: nothing."""


def max_import_bytes() -> int:
    """``PALAVA_IMPORT_MAX_BYTES`` (read lazily), 50 MB by default."""
    return int(getattr(settings, "PALAVA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- Row-level issues ------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason}


@dataclass
class Issues:
    """Collects issues; keeps the first ``keep`` and counts all."""

    keep: int = ISSUES_KEPT
    items: list[Issue] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, reason: str) -> None:
        self.count += 1
        if len(self.items) < self.keep:
            self.items.append(Issue(line, reason))

    def __bool__(self) -> bool:
        return self.count > 0

    def as_list(self) -> list[dict[str, Any]]:
        return [issue.as_dict() for issue in self.items]


# --- Bytes to text ---------------------------------------------------------------------------

_MOJIBAKE = re.compile("[\u00c3\u00c2][\u0080-\u00bf]")


def read_bytes(path: Path, *, max_bytes: int | None = None) -> bytes:
    """The file's bytes, refused before reading when larger than the limit."""
    limit = max_import_bytes() if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportFileError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": size, "limit": limit}
            )
        if size == 0:
            raise ImportFileError(_("The file is empty."))
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise ImportFileError(
            _("The file cannot be read: %(error)s") % {"error": error.strerror or error}
        ) from None
    if len(data) > limit:
        raise ImportFileError(
            _("The file is larger than the limit of %(limit)s bytes.") % {"limit": limit}
        )
    return data


def decode_text(data: bytes, warnings: Issues | None = None) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252; a clear error when none
    fits or the bytes are binary."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(_("The file starts like UTF-16 but cannot be decoded.")) from None
    else:
        if b"\x00" in data:
            raise ImportFileError(
                _("The file contains NUL bytes (offset %(offset)s): it is not a text file.")
                % {"offset": data.index(b"\x00")}
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as utf8_error:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise ImportFileError(
                    _(
                        "The file is neither UTF-8 nor Windows-1252 text (undecodable byte at "
                        "offset %(offset)s). Save it as CSV UTF-8."
                    )
                    % {"offset": utf8_error.start}
                ) from None
            if warnings is not None:
                warnings.add(0, _("The file is not UTF-8; it was read as Windows-1252."))
    if "\x00" in text:
        raise ImportFileError(_("The file contains NUL characters: it is not a text file."))
    if warnings is not None and _MOJIBAKE.search(text):
        warnings.add(
            0,
            _(
                "The text looks double-encoded (e.g. 'Ã©' for 'é'): check the file was saved "
                "as UTF-8 only once."
            ),
        )
    return text


# --- Text to a table ---------------------------------------------------------------------------

_HXL_TAG = re.compile(r"^#[A-Za-z][A-Za-z0-9_]*(\s*\+\s*[A-Za-z][A-Za-z0-9_]*)*$")


def is_hxl_row(cells: Sequence[str]) -> bool:
    """A row of HXL hashtags: at least one hashtag, and every non-empty cell a hashtag."""
    values = [cell.strip() for cell in cells if cell.strip()]
    return bool(values) and all(_HXL_TAG.match(value) for value in values)


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class HxlTag:
    tag: str
    attributes: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> HxlTag | None:
        text = text.strip()
        if not _HXL_TAG.match(text):
            return None
        parts = [part.strip().lower() for part in text.split("+")]
        return cls(parts[0], frozenset(parts[1:]))


@dataclass
class Table:
    """A CSV file as header names, optional HXL hashtags, and ``(line, cells)`` rows."""

    header: list[str]
    tags: list[HxlTag | None]
    rows: list[tuple[int, list[str]]]
    has_hxl_row: bool

    @property
    def normalised_header(self) -> list[str]:
        return [normalise_name(name) for name in self.header]


def normalise_name(name: str) -> str:
    """``"Parent P-Code"`` -> ``"parentpcode"``."""
    return re.sub(r"[^0-9a-z]+", "", name.strip().casefold())


def read_table(text: str) -> Table:
    """Parse CSV text (comma, semicolon or tab separated). The header is the first row; a row of
    HXL hashtags right after it (or instead of it) is recognised and skipped."""
    csv.field_size_limit(max(MAX_FIELD_CHARS * 2, 131072))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    rows: list[tuple[int, list[str]]] = []
    previous_line = 0
    try:
        for cells in reader:
            line = previous_line + 1
            previous_line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s: the CSV cannot be read (%(error)s).")
            % {"line": previous_line + 1, "error": error}
        ) from None
    if not rows:
        raise ImportFileError(_("The file has no rows."))
    _first_line, header = rows.pop(0)
    tags: list[HxlTag | None] = [None] * len(header)
    has_hxl = False
    if is_hxl_row(header):
        tags = [HxlTag.parse(cell) for cell in header]
        header = [""] * len(header)
        has_hxl = True
    elif rows and is_hxl_row(rows[0][1]):
        _hxl_line, hxl_cells = rows.pop(0)
        tags = [HxlTag.parse(cell) for cell in hxl_cells]
        tags += [None] * (len(header) - len(tags))
        has_hxl = True
    return Table(
        header=[cell.strip() for cell in header], tags=tags, rows=rows, has_hxl_row=has_hxl
    )


def load_table(path: Path, warnings: Issues | None = None) -> Table:
    return read_table(decode_text(read_bytes(path), warnings))


# --- Columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """How to find a column: normalised header names, or an HXL hashtag with attributes
    (``("adm", {"code"}, {"parent"})`` = ``#adm+code`` without ``+parent``)."""

    key: str
    names: tuple[str, ...]
    tags: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = ()

    def matches_tag(self, tag: HxlTag | None) -> bool:
        if tag is None:
            return False
        return any(
            tag.tag == name and required <= tag.attributes and not (excluded & tag.attributes)
            for name, required, excluded in self.tags
        )


def hxl(
    tag: str, *required: str, without: Sequence[str] = ()
) -> tuple[str, frozenset[str], frozenset[str]]:
    return (tag, frozenset(required), frozenset(without))


def locate_columns(table: Table, specs: Sequence[ColumnSpec]) -> dict[str, int]:
    """The index of each spec's column: by header name first (in the spec's order of names),
    then by HXL hashtag. Missing specs are absent from the result."""
    found: dict[str, int] = {}
    names = table.normalised_header
    used: set[int] = set()
    for spec in specs:
        for wanted in spec.names:
            if wanted in names and names.index(wanted) not in used:
                found[spec.key] = names.index(wanted)
                break
        else:
            for index, tag in enumerate(table.tags):
                if index not in used and spec.matches_tag(tag):
                    found[spec.key] = index
                    break
        if spec.key in found:
            used.add(found[spec.key])
    return found


def cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


# --- Cell checks ---------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "@", "-")


def clean_text(
    value: str, *, what: str, line: int, errors: Issues, max_chars: int, required: bool = True
) -> str | None:
    """Strip the value; refuse it when empty (if required), too long, with control characters,
    or starting like a spreadsheet formula (CSV injection). ``None`` when refused."""
    value = value.strip()
    if not value:
        if required:
            errors.add(line, _("%(what)s is empty.") % {"what": what})
            return None
        return ""
    if len(value) > max_chars:
        errors.add(
            line,
            _("%(what)s is longer than %(max)s characters.") % {"what": what, "max": max_chars},
        )
        return None
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        errors.add(line, _("%(what)s contains control characters.") % {"what": what})
        return None
    if value.startswith(_FORMULA_START) and len(value) > 1:
        errors.add(
            line,
            _("%(what)s starts like a spreadsheet formula (%(start)s).")
            % {"what": what, "start": value[:1]},
        )
        return None
    return value


def parse_float(value: str) -> float | None:
    """``"12.5"``, ``"12,5"`` (decimal comma) or ``" -3.25 "``; ``None`` when not a number."""
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        return None
    number = float(text)
    return number if number == number and abs(number) != float("inf") else None


def rows_with_progress(
    rows: list[tuple[int, list[str]]], progress: Progress, every: int, label: str
) -> Iterator[tuple[int, list[str]]]:
    total = len(rows)
    for index, row in enumerate(rows, start=1):
        yield row
        if index % every == 0:
            progress(index, total, label)
