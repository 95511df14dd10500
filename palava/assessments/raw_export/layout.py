"""The layout of a raw export: which sheets and columns, and how each cell is written.

The main sheet (named after the ``form_id``) holds the form's field paths in form order, then
the answered paths it does not define, then :data:`MAIN_META`; one sheet per repeat holds the
repeat's field paths, then :data:`REPEAT_META`. Sheet names are Excel-safe and unique.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from palava.core.exporters import safe_text

MAX_TABLES = 100  # repeat sheets (the form's, plus repeats only older versions had)
MAX_EXTRA_COLUMNS = 1000  # answered paths the form does not define, per sheet
SHEET_MAX = 31
MAIN_META = ("_id", "_uuid", "_submission_time", "_index", "_status", "_source", "_place", "_flags")
REPEAT_META = ("_index", "_parent_index", "_parent_table_name", "_submission__uuid")
NUMERIC_TYPES = frozenset({"integer", "decimal", "range"})
NO_ANSWER_TYPES = frozenset({"note"})
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_FILE_BAD = re.compile(r"[^A-Za-z0-9._-]+")
_INTEGER = re.compile(r"-?\d{1,15}")
_DECIMAL = re.compile(r"-?\d{1,15}\.\d{1,15}")

Cell = str | int | float | None


# --- Layout: which sheets and columns --------------------------------------------------------


@dataclass
class Table:
    """One sheet (or CSV file): the main table (``path`` empty) or a repeat."""

    path: str
    name: str
    parent: Table | None
    columns: list[str] = field(default_factory=list)
    column_set: set[str] = field(default_factory=set)
    numeric: set[str] = field(default_factory=set)
    extras: dict[str, None] = field(default_factory=dict)  # ordered set
    index: int = 0

    def header(self) -> list[str]:
        meta = MAIN_META if self.parent is None else REPEAT_META
        return [*self.columns, *self.extras, *meta]

    def known(self, path: str) -> bool:
        return path in self.column_set or path in self.extras

    def add_column(self, path: str, *, numeric: bool = False) -> None:
        if path not in self.column_set:
            self.columns.append(path)
            self.column_set.add(path)
            if numeric:
                self.numeric.add(path)


def sheet_name(text: str, taken: set[str]) -> str:
    """An Excel-safe sheet name from ``text``: no ``[]:*?/\\``, not starting or ending with an
    apostrophe, at most 31 characters, unique (case-insensitively) among ``taken``."""
    base = _SHEET_BAD.sub("_", text).strip("'").strip() or "data"
    base = base[:SHEET_MAX]
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f"_{n}"
        name = base[: SHEET_MAX - len(suffix)] + suffix
    taken.add(name.lower())
    return name


class Layout:
    """The tables of a form's export, in form order, main first."""

    def __init__(self, form_id: str, definition: dict[str, Any]) -> None:
        self._taken: set[str] = set()
        self.main = Table(path="", name=sheet_name(form_id, self._taken), parent=None)
        self.tables: dict[str, Table] = {"": self.main}
        children = definition.get("children") if isinstance(definition, dict) else None
        self._walk(children if isinstance(children, list) else [], "", self.main)

    def _walk(self, children: list[Any], prefix: str, table: Table) -> None:
        for child in children:
            if not isinstance(child, dict):
                continue
            name = str(child.get("name", ""))
            kind = str(child.get("type", ""))
            if not name:
                continue
            path = f"{prefix}{name}"
            grandchildren = child.get("children")
            if kind == "repeat":
                repeat = self.add(path, table)
                if repeat is not None and isinstance(grandchildren, list):
                    self._walk(grandchildren, f"{path}/", repeat)
            elif kind == "group":
                if isinstance(grandchildren, list):
                    self._walk(grandchildren, f"{path}/", table)
            elif kind not in NO_ANSWER_TYPES:
                table.add_column(path, numeric=kind in NUMERIC_TYPES)

    def add(self, path: str, parent: Table) -> Table | None:
        if path in self.tables:
            return self.tables[path]
        if len(self.tables) > MAX_TABLES:
            return None
        table = Table(
            path=path, name=sheet_name(path.rsplit("/", 1)[-1], self._taken), parent=parent
        )
        self.tables[path] = table
        return table

    def scan(self, data: Any, table: Table | None = None) -> None:
        """Note the answered paths and repeats of one submission the form does not define."""
        table = table or self.main
        if not isinstance(data, dict):
            return
        for key, value in data.items():
            path = str(key)
            if isinstance(value, list):
                repeat = self.tables.get(path) or self.add(path, table)
                if repeat is None:
                    continue
                for item in value:
                    self.scan(item, repeat)
            elif not table.known(path) and len(table.extras) < MAX_EXTRA_COLUMNS:
                table.extras[path] = None


# --- Cells -----------------------------------------------------------------------------------


def _number(text: str) -> int | float | None:
    value = text.strip()
    if _INTEGER.fullmatch(value):
        return int(value)
    if _DECIMAL.fullmatch(value):
        return float(value)
    return None


def cell(value: Any, *, numeric: bool = False) -> Cell:
    """One exported cell: numbers for numeric answers, otherwise text made formula-safe."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if numeric:
        number = _number(text)
        if number is not None:
            return number
    return safe_text(text)


def _uuid_of(instance_id: str) -> str:
    return instance_id[5:] if instance_id.lower().startswith("uuid:") else instance_id
