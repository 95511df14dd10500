"""A submission's answers as its form's question tree, with labels in one language.

Built from the pyxform definition of the submission's form version: groups nest, a repeat is a
sub-table (one row per instance, nested repeats under their row), choice names become their
labels (``select_multiple`` joined, ``rank`` numbered in order). Answers the definition does not
know (an earlier version, an import) are returned apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

SELECT_ONE = ("select one", "select_one", "select one external")
SELECT_MANY = ("select all that apply", "select_multiple")
HIDDEN_TYPES = frozenset({"note"})


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        for key in (lang, "default"):
            if key in value:
                return str(value[key])
        return str(next(iter(value.values()), ""))
    return "" if value is None else str(value)


@dataclass
class Answer:
    """A question or group of the answer tree, with labels in the chosen language."""

    kind: str
    name: str
    path: str
    label: str = ""
    value: str = ""
    children: list[Answer] = field(default_factory=list)
    repeat: RepeatTable | None = None

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


@dataclass
class RepeatRow:
    index: int
    cells: list[str]
    nested: list[RepeatTable]


@dataclass
class RepeatTable:
    """A repeat as a sub-table: one row per instance, nested repeats under their row."""

    label: str
    name: str
    columns: list[str]
    rows: list[RepeatRow] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.columns) + 1


class AnswerTree:
    """Builds the answer tree of one submission from its form version's definition."""

    def __init__(self, definition: dict[str, Any], lang: str) -> None:
        self.definition = definition
        self.lang = lang
        choices = definition.get("choices")
        self.choices: dict[str, Any] = choices if isinstance(choices, dict) else {}
        self.used: set[str] = set()

    def _options(self, item: dict[str, Any]) -> dict[str, str]:
        options = (
            item.get("children")
            or (item.get("choices") if isinstance(item.get("choices"), list) else None)
            or self.choices.get(str(item.get("itemset", "")))
            or []
        )
        return {
            str(o.get("name", "")): _text(o.get("label"), self.lang) or str(o.get("name", ""))
            for o in options
            if isinstance(o, dict)
        }

    def display(self, item: dict[str, Any], value: Any) -> str:
        if value is None or value == "":
            return ""
        if not isinstance(value, str):
            return str(value)
        kind = str(item.get("type", ""))
        if kind in SELECT_ONE:
            return self._options(item).get(value, value)
        if kind in SELECT_MANY:
            options = self._options(item)
            return ", ".join(options.get(v, v) for v in value.split())
        if kind == "rank" or kind.startswith("rank"):
            options = self._options(item)
            return ", ".join(
                f"{n}. {options.get(v, v)}" for n, v in enumerate(value.split(), start=1)
            )
        return value

    def _leaves(self, children: list[Any], prefix: str) -> list[tuple[dict[str, Any], str]]:
        """Questions of a repeat, groups flattened, nested repeats left out."""
        out: list[tuple[dict[str, Any], str]] = []
        for child in children:
            if not isinstance(child, dict) or not child.get("name"):
                continue
            kind = str(child.get("type", ""))
            path = f"{prefix}{child['name']}"
            if kind == "group":
                out.extend(self._leaves(child.get("children") or [], f"{path}/"))
            elif kind != "repeat" and kind not in HIDDEN_TYPES:
                out.append((child, path))
        return out

    def _nested(self, children: list[Any], prefix: str) -> list[tuple[dict[str, Any], str]]:
        out: list[tuple[dict[str, Any], str]] = []
        for child in children:
            if not isinstance(child, dict) or not child.get("name"):
                continue
            kind = str(child.get("type", ""))
            path = f"{prefix}{child['name']}"
            if kind == "group":
                out.extend(self._nested(child.get("children") or [], f"{path}/"))
            elif kind == "repeat":
                out.append((child, path))
        return out

    def repeat(self, item: dict[str, Any], path: str, instances: Any) -> RepeatTable:
        children = item.get("children") or []
        leaves = self._leaves(children, f"{path}/")
        nested = self._nested(children, f"{path}/")
        table = RepeatTable(
            label=_text(item.get("label"), self.lang) or str(item.get("name", "")),
            name=str(item.get("name", "")),
            columns=[
                _text(q.get("label"), self.lang) or str(q.get("name", "")) for q, _p in leaves
            ],
        )
        for n, instance in enumerate(instances if isinstance(instances, list) else [], 1):
            if not isinstance(instance, dict):
                continue
            table.rows.append(
                RepeatRow(
                    index=n,
                    cells=[self.display(q, instance.get(p)) for q, p in leaves],
                    nested=[
                        self.repeat(sub, sub_path, instance.get(sub_path))
                        for sub, sub_path in nested
                        if instance.get(sub_path)
                    ],
                )
            )
        return table

    def nodes(self, children: list[Any], prefix: str, data: dict[str, Any]) -> list[Answer]:
        out: list[Answer] = []
        for child in children:
            if not isinstance(child, dict) or not child.get("name"):
                continue
            kind = str(child.get("type", ""))
            name = str(child["name"])
            path = f"{prefix}{name}"
            label = _text(child.get("label"), self.lang)
            if kind == "group":
                if (child.get("control") or {}).get("bodyless"):
                    self._mark(child.get("children") or [], f"{path}/")
                    continue
                node = Answer(kind="group", name=name, path=path, label=label)
                node.children = self.nodes(child.get("children") or [], f"{path}/", data)
                out.append(node)
            elif kind == "repeat":
                self.used.add(path)
                node = Answer(kind="repeat", name=name, path=path, label=label)
                node.repeat = self.repeat(child, path, data.get(path))
                out.append(node)
            elif kind not in HIDDEN_TYPES:
                self.used.add(path)
                out.append(
                    Answer(
                        kind=kind,
                        name=name,
                        path=path,
                        label=label,
                        value=self.display(child, data.get(path)),
                    )
                )
        return out

    def _mark(self, children: list[Any], prefix: str) -> None:
        for child in children:
            if isinstance(child, dict) and child.get("name"):
                path = f"{prefix}{child['name']}"
                self.used.add(path)
                if child.get("type") == "group":
                    self._mark(child.get("children") or [], f"{path}/")

    def build(self, data: dict[str, Any]) -> tuple[list[Answer], list[tuple[str, str]]]:
        """The tree, and the answers the form does not define (older versions)."""
        children = self.definition.get("children")
        tree = self.nodes(children if isinstance(children, list) else [], "", data)
        others = [
            (str(key), value if isinstance(value, str) else str(value))
            for key, value in data.items()
            if str(key) not in self.used and not str(key).startswith("meta/")
        ]
        return tree, others


def form_languages(definition: dict[str, Any], declared: list[str]) -> list[str]:
    """The label languages of a form: as recorded on the version, else read from labels."""
    if declared:
        return [str(x) for x in declared]
    found: list[str] = []

    def walk(children: Any) -> None:
        for child in children if isinstance(children, list) else []:
            if not isinstance(child, dict):
                continue
            label = child.get("label")
            if isinstance(label, dict):
                for key in label:
                    if key != "default" and key not in found:
                        found.append(str(key))
            walk(child.get("children"))

    walk(definition.get("children"))
    return found


def choose_language(languages: list[str], asked: str, default: str) -> str:
    """``asked`` when the form has it; else the one matching the page's language
    ("French (fr)" on a French page); else the form's default; else the first."""
    if asked in languages:
        return asked
    code = (get_language() or "").split("-")[0].lower()
    if code:
        for lang in languages:
            low = lang.lower()
            if low == code or low.endswith(f"({code})"):
                return lang
    if default in languages:
        return default
    return languages[0] if languages else ""
