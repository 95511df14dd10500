"""The form's question tree, matching a table's columns to it, and cleaning answers.

Every column is matched to a field of the form's question tree by its path (``/`` or ``-``
separated, from the root or from its repeat) or by its name when only one field has it;
select-multiple answers may be split over ``question/choice`` columns (0/1) and ODK Central
geopoints over ``-Latitude`` ... columns. :func:`clean_value` checks one answer against its
field (a number, a date, a choice) and raises :class:`BadValue` with a message.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from palava.assessments.imports.readers import MAX_CELL_CHARS

SELECT_ONE = "select one"
SELECT_MANY = "select all that apply"
RANK = ("rank", "odk:rank")
DATETIME_TYPES = ("dateTime", "start", "end")
MEDIA_TYPES = ("image", "audio", "video", "file", "background-audio", "background-video")
TRUE_CELLS = frozenset({"1", "1.0", "true", "yes", "oui", "x"})
GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")
# Columns the exports add that are not answers: read for linking, else ignored silently.
SYSTEM_COLUMNS = frozenset(
    {
        "SubmissionDate",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "isValidated",
        "KEY",
        "PARENT_KEY",
        "instanceID",
        "meta/instanceID",
        "meta-instanceID",
        "meta/rootUuid",
        "meta-rootUuid",
        "meta/deprecatedID",
        "meta-deprecatedID",
        "meta/instanceName",
        "meta-instanceName",
    }
)
_CHOICE_TYPES = (SELECT_ONE, SELECT_MANY, *RANK)
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+(\.0+)?$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")


# --- The form's fields -------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    path: str
    name: str
    kind: str
    repeat: str  # the innermost repeat holding the field ("" at the top)
    required: bool
    choices: tuple[str, ...] | None  # choice names; None when unknown (from a file)
    labels: Mapping[str, str] = field(default_factory=dict)  # choice label -> name


@dataclass
class Tree:
    fields: dict[str, Field]
    repeats: dict[str, str]  # repeat path -> the repeat holding it ("" at the top)
    repeat_order: list[str]  # depth first, as in the form


def _choice_labels(choice: Mapping[str, Any]) -> list[str]:
    label = choice.get("label")
    if isinstance(label, str):
        return [label.strip()]
    if isinstance(label, Mapping):
        return [str(text).strip() for text in label.values() if text]
    return []


def _choices(node: Mapping[str, Any], definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = node.get("choices")
    if not isinstance(found, list):
        found = node.get("children")
    if not isinstance(found, list):
        lists = definition.get("choices")
        name = node.get("list_name") or node.get("itemset")
        found = lists.get(name) if isinstance(lists, Mapping) and isinstance(name, str) else None
    return [c for c in found or [] if isinstance(c, Mapping) and c.get("name") is not None]


def _is_required(node: Mapping[str, Any]) -> bool:
    bind = node.get("bind")
    value = bind.get("required") if isinstance(bind, Mapping) else None
    return value is True or str(value).strip().lower() in ("yes", "true", "true()")


def field_tree(definition: Mapping[str, Any]) -> Tree:
    """The questions of a pyxform definition, by path below the root."""
    tree = Tree(fields={}, repeats={}, repeat_order=[])

    def walk(children: Iterable[Any], prefix: str, repeat: str) -> None:
        for child in children:
            if not isinstance(child, Mapping) or not child.get("name"):
                continue
            path = f"{prefix}{child['name']}"
            kind = str(child.get("type") or "")
            if kind == "repeat":
                tree.repeats[path] = repeat
                tree.repeat_order.append(path)
                walk(child.get("children") or [], f"{path}/", path)
            elif kind == "group":
                walk(child.get("children") or [], f"{path}/", repeat)
            else:
                choices = _choices(child, definition) if kind in _CHOICE_TYPES else []
                names = tuple(str(c["name"]) for c in choices)
                labels: dict[str, str] = {}
                for choice in choices:
                    for label in _choice_labels(choice):
                        labels.setdefault(label, str(choice["name"]))
                tree.fields[path] = Field(
                    path=path,
                    name=str(child["name"]),
                    kind=kind,
                    repeat=repeat,
                    required=_is_required(child),
                    choices=names or None,
                    labels=labels,
                )

    walk(definition.get("children") or [], "", "")
    return tree


# --- Columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: Field | None = None
    part: str = ""  # a choice of a split select-multiple, or a geopoint part
    role: str = ""  # "value", "choice", "geo", a system column's name, or "" (unmatched)


def _relative(path: str, scope: str) -> str:
    return path[len(scope) + 1 :] if scope else path


def _keys(path: str) -> set[str]:
    return {path, path.replace("/", "-"), path.replace("/", ".")}


def match_columns(tree: Tree, scope: str, header: Sequence[str]) -> list[Column]:
    """What each column of a table of ``scope`` (a repeat path, "" for the main table) holds."""
    fields = [f for f in tree.fields.values() if f.repeat == scope]
    exact: dict[str, tuple[Field, str, str]] = {}
    for f in fields:
        for key in _keys(f.path) | _keys(_relative(f.path, scope)):
            exact[key] = (f, "", "value")
    by_name: dict[str, list[Field]] = {}
    for f in fields:
        by_name.setdefault(f.name, []).append(f)
    for name, found in by_name.items():
        if len(found) == 1:
            exact.setdefault(name, (found[0], "", "value"))
    for f in fields:
        bases = _keys(f.path) | _keys(_relative(f.path, scope))
        if len(by_name[f.name]) == 1:
            bases.add(f.name)
        for base in bases:
            if f.kind == SELECT_MANY and f.choices:
                for choice in f.choices:
                    for sep in ("/", "-", "."):
                        exact.setdefault(f"{base}{sep}{choice}", (f, choice, "choice"))
            if f.kind == "geopoint":
                for part in GEO_PARTS:
                    exact.setdefault(f"{base}-{part}", (f, part, "geo"))
    folded: dict[str, tuple[Field, str, str] | None] = {}
    for key, value in exact.items():
        folded[key.casefold()] = None if key.casefold() in folded else value
    columns: list[Column] = []
    for index, raw in enumerate(header):
        text = raw.strip()
        target = exact.get(text) or folded.get(text.casefold())
        if target is not None:
            columns.append(Column(index, text, target[0], target[1], target[2]))
        elif text in SYSTEM_COLUMNS or text.startswith(("_", "SET-OF-")):
            columns.append(Column(index, text, role=text))
        else:
            columns.append(Column(index, text))
    return columns


# --- Values ------------------------------------------------------------------------------------


class BadValue(ValueError):
    pass


def _date(text: str) -> str:
    head = text[:10]
    try:
        return dt.date.fromisoformat(head).isoformat()
    except ValueError:
        pass
    for pattern in ("%b %d, %Y", "%d/%m/%Y"):
        try:
            parsed = dt.datetime.strptime(text, pattern).replace(tzinfo=dt.UTC)
            return parsed.date().isoformat()
        except ValueError:
            continue
    raise BadValue(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text[:40]})


def _choice(f: Field, value: str) -> str:
    if f.choices is None or value in f.choices:
        return value
    if value in f.labels:
        return f.labels[value]
    raise BadValue(
        _("“%(value)s” is not a choice of this question (%(choices)s).")
        % {"value": value[:40], "choices": ", ".join(f.choices[:12])}
    )


def clean_value(f: Field, text: str) -> str:
    """The answer as the instance holds it; raises :class:`BadValue` with a message."""
    if len(text) > MAX_CELL_CHARS:
        raise BadValue(_("The cell is longer than %(max)s characters.") % {"max": MAX_CELL_CHARS})
    kind = f.kind
    if kind == "integer":
        if not _INTEGER.match(text):
            raise BadValue(_("“%(value)s” is not a whole number.") % {"value": text[:40]})
        return str(int(float(text)) if "." in text else int(text))
    if kind == "decimal":
        if not _DECIMAL.match(text) or not math.isfinite(float(text)):
            raise BadValue(_("“%(value)s” is not a number.") % {"value": text[:40]})
        return text
    if kind == "date":
        return _date(text)
    if kind in DATETIME_TYPES:
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            return _date(text)
        return text
    if kind == "time":
        if not _TIME.match(text):
            raise BadValue(_("“%(value)s” is not a time (HH:MM).") % {"value": text[:40]})
        return text
    if kind == SELECT_ONE:
        return _choice(f, text)
    if kind == SELECT_MANY or kind in RANK:
        return " ".join(_choice(f, part) for part in text.split())
    if kind == "geopoint":
        parts = text.replace(",", " ").split()
        if not 2 <= len(parts) <= 4 or not all(_DECIMAL.match(p) for p in parts):
            raise BadValue(_("“%(value)s” is not a GPS point.") % {"value": text[:40]})
        return " ".join(parts)
    return text
