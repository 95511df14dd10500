"""An XForm instance built from answers, as ODK Collect would write it (for imported rows).

``data`` has the shape of ``Submission.data``: a flat dict keyed by the path below the instance
root (``group/question``, ``meta/instanceID``), text values; a repeat's path maps to a list of
dicts keyed the same way by full path. The instance follows the form's question tree: the root
is named like the form's instance root with ``id`` and ``version`` attributes, groups are nested,
every question of the tree is written (empty ones as empty elements, as Collect does), each repeat
item once. Answers whose path is not in the tree are appended at the end, so nothing is lost.

The output is deterministic (same inputs, same bytes): importing the same row twice yields the
same XML, which is what makes re-imports idempotent in ``submission_receive``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

# Characters XML 1.0 does not allow (a cell of binary garbage must not break the instance).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry (line ends as a parser reads them back)."""
    return _NOT_XML.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")


def _children(node: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The child nodes of a group, repeat or the survey (a select's children are choices)."""
    return [c for c in node.get("children") or [] if isinstance(c, dict) and c.get("name")]


def _fill(
    parent: Element,
    children: Iterable[dict[str, Any]],
    prefix: str,
    data: Mapping[str, Any],
) -> None:
    for child in children:
        name = str(child["name"])
        path = f"{prefix}{name}"
        kind = child.get("type")
        if kind == "repeat":
            items = data.get(path)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, Mapping):
                    element = SubElement(parent, name)
                    _fill(element, _children(child), f"{path}/", item)
                    _extras(element, item, f"{path}/", _paths_of(_children(child), f"{path}/"))
        elif kind == "group":
            element = SubElement(parent, name)
            _fill(element, _children(child), f"{path}/", data)
        else:
            element = SubElement(parent, name)
            value = data.get(path)
            if value is not None and not isinstance(value, list | dict):
                element.text = xml_text(value)


def _paths_of(children: Iterable[dict[str, Any]], prefix: str) -> set[str]:
    """The paths the tree writes at this level (questions and repeats, not inside repeats)."""
    found: set[str] = set()
    for child in children:
        path = f"{prefix}{child['name']}"
        if child.get("type") == "group":
            found |= _paths_of(_children(child), f"{path}/")
        else:
            found.add(path)
    return found


def _extras(root: Element, data: Mapping[str, Any], prefix: str, known: set[str]) -> None:
    """Append answers the tree does not know, nesting groups by their path."""
    for path in sorted(data):
        if path in known or not path.startswith(prefix):
            continue
        value = data[path]
        parts = path[len(prefix) :].split("/")
        if not all(_NAME.match(part) for part in parts):
            continue  # not an element name: cannot be written (never produced by the readers)
        parent = root
        for part in parts[:-1]:
            found = next((e for e in parent if e.tag == part and len(e)), None)
            parent = found if found is not None else SubElement(parent, part)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    element = SubElement(parent, parts[-1])
                    _extras(element, item, f"{path}/", set())
        elif value is not None:
            SubElement(parent, parts[-1]).text = xml_text(value)


def instance_xml(
    *, definition: Mapping[str, Any], form_id: str, version: str, data: Mapping[str, Any]
) -> bytes:
    """The instance XML (UTF-8 bytes) of answers ``data`` to the form ``definition``."""
    root_name = str(definition.get("name") or "data")
    if not _NAME.match(root_name):
        root_name = "data"
    root = Element(root_name)
    root.set("id", form_id)
    if version:
        root.set("version", version)
    children = _children(definition)
    _fill(root, children, "", data)
    _extras(root, data, "", _paths_of(children, ""))
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + body
