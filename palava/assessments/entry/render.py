"""Turning a form filling (``schema.State``) into view nodes for the entry templates.

Each question carries its rules as ``data-*`` attributes for ``static/js/webform.js`` (live
skip logic, constraints, calculations); the page works without JavaScript and the server
decides on submission.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from palava.assessments.entry import xpath
from palava.assessments.entry.questions import MAX_REPEAT, Context, Item, instance_path, text_in
from palava.assessments.entry.schema import State, type_message

_OUTPUT = re.compile(r"\$\{([\w.\-:]+)\}")
_RTL = re.compile(r"\((ar|fa|ur|he|ps|ckb|dv|yi)\)|arab|العربية|farsi|persian|urdu|hebrew", re.I)
MANY_CHOICES = 10
LANGUAGE_CODES = {
    "en": ("english", "anglais", "(en)"),
    "fr": ("french", "français", "francais", "(fr)"),
    "ar": ("arabic", "العربية", "arabe", "(ar)"),
}


def is_rtl(language: str) -> bool:
    return bool(_RTL.search(language or ""))


def pick_language(languages: Sequence[str], default: str, page_lang: str, wanted: str = "") -> str:
    """The asked language if the form has it, else the page language, else the form's default."""
    if wanted and wanted in languages:
        return wanted
    markers = LANGUAGE_CODES.get((page_lang or "")[:2], ())
    for language in languages:
        low = language.strip().lower()
        if low == (page_lang or "")[:2] or any(m in low for m in markers):
            return language
    if default in languages:
        return default
    return languages[0] if languages else ""


@dataclass
class Choice:
    name: str
    label: str
    checked: bool = False
    hidden: bool = False
    fields: str = ""  # JSON of the choice's columns, for ``choice_filter`` in the browser


@dataclass
class View:
    kind: str  # group, repeat, instance, question, note, unsupported
    path: str
    id: str
    label: SafeString = field(default_factory=lambda: mark_safe(""))
    hint: str = ""
    widget: str = ""
    value: str = ""
    required: bool = False
    readonly: bool = False
    error: str = ""
    hidden: bool = False
    choices: list[Choice] = field(default_factory=list)
    positions: list[tuple[int, list[Choice]]] = field(default_factory=list)
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[View] = field(default_factory=list)
    index: int = 0
    can_change: bool = True
    count: int = 0
    max_reached: bool = False
    type_label: str = ""
    autofocus: bool = False

    @property
    def data(self) -> SafeString:
        """The rules as ``data-*`` attributes for ``webform.js`` (escaped)."""
        return format_html_join(" ", 'data-{}="{}"', self.attrs)


class Renderer:
    def __init__(self, state: State, *, show_errors: bool = True, focus: str = "") -> None:
        self.state = state
        self.focus = focus
        self.lang = state.lang
        self.counter = 0
        self.show_errors = show_errors

    def next_id(self) -> str:
        self.counter += 1
        return f"wq{self.counter}"

    def text(self, value: Any) -> str:
        return text_in(value, self.lang).strip()

    def label(self, value: Any, context: Context) -> SafeString:
        raw = self.text(value)
        parts: list[str] = []
        last = 0
        env = self.state.env(context)
        for match in _OUTPUT.finditer(raw):
            parts.append(str(escape(raw[last : match.start()])))
            name = match.group(1)
            found = env.resolver.nodes(name, context)
            shown = found[0] if found else ""
            parts.append(f'<span class="wf-out" data-ref="{escape(name)}">{escape(shown)}</span>')
            last = match.end()
        parts.append(str(escape(raw[last:])))
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above

    def build(self) -> list[View]:
        return self._level(self.state.form.items, self.state.answers, ())

    def _level(self, items: Sequence[Item], node: dict[str, Any], context: Context) -> list[View]:
        views: list[View] = []
        for item in items:
            ctx: Context = (*context, (item.name, None))
            if item.category in ("calc", "hidden", "meta"):
                if item.calculation or item.category == "hidden":
                    views.append(self._silent(item, node, ctx))
                continue
            if item.category == "group" and not item.body:
                continue
            if item.category == "repeat":
                views.append(self._repeat(item, node, context))
            elif item.category == "group":
                view = self._container("group", item, ctx)
                view.children = self._level(item.children, node.get(item.name) or {}, ctx)
                views.append(view)
            else:
                views.append(self._question(item, node, ctx))
        return views

    def _rules(self, item: Item, path: str) -> list[tuple[str, str]]:
        attrs = [("path", path)]
        if item.relevant:
            attrs.append(("relevant", item.relevant))
        return attrs

    def _container(self, kind: str, item: Item, ctx: Context) -> View:
        path = instance_path(ctx)
        return View(
            kind=kind,
            path=path,
            id=self.next_id(),
            label=self.label(item.raw.get("label"), ctx),
            hint=self.text(item.raw.get("hint")),
            hidden=not self.state.relevant.get(path, True),
            attrs=self._rules(item, path),
        )

    def _silent(self, item: Item, node: dict[str, Any], ctx: Context) -> View:
        path = instance_path(ctx)
        attrs = self._rules(item, path)
        if item.calculation:
            attrs.append(("calc", item.calculation))
        attrs.append(("type", item.category))
        value = node.get(item.name)
        return View(
            kind="silent",
            path=path,
            id=self.next_id(),
            value=value if isinstance(value, str) else "",
            widget="hidden" if item.category == "hidden" else "calc",
            attrs=attrs,
        )

    def _repeat(self, item: Item, node: dict[str, Any], context: Context) -> View:
        ctx: Context = (*context, (item.name, None))
        view = self._container("repeat", item, ctx)
        instances = node.get(item.name) or []
        view.count = len(instances)
        view.can_change = not item.repeat_count
        view.max_reached = len(instances) >= MAX_REPEAT
        if item.repeat_count:
            view.attrs.append(("count", item.repeat_count))
        title = self.text(item.raw.get("label")) or item.name
        for index, instance in enumerate(instances):
            ictx: Context = (*context, (item.name, index))
            child = View(
                kind="instance",
                path=instance_path(ictx),
                id=self.next_id(),
                label=mark_safe(  # noqa: S308 - escaped
                    escape(_("%(title)s %(number)d") % {"title": title, "number": index + 1})
                ),
                index=index,
                can_change=view.can_change,
            )
            child.children = self._level(item.children, instance, ictx)
            if child.path == self.focus:
                _focus_first(child.children)
            view.children.append(child)
        return view

    def _question(self, item: Item, node: dict[str, Any], ctx: Context) -> View:
        path = instance_path(ctx)
        raw_value = node.get(item.name)
        value = raw_value if isinstance(raw_value, str) else ""
        required_expr = item.required_expr
        static_required = required_expr.lower() in ("yes", "true", "true()", "1")
        view = View(
            kind="question",
            path=path,
            id=self.next_id(),
            label=self.label(item.raw.get("label"), ctx) or mark_safe(escape(item.name)),  # noqa: S308
            hint=self.text(item.raw.get("hint")),
            value=value,
            required=static_required
            or (
                bool(required_expr)
                and required_expr.lower() not in ("no", "false", "false()", "0")
                and self.state.required(item, ctx)
            ),
            readonly=item.readonly,
            error=self.state.errors.get(path, "") if self.show_errors else "",
            hidden=not self.state.relevant.get(path, True),
            attrs=self._rules(item, path),
        )
        attrs = view.attrs
        if required_expr and required_expr.lower() not in ("no", "false", "false()", "0"):
            attrs.append(("required", "true()" if static_required else required_expr))
            message = self.text(item.bind.get("jr:requiredMsg"))
            attrs.append(("rmsg", message or _("This question is required.")))
        if item.constraint:
            attrs.append(("constraint", item.constraint))
            attrs.append(
                (
                    "cmsg",
                    self.text(item.bind.get("jr:constraintMsg"))
                    or _("This answer is not allowed."),
                )
            )
        if item.calculation:
            attrs.append(("calc", item.calculation))
        if item.choice_filter and item.choice_fields:
            attrs.append(("filter", item.choice_filter))
        attrs.append(("type", item.input_type or item.category))
        if type_message(item):
            attrs.append(("tmsg", type_message(item)))
        if item.category == "note":
            view.kind = "note"
            return view
        if item.category == "unsupported":
            view.kind = "unsupported"
            view.type_label = item.kind
            return view
        if item.category == "ack":
            view.widget = "ack"
        elif item.category == "select1":
            view.choices = self._choices(item, {value}, ctx)
            many = len(view.choices) > MANY_CHOICES or item.appearance.startswith(
                ("minimal", "autocomplete", "search")
            )
            view.widget = "dropdown" if many else "radio"
        elif item.category == "selectN":
            view.choices = self._choices(item, set(value.split()), ctx)
            view.widget = "checkbox"
        elif item.category == "rank":
            ranked = value.split()
            view.widget = "rank"
            for position in range(len(item.choices)):
                chosen = ranked[position] if position < len(ranked) else ""
                view.positions.append((position + 1, self._choices(item, {chosen}, ctx)))
        else:
            view.widget = _widget(item)
        return view

    def _choices(self, item: Item, chosen: set[str], ctx: Context) -> list[Choice]:
        shown = self.state.shown_choices(item, ctx)
        fields = item.choice_fields if len(item.choice_fields) == len(item.choices) else []
        return [
            Choice(
                name=str(c.get("name")),
                label=self.text(c.get("label")) or str(c.get("name")),
                checked=str(c.get("name")) in chosen,
                hidden=not keep,
                fields=json.dumps(fields[i], ensure_ascii=False) if fields else "",
            )
            for i, (c, keep) in enumerate(zip(item.choices, shown, strict=True))
        ]


def _focus_first(views: Sequence[View]) -> bool:
    """Put the cursor in the first question of a repeat instance just added."""
    for view in views:
        if view.kind == "question" and view.widget not in ("radio", "checkbox", "rank"):
            view.autofocus = True
            return True
        if view.kind == "question":
            return False
        if _focus_first(view.children):
            return True
    return False


def _widget(item: Item) -> str:
    kind = item.input_type
    if kind == "text":
        if "multiline" in item.appearance or item.control.get("rows"):
            return "textarea"
        return "text"
    return {
        "integer": "integer",
        "decimal": "decimal",
        "date": "date",
        "time": "time",
        "datetime": "datetime",
        "geopoint": "geopoint",
    }.get(kind, "text")


def sections(views: Sequence[View]) -> list[View]:
    """Top-level groups and repeats, for the progress list at the top of the page."""
    return [v for v in views if v.kind in ("group", "repeat")]


def schema_json(state: State) -> dict[str, Any]:
    """What ``webform.js`` needs to resolve ``${name}``: the path of each name, the repeats."""
    form = state.form
    return {
        "root": form.root,
        "refs": {name: item.schema_path for name, item in form.by_name.items()},
        "repeats": sorted(form.repeats),
        "limit": xpath.MAX_EXPRESSION,
    }
