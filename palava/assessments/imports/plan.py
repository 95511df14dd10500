"""Rows to submissions: each main row (with its repeat rows) becomes one planned submission.

A row with a wrong value is reported with its sheet, row and column and skipped; repeat rows
are attached to their parent row by ``_parent_index`` (KoboToolbox) or ``PARENT_KEY`` (ODK
Central).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from palava.assessments.imports.fields import (
    GEO_PARTS,
    TRUE_CELLS,
    BadValue,
    Column,
    Tree,
    clean_value,
    field_tree,
    match_columns,
)
from palava.assessments.imports.readers import Sheet, Upload
from palava.core.importers import ImportFileError

ISSUES_KEPT = 1000
_REPEAT_SUFFIX = re.compile(r"~(\d+)$")
_INSTANCE_NAMESPACE = uuid.UUID("6f1c2b0e-1d2a-4c55-9f3e-70616c617661")


# --- Issues ------------------------------------------------------------------------------------


@dataclass
class Issues:
    """Row-level problems: the first ``keep`` with sheet, row and column; the count is exact."""

    keep: int = ISSUES_KEPT
    items: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(self, reason: str, *, sheet: str = "", line: int = 0, column: str = "") -> None:
        self.count += 1
        if len(self.items) < self.keep:
            self.items.append(
                {"sheet": sheet[:100], "line": line, "column": column[:200], "reason": reason}
            )

    def __bool__(self) -> bool:
        return self.count > 0


# --- Rows to submissions -----------------------------------------------------------------------


@dataclass
class Node:
    """A row: its answers, its repeat items (by repeat path), its problems."""

    sheet: str
    line: int
    data: dict[str, Any]
    problems: list[tuple[str, str]]  # (column, reason)
    warnings: list[tuple[str, str]]
    system: dict[str, str]
    children: dict[str, list[Node]] = field(default_factory=dict)


@dataclass
class Planned:
    """A submission ready to be received."""

    line: int
    instance_id: str
    data: dict[str, Any]


@dataclass
class Plan:
    format: str
    submissions: list[Planned] = field(default_factory=list)
    errors: Issues = field(default_factory=Issues)
    warnings: Issues = field(default_factory=Issues)
    unmatched: list[str] = field(default_factory=list)
    rows_total: int = 0
    skipped_lines: list[int] = field(default_factory=list)


def _row_node(sheet: Sheet, line: int, cells: list[str], columns: list[Column]) -> Node:
    node = Node(sheet.name, line, {}, [], [], {})
    split: dict[str, list[str]] = {}
    split_seen: set[str] = set()
    geo: dict[str, dict[str, str]] = {}
    for column in columns:
        value = cells[column.index] if column.index < len(cells) else ""
        f = column.field
        if f is None:
            if column.role and value:
                node.system.setdefault(column.role, value)
            continue
        if column.role == "choice":
            split_seen.add(f.path)
            if value.strip().lower() in TRUE_CELLS:
                split.setdefault(f.path, []).append(column.part)
            continue
        if column.role == "geo":
            if value:
                geo.setdefault(f.path, {})[column.part] = value
            continue
        if not value:
            continue
        try:
            node.data[f.path] = clean_value(f, value)
        except BadValue as error:
            node.problems.append((column.header, str(error)))
    joined = {c.field.path for c in columns if c.field is not None and c.role == "value"}
    for path in split_seen - joined:
        if split.get(path):
            node.data[path] = " ".join(split[path])
    for path, parts in geo.items():
        if path not in node.data and "Latitude" in parts and "Longitude" in parts:
            node.data[path] = " ".join(parts[p] for p in GEO_PARTS if parts.get(p))
    return node


def _resolve_sheet(tree: Tree, sheet: Sheet, main: str) -> str | None:
    """The repeat a sheet holds: by its name (Kobo sheet titles are cut at 31 characters; ODK
    Central files are ``<form>-<repeat>[~n]``), else by the columns it matches."""
    name = sheet.name
    if name.startswith(f"{main}-"):
        name = name[len(main) + 1 :]
    nth = 0
    suffix = _REPEAT_SUFFIX.search(name)
    if suffix:
        nth, name = int(suffix.group(1)), name[: suffix.start()]
    found = [
        path
        for path in tree.repeat_order
        if name in (path.rsplit("/", 1)[-1], path, path.replace("/", "-"))
        or (len(name) == 31 and path.rsplit("/", 1)[-1][:31] == name)
    ]
    if nth and 0 < nth <= len(found):
        return found[nth - 1]
    if len(found) == 1:
        return found[0]
    candidates = found or tree.repeat_order
    scores = {
        path: sum(1 for c in match_columns(tree, path, sheet.header) if c.field is not None)
        for path in candidates
    }
    best = max(scores, key=lambda path: scores[path], default=None)
    return best if best is not None and scores[best] > 0 else None


def _instance_id(node: Node, form_id: str) -> str:
    given = str(node.data.get("meta/instanceID") or "")
    for column in ("meta/instanceID", "meta-instanceID", "instanceID", "KEY"):
        given = given or node.system.get(column, "")
    if not given and node.system.get("_uuid"):
        given = node.system["_uuid"]
        if not given.startswith("uuid:"):
            given = f"uuid:{given}"
    if given:
        return given[:120]
    content = json.dumps([form_id, _nested(node)], sort_keys=True, ensure_ascii=False)
    return f"uuid:{uuid.uuid5(_INSTANCE_NAMESPACE, content)}"


def _nested(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = dict(node.data)
    for path, items in node.children.items():
        data[path] = [_nested(item) for item in items]
    return data


def _problems(node: Node) -> list[tuple[str, int, str, str]]:
    found = [(node.sheet, node.line, column, reason) for column, reason in node.problems]
    for items in node.children.values():
        for item in items:
            found.extend(_problems(item))
    return found


def _warnings(node: Node) -> list[tuple[str, int, str, str]]:
    found = [(node.sheet, node.line, column, reason) for column, reason in node.warnings]
    for items in node.children.values():
        for item in items:
            found.extend(_warnings(item))
    return found


def _required(tree: Tree, node: Node, scope: str) -> None:
    for f in tree.fields.values():
        if f.repeat == scope and f.required and f.path not in node.data:
            node.warnings.append((f.path, _("A required question is unanswered.")))
    for path, items in node.children.items():
        for item in items:
            _required(tree, item, path)


def plan_import(*, upload: Upload, definition: Mapping[str, Any], form_id: str) -> Plan:
    """Match the tables to the form and turn every main row into a planned submission."""
    tree = field_tree(definition)
    plan = Plan(format=upload.format)
    for message in upload.warnings:
        plan.warnings.add(message)
    main = upload.sheets[0]
    scopes: dict[str, Sheet] = {"": main}
    for sheet in upload.sheets[1:]:
        scope = _resolve_sheet(tree, sheet, main.name)
        if scope is None or scope in scopes:
            plan.warnings.add(
                _("This sheet matches no repeat group of the form: it was not imported."),
                sheet=sheet.name,
            )
            continue
        scopes[scope] = sheet
    matched = 0
    nodes: dict[str, list[Node]] = {}
    for scope, sheet in scopes.items():
        columns = match_columns(tree, scope, sheet.header)
        seen: dict[tuple[str, str, str], str] = {}
        kept: list[Column] = []
        for column in columns:
            if column.field is None and not column.role:
                if column.header:
                    plan.unmatched.append(
                        f"{sheet.name}: {column.header}" if scope else column.header
                    )
                continue
            key = (column.field.path if column.field else "", column.part, column.role)
            if key in seen:
                plan.warnings.add(
                    _("This column repeats the column “%(other)s”: it was ignored.")
                    % {"other": seen[key]},
                    sheet=sheet.name,
                    column=column.header,
                )
                continue
            seen[key] = column.header
            kept.append(column)
            matched += column.field is not None
        nodes[scope] = [_row_node(sheet, line, cells, kept) for line, cells in sheet.rows]
    if not matched:
        raise ImportFileError(
            _(
                "No column of the file matches a question of this form. Export with XML values "
                "and headers (KoboToolbox) or as CSV (ODK Central). Columns found: %(columns)s."
            )
            % {"columns": ", ".join(h[:40] for h in main.header[:20]) or "-"}
        )
    roots = nodes[""]
    _link(tree, scopes, nodes, plan)
    plan.rows_total = len(roots)
    for node in roots:
        _required(tree, node, "")
        for where, line, header, reason in _warnings(node):
            plan.warnings.add(reason, sheet=where, line=line, column=header)
        problems = _problems(node)
        if problems:
            plan.skipped_lines.append(node.line)
            for where, line, header, reason in problems:
                plan.errors.add(reason, sheet=where, line=line, column=header)
            continue
        instance_id = _instance_id(node, form_id)
        data = _nested(node)
        data["meta/instanceID"] = instance_id
        plan.submissions.append(Planned(node.line, instance_id, data))
    return plan


def _link(tree: Tree, scopes: dict[str, Sheet], nodes: dict[str, list[Node]], plan: Plan) -> None:
    """Attach each repeat row to its parent row: Kobo by ``_parent_index`` (within the parent's
    table), ODK Central by ``PARENT_KEY``."""
    by_index: dict[str, dict[str, Node]] = {}
    by_key: dict[str, Node] = {}
    for scope, rows in nodes.items():
        table: dict[str, Node] = {}
        for position, node in enumerate(rows, start=1):
            table.setdefault(node.system.get("_index") or str(position), node)
            key = node.system.get("KEY") or (
                str(node.data.get("meta/instanceID") or "") if not scope else ""
            )
            if key:
                by_key.setdefault(key, node)
        by_index[scope] = table
    for scope in tree.repeat_order:
        if scope not in nodes or not scope:
            continue
        parent_scope = tree.repeats[scope]
        parent_sheet = scopes.get(parent_scope)
        for node in nodes[scope]:
            parent: Node | None = None
            parent_key = node.system.get("PARENT_KEY")
            parent_index = node.system.get("_parent_index")
            if parent_key:
                parent = by_key.get(parent_key)
            elif parent_index and parent_sheet is not None:
                parent = by_index.get(parent_scope, {}).get(parent_index)
                submission_uuid = node.system.get("_submission__uuid")
                if parent is not None and submission_uuid and not parent_scope:
                    own = parent.system.get("_uuid") or ""
                    if own and own.removeprefix("uuid:") != submission_uuid.removeprefix("uuid:"):
                        parent.problems.append(
                            (
                                "_submission__uuid",
                                _(
                                    "Row %(line)s of “%(sheet)s” points to this row "
                                    "(_parent_index) but names another submission "
                                    "(_submission__uuid): this submission was skipped."
                                )
                                % {"line": node.line, "sheet": node.sheet},
                            )
                        )
                        continue
            if parent is None:
                plan.errors.add(
                    _(
                        "This repeat row has no parent row in the file (_parent_index or "
                        "PARENT_KEY): it was skipped."
                    ),
                    sheet=node.sheet,
                    line=node.line,
                )
                continue
            parent.children.setdefault(scope, []).append(node)
