"""Reading the web page's POST back into answers, with limits (repeat instances, values),
and the answers in ``Submission.data``'s shape."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from palava.assessments.entry.questions import (
    MAX_INSTANCES,
    MAX_REPEAT,
    MAX_VALUE,
    Answers,
    Form,
    Item,
)


class TooMuch(ValueError):
    """The POST is larger than web entry accepts."""


def answers_from_post(form: Form, post: Any, *, extra: Mapping[str, int] | None = None) -> Answers:
    """Read the inputs back into answers. ``post`` is a QueryDict (``getlist``);
    ``extra`` maps a repeat's instance path to a change of its number of instances."""
    total = [0]

    def level(items: Sequence[Item], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in items:
            path = f"{prefix}{item.name}"
            if item.category == "repeat":
                raw = str(post.get(f"_n:{path}", "") or "")
                if raw.isascii() and raw.isdigit():
                    count = int(raw) if len(raw) <= 4 else MAX_REPEAT + 1
                else:
                    count = 0 if item.repeat_count else 1
                count += (extra or {}).get(path, 0)
                if count > MAX_REPEAT:
                    raise TooMuch(path)
                total[0] += max(0, count)
                if total[0] > MAX_INSTANCES:
                    raise TooMuch(path)
                out[item.name] = [
                    level(item.children, f"{path}[{i}]/") for i in range(max(0, count))
                ]
            elif item.category == "group":
                out[item.name] = level(item.children, f"{path}/")
            elif item.readonly or item.category == "hidden":
                out[item.name] = _literal_default(item)  # never taken from the page
            elif item.category in ("selectN",):
                out[item.name] = " ".join(_clean(v) for v in post.getlist(path) if _clean(v))
            elif item.category == "rank":
                ranked = [_clean(v) for v in post.getlist(path)]
                out[item.name] = " ".join(v for v in ranked if v)
            elif item.category in ("input", "select1", "ack"):
                out[item.name] = _clean(post.get(path, ""))
            else:
                out[item.name] = ""
        return out

    return level(form.items, "")


def _literal_default(item: Item) -> str:
    default = item.default.strip()
    return "" if ("(" in default or "${" in default) else default


def _clean(value: Any) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > MAX_VALUE + 1:
        raise TooMuch("value")
    return text


def remove_instance(answers: Answers, path: str) -> None:
    """Drop the repeat instance at ``path`` (``hh/member[1]``)."""
    parts = split_path(path)
    if not parts or parts[-1][1] is None:
        return
    node: Any = answers
    for name, index in parts[:-1]:
        node = node.get(name) if isinstance(node, dict) else None
        if index is not None:
            node = node[index] if isinstance(node, list) and 0 <= index < len(node) else None
    name, index = parts[-1]
    if (
        isinstance(node, dict)
        and isinstance(node.get(name), list)
        and index is not None
        and 0 <= index < len(node[name])
    ):
        del node[name][index]


_PART = re.compile(r"^([\w.\-:]+)(?:\[(\d{1,4})\])?$")


def split_path(path: str) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    for part in path.split("/"):
        match = _PART.match(part)
        if match is None:
            return []
        out.append((match.group(1), int(match.group(2)) if match.group(2) else None))
    return out


def flatten(form: Form, answers: Answers) -> dict[str, Any]:
    """The answers in ``Submission.data``'s shape (only non-empty values)."""

    def level(
        items: Sequence[Item], node: dict[str, Any], prefix: str, out: dict[str, Any]
    ) -> None:
        for item in items:
            path = f"{prefix}{item.name}"
            value = node.get(item.name)
            if item.category == "repeat":
                if value:
                    rows = []
                    for instance in value:
                        row: dict[str, Any] = {}
                        level(item.children, instance, f"{path}/", row)
                        rows.append(row)
                    out[path] = rows
            elif item.category == "group":
                level(item.children, value or {}, f"{path}/", out)
            elif isinstance(value, str) and value.strip():
                out[path] = value.strip()

    found: dict[str, Any] = {}
    level(form.items, answers, "", found)
    return found
