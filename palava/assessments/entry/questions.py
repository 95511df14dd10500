"""A form's question tree, read from pyxform's JSON definition (``FormVersion.definition``).

Each node is an :class:`Item` with its XLSForm type sorted into a *category* (input, select,
note, calculate, metadata, group, repeat, or not available in web entry). A filling is
addressed by *instance paths*: ``grp/q``, ``hh/member[1]/name`` (repeat indexes from 0),
which are also the names of the inputs of the web page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

MAX_REPEAT = 200
MAX_INSTANCES = 1000
MAX_VALUE = 10_000
MAX_PASSES = 3
MAX_XFORM = 20 * 1024 * 1024

CONTAINERS = ("group", "repeat")
SELECT_ONE = ("select one", "select_one")
SELECT_MANY = ("select all that apply", "select_multiple")
INPUT_TYPES = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "dateTime": "datetime",
    "geopoint": "geopoint",
    "gps": "geopoint",
    "range": "decimal",
}
META = {
    "start",
    "end",
    "today",
    "deviceid",
    "uri:deviceid",
    "username",
    "uri:username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "phone number",
    "email",
    "uri:email",
    "start-geopoint",
    "audit",
    "background-audio",
}
SKIPPED = {"entity", "xml-external", "csv-external"}
UNSUPPORTED = {
    "photo",
    "image",
    "audio",
    "video",
    "file",
    "barcode",
    "geotrace",
    "geoshape",
    "osm",
    "select one external",
    "signature",
}
TRUE_WORDS = {"yes", "true", "true()", "1"}
FALSE_WORDS = {"", "no", "false", "false()", "0"}


def text_in(value: Any, lang: str) -> str:
    """A label, hint or message in ``lang`` (else the default, else any language)."""
    if isinstance(value, dict):
        for key in (lang, "default"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return next((str(v) for v in value.values() if isinstance(v, str)), "")
    return "" if value is None else str(value)


@dataclass
class Item:
    """One node of the question tree."""

    name: str
    kind: str  # the XLSForm type as pyxform writes it
    path: tuple[str, ...]
    category: str  # input, select1, selectN, rank, note, ack, calc, hidden, meta, unsupported,
    # group, repeat
    raw: dict[str, Any]
    input_type: str = ""
    choices: list[dict[str, Any]] = field(default_factory=list)
    # the choices' other columns (for ``choice_filter``), aligned with ``choices``
    choice_fields: list[dict[str, str]] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)
    body: bool = True  # False for bodyless groups (meta) and hidden questions

    @property
    def bind(self) -> dict[str, Any]:
        bind = self.raw.get("bind")
        return bind if isinstance(bind, dict) else {}

    @property
    def control(self) -> dict[str, Any]:
        control = self.raw.get("control")
        return control if isinstance(control, dict) else {}

    @property
    def relevant(self) -> str:
        return str(self.bind.get("relevant") or "").strip()

    @property
    def constraint(self) -> str:
        return str(self.bind.get("constraint") or "").strip()

    @property
    def calculation(self) -> str:
        return str(self.bind.get("calculate") or "").strip()

    @property
    def required_expr(self) -> str:
        return str(self.bind.get("required") or "").strip()

    @property
    def readonly(self) -> bool:
        return str(self.bind.get("readonly") or "").strip().lower() in TRUE_WORDS

    @property
    def repeat_count(self) -> str:
        return str(self.control.get("jr:count") or "").strip()

    @property
    def appearance(self) -> str:
        return str(self.control.get("appearance") or "").strip().lower()

    @property
    def default(self) -> str:
        value = self.raw.get("default")
        return "" if value is None else str(value)

    @property
    def schema_path(self) -> str:
        return "/".join(self.path)

    @property
    def answerable(self) -> bool:
        return self.category in ("input", "select1", "selectN", "rank", "ack")

    @property
    def parameters(self) -> dict[str, str]:
        raw = self.raw.get("parameters")
        if isinstance(raw, dict):
            return {str(k): str(v) for k, v in raw.items()}
        if isinstance(raw, str):
            pairs = (p.split("=", 1) for p in raw.replace(",", " ").split() if "=" in p)
            return {k.strip(): v.strip() for k, v in pairs}
        return {}

    @property
    def choice_filter(self) -> str:
        return str(self.raw.get("choice_filter") or "").strip()

    def choice_names(self) -> list[str]:
        return [str(c.get("name", "")) for c in self.choices]


def _category(kind: str, raw: dict[str, Any]) -> tuple[str, str]:
    if kind in CONTAINERS:
        return kind, ""
    if kind in INPUT_TYPES:
        return "input", INPUT_TYPES[kind]
    if kind in SELECT_ONE:
        itemset = str(raw.get("itemset") or "")
        if raw.get("query") or itemset.endswith((".csv", ".xml", ".geojson")):
            return "unsupported", ""
        return "select1", ""
    if kind in SELECT_MANY:
        itemset = str(raw.get("itemset") or "")
        if itemset.endswith((".csv", ".xml", ".geojson")):
            return "unsupported", ""
        return "selectN", ""
    if kind in ("rank", "odk:rank"):
        return "rank", ""
    if kind == "note":
        return "note", ""
    if kind in ("acknowledge", "trigger"):
        return "ack", ""
    if kind == "calculate":
        return "calc", ""
    if kind == "hidden":
        return "hidden", ""
    if kind in META:
        return "meta", ""
    return "unsupported", ""


class Form:
    """The question tree of one form version, with a name index for ``${name}``."""

    def __init__(self, definition: Mapping[str, Any], *, xform: str = "") -> None:
        self.root = str(definition.get("name") or "data")
        self.xform = xform
        self._columns: dict[str, list[dict[str, str]]] | None = None
        choices = definition.get("choices")
        self.choice_lists: dict[str, list[dict[str, Any]]] = (
            {
                str(k): [c for c in v if isinstance(c, dict)]
                for k, v in choices.items()
                if isinstance(v, list)
            }
            if isinstance(choices, dict)
            else {}
        )
        self.by_name: dict[str, Item] = {}
        self.repeats: set[str] = set()
        self.items = self._build(definition.get("children") or [], ())

    def _build(self, children: Sequence[Any], prefix: tuple[str, ...]) -> list[Item]:
        items: list[Item] = []
        for raw in children:
            if not isinstance(raw, dict):
                continue
            kind = str(raw.get("type") or "")
            name = str(raw.get("name") or "")
            if not name or kind in SKIPPED or not re.fullmatch(r"[\w.\-:]+", name):
                continue
            category, input_type = _category(kind, raw)
            item = Item(
                name=name,
                kind=kind,
                path=(*prefix, name),
                category=category,
                raw=raw,
                input_type=input_type,
            )
            if category in CONTAINERS:
                item.children = self._build(raw.get("children") or [], item.path)
                item.body = not (item.control.get("bodyless"))
                if category == "repeat":
                    self.repeats.add(item.schema_path)
            elif category in ("select1", "selectN", "rank"):
                listed = raw.get("children") if isinstance(raw.get("children"), list) else None
                if listed is None and isinstance(raw.get("choices"), list):
                    listed = raw.get("choices")
                if listed is None:
                    listed = self.choice_lists.get(str(raw.get("itemset") or ""), [])
                listed = [c for c in listed or [] if isinstance(c, dict)]
                item.choices = [c for c in listed if c.get("name")]
                if item.choice_filter:
                    columns = self.columns().get(str(raw.get("itemset") or ""), [])
                    if len(columns) == len(listed):
                        item.choice_fields = [
                            f for c, f in zip(listed, columns, strict=True) if c.get("name")
                        ]
            if category in ("calc", "hidden", "meta"):
                item.body = False
            self.by_name.setdefault(name, item)
            items.append(item)
        return items

    def columns(self) -> dict[str, list[dict[str, str]]]:
        """Each choice list's columns (``name``, ``state``…) from the XForm's secondary
        instances: pyxform's JSON keeps only names and labels, ``choice_filter`` needs more."""
        if self._columns is None:
            self._columns = choice_columns(self.xform) if self.xform else {}
        return self._columns

    def walk(self, items: Sequence[Item] | None = None) -> Iterator[Item]:
        for item in self.items if items is None else items:
            yield item
            if item.children:
                yield from self.walk(item.children)


def choice_columns(xform: str) -> dict[str, list[dict[str, str]]]:
    if len(xform) > MAX_XFORM:
        return {}
    try:
        root = fromstring(
            xform.encode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ParseError, ValueError):
        return {}
    found: dict[str, list[dict[str, str]]] = {}
    for element in root.iter():
        if _local(str(element.tag)) != "instance" or not element.get("id"):
            continue
        rows: list[dict[str, str]] = []
        for holder in element:
            for row in holder:
                rows.append(
                    {
                        _local(str(cell.tag)): (cell.text or "").strip()
                        for cell in row
                        if _local(str(cell.tag)) not in ("label", "itextId")
                    }
                )
        found[str(element.get("id"))] = rows
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


Answers = dict[str, Any]
Context = tuple[tuple[str, int | None], ...]


def instance_path(context: Context) -> str:
    parts = []
    for name, index in context:
        parts.append(name if index is None else f"{name}[{index}]")
    return "/".join(parts)
