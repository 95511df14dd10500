"""The answers of one filling and the server-side rules: relevance, calculations,
``repeat_count``, required, types and constraints (the server decides, not the browser).

Answers are a nested dict keyed by question name, level by level, as in the XML instance:
``{"age": "4", "grp": {"q": "x"}, "hh": {"member": [{"name": "A"}, {"name": "B"}]}}``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from palava.assessments.entry import xpath
from palava.assessments.entry.questions import (
    FALSE_WORDS,
    MAX_PASSES,
    MAX_REPEAT,
    MAX_VALUE,
    TRUE_WORDS,
    Answers,
    Context,
    Form,
    Item,
    instance_path,
    text_in,
)

__all__ = ["Answers", "Context", "Form", "Item", "State", "instance_path", "new_state", "text_in"]

_INTEGER = re.compile(r"^[-+]?\d{1,18}$")
_DECIMAL = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)")


class AnswersResolver(xpath.Resolver):
    def __init__(self, form: Form, answers: Answers, lang: str = "") -> None:
        self.form = form
        self.answers = answers
        self.lang = lang

    def _resolve(self, segs: Sequence[str], context: Context) -> list[Any]:
        names = [name for name, _ in context]
        k = 0
        while k < len(segs) and k < len(names) and segs[k] == names[k]:
            k += 1
        found: list[Any] = [self.answers]
        for i, name in enumerate(segs):
            nxt: list[Any] = []
            for node in found:
                if not isinstance(node, dict):
                    continue
                child = node.get(name)
                if isinstance(child, list):
                    index = context[i][1] if i < k else None
                    if index is not None:
                        nxt.extend(child[index : index + 1])
                    else:
                        nxt.extend(child)
                elif child is not None:
                    nxt.append(child)
            found = nxt
        return found

    @staticmethod
    def _texts(found: list[Any]) -> list[str]:
        return [v if isinstance(v, str) else "" for v in found]

    def nodes(self, ref: str, context: Any) -> list[str]:
        item = self.form.by_name.get(ref)
        if item is None:
            return []
        return self._texts(self._resolve(item.path, context or ()))

    def _steps(self, absolute: bool, steps: Sequence[str], context: Context) -> list[str] | None:
        segs: list[str] = [] if absolute else [name for name, _ in context]
        rest = list(steps)
        if absolute:
            if not rest or rest[0] != self.form.root:
                return None
            rest = rest[1:]
        for step in rest:
            if step == "..":
                if not segs:
                    return None
                segs.pop()
            elif step != ".":
                segs.append(step)
        return segs

    def path_nodes(self, absolute: bool, steps: Sequence[str], context: Any) -> list[str]:
        segs = self._steps(absolute, steps, context or ())
        if segs is None:
            return []
        return self._texts(self._resolve(segs, context or ()))

    def position(self, absolute: bool, steps: Sequence[str], context: Any) -> float:
        context = context or ()
        segs = self._steps(absolute, steps, context)
        if not segs or "/".join(segs) not in self.form.repeats:
            return math.nan
        if len(segs) <= len(context) and [n for n, _ in context[: len(segs)]] == segs:
            index = context[len(segs) - 1][1]
            if index is not None:
                return float(index + 1)
        return math.nan

    def choice_label(self, ref: str, value: str) -> str:
        name = ref
        if name.startswith("${") and name.endswith("}"):
            name = name[2:-1]
        name = name.rsplit("/", 1)[-1]
        item = self.form.by_name.get(name)
        if item is None:
            return value
        for choice in item.choices:
            if str(choice.get("name")) == value:
                return text_in(choice.get("label"), self.lang) or value
        return value


@dataclass
class State:
    """One filling of a form: answers, relevance and errors keyed by instance path."""

    form: Form
    answers: Answers
    lang: str = ""
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    relevant: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def env(
        self, context: Context, current: str = "", fields: dict[str, str] | None = None
    ) -> xpath.Env:
        return xpath.Env(
            resolver=AnswersResolver(self.form, self.answers, self.lang),
            context=context,
            now=self.now,
            current_value=current,
            fields=fields,
        )

    def shown_choices(self, item: Item, context: Context) -> list[bool]:
        """Which of ``item.choices`` its ``choice_filter`` keeps (all without one)."""
        if not item.choice_filter or len(item.choice_fields) != len(item.choices):
            return [True] * len(item.choices)
        return [
            xpath.truthy(item.choice_filter, self.env(context, fields=fields))
            for fields in item.choice_fields
        ]

    def value_at(self, context: Context) -> Any:
        node: Any = self.answers
        for name, index in context:
            if not isinstance(node, dict):
                return None
            node = node.get(name)
            if index is not None:
                node = node[index] if isinstance(node, list) and index < len(node) else None
        return node

    # -- computing ----------------------------------------------------------------------
    def compute(self) -> None:
        """Relevance, calculations and repeat counts, repeated until nothing changes."""
        for _pass in range(MAX_PASSES):
            if not self._compute_level(self.form.items, self.answers, (), True):
                break

    def _compute_level(
        self, items: Sequence[Item], level: dict[str, Any], context: Context, parent: bool
    ) -> bool:
        changed = False
        for item in items:
            ctx: Context = (*context, (item.name, None))
            relevant = parent and (not item.relevant or xpath.truthy(item.relevant, self.env(ctx)))
            self.relevant[instance_path(ctx)] = relevant
            if item.category == "repeat":
                instances = level.setdefault(item.name, [])
                if not isinstance(instances, list):
                    instances = level[item.name] = []
                if item.repeat_count:
                    wanted = _count(xpath.run(item.repeat_count, self.env(ctx)))
                    if wanted is not None and wanted != len(instances):
                        del instances[wanted:]
                        while len(instances) < wanted:
                            instances.append(
                                blank(item.children, self, (*context, (item.name, len(instances))))
                            )
                        changed = True
                for index, instance in enumerate(instances):
                    if self._compute_level(
                        item.children, instance, (*context, (item.name, index)), relevant
                    ):
                        changed = True
            elif item.category == "group":
                sub = level.setdefault(item.name, {})
                if self._compute_level(item.children, sub, ctx, relevant):
                    changed = True
            else:
                old = level.get(item.name, "")
                if item.calculation and item.category in (
                    "calc",
                    "note",
                    "hidden",
                    "input",
                    "select1",
                    "selectN",
                    "meta",
                ):
                    new = (
                        xpath.to_string(xpath.run(item.calculation, self.env(ctx, str(old))))
                        if relevant
                        else ""
                    )
                    if new == "NaN":
                        new = ""
                elif not relevant:
                    new = ""
                else:
                    new = old
                if new != old:
                    level[item.name] = new
                    changed = True
        return changed

    # -- validating ---------------------------------------------------------------------
    def validate(self) -> dict[str, str]:
        self.errors = {}
        self._validate_level(self.form.items, self.answers, ())
        return self.errors

    def _validate_level(
        self, items: Sequence[Item], level: dict[str, Any], context: Context
    ) -> None:
        for item in items:
            ctx: Context = (*context, (item.name, None))
            path = instance_path(ctx)
            if not self.relevant.get(path, True):
                continue
            if item.category == "repeat":
                for index, instance in enumerate(level.get(item.name) or []):
                    self._validate_level(item.children, instance, (*context, (item.name, index)))
            elif item.category == "group":
                self._validate_level(item.children, level.get(item.name) or {}, ctx)
            elif item.answerable and not item.readonly:
                message = self._check(item, str(level.get(item.name, "")), ctx)
                if message:
                    self.errors[path] = message

    def required(self, item: Item, ctx: Context) -> bool:
        expr = item.required_expr
        if expr.lower() in TRUE_WORDS:
            return True
        if expr.lower() in FALSE_WORDS:
            return False
        return xpath.truthy(expr, self.env(ctx))

    def _check(self, item: Item, value: str, ctx: Context) -> str:
        if not value:
            if self.required(item, ctx):
                return text_in(item.bind.get("jr:requiredMsg"), self.lang) or _(
                    "This question is required."
                )
            return ""
        problem = type_problem(item, value) or _range_problem(item, value)
        if problem:
            return problem
        if item.choice_filter and item.choice_fields:
            shown = self.shown_choices(item, ctx)
            kept = {c for c, keep in zip(item.choice_names(), shown, strict=True) if keep}
            if any(part not in kept for part in value.split()):
                return type_message(item)
        if item.constraint and not xpath.truthy(item.constraint, self.env(ctx, value)):
            return text_in(item.bind.get("jr:constraintMsg"), self.lang) or _(
                "This answer is not allowed."
            )
        return ""


def _count(value: xpath.Value) -> int | None:
    if isinstance(value, xpath._Unknown):
        return None
    number = xpath.to_number(value)
    if math.isnan(number):
        return 0
    return max(0, min(MAX_REPEAT, int(number)))


def type_message(item: Item) -> str:
    """What to tell when an answer does not fit the question's type."""
    if item.category == "select1":
        return _("Choose one of the options.")
    if item.category in ("selectN", "rank"):
        return _("Choose among the options, each at most once.")
    if item.category == "ack":
        return _("Tick the box to acknowledge.")
    return {
        "integer": _("Enter a whole number."),
        "decimal": _("Enter a number."),
        "date": _("Enter a date (YYYY-MM-DD)."),
        "time": _("Enter a time (HH:MM)."),
        "datetime": _("Enter a date and time."),
        "geopoint": _("Enter the latitude and longitude in decimal degrees, separated by a space."),
    }.get(item.input_type, "")


def _type_ok(item: Item, value: str) -> bool:
    kind = item.input_type
    if item.category == "select1":
        return value in item.choice_names()
    if item.category in ("selectN", "rank"):
        parts = value.split()
        names = set(item.choice_names())
        return all(p in names for p in parts) and len(set(parts)) == len(parts)
    if item.category == "ack":
        return value == "OK"
    if kind == "integer":
        return bool(_INTEGER.match(value))
    if kind == "decimal":
        return bool(_DECIMAL.match(value)) and math.isfinite(float(value))
    if kind == "date":
        return _valid_date(value)
    if kind == "time":
        match = _TIME.match(value)
        return match is not None and int(match.group(1)) <= 23 and int(match.group(2)) <= 59
    if kind == "datetime":
        found = _DATETIME.match(value)
        return found is not None and _valid_date(found.group(1))
    if kind == "geopoint":
        return _valid_point(value)
    return True


def type_problem(item: Item, value: str) -> str:
    if len(value) > MAX_VALUE:
        return _("The answer is too long.")
    return "" if _type_ok(item, value) else type_message(item)


def _range_problem(item: Item, value: str) -> str:
    if item.kind != "range":
        return ""
    params = item.parameters
    try:
        start = float(params.get("start", "0"))
        end = float(params.get("end", "10"))
    except ValueError:
        return ""
    low, high = min(start, end), max(start, end)
    if low <= float(value) <= high:
        return ""
    return _("Choose a value between %(start)s and %(end)s.") % {
        "start": params.get("start", "0"),
        "end": params.get("end", "10"),
    }


def _valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _valid_point(value: str) -> bool:
    parts = value.split()
    if not 2 <= len(parts) <= 4:
        return False
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return False
    if not all(math.isfinite(n) for n in numbers):
        return False
    return -90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180


def blank(items: Sequence[Item], state: State | None, context: Context) -> dict[str, Any]:
    """An empty level with defaults (a default that looks like an expression is evaluated)."""
    level: dict[str, Any] = {}
    for item in items:
        ctx: Context = (*context, (item.name, None))
        if item.category == "repeat":
            count = 0 if item.repeat_count else 1
            level[item.name] = [
                blank(item.children, state, (*context, (item.name, i))) for i in range(count)
            ]
        elif item.category == "group":
            level[item.name] = blank(item.children, state, ctx)
        else:
            level[item.name] = _default(item, state, ctx)
    return level


def _default(item: Item, state: State | None, ctx: Context) -> str:
    default = item.default.strip()
    if not default:
        return ""
    if state is not None and ("(" in default or "${" in default):
        return xpath.to_string(xpath.run(default, state.env(ctx)))
    return default


def new_state(form: Form, *, lang: str = "", now: dt.datetime | None = None) -> State:
    state = State(form=form, answers={}, lang=lang, now=now or dt.datetime.now(dt.UTC))
    state.answers.update(blank(form.items, state, ()))
    state.compute()
    return state
