"""The ODK XPath subset used by XLSForms, evaluated on the server (web entry is decided here).

A tokenizer, a recursive-descent parser building a small tree of tuples, and an evaluator over
the answers of one filled form. Never ``eval()``: expressions come from uploaded forms.
Expressions longer than ``MAX_EXPRESSION`` or nested deeper than ``MAX_DEPTH`` are refused
with ``XPathError``; callers treat a refused or unknown construct as "true / no value", like
an unknown function, so a form never becomes impossible to fill because of one expression.

Values: ``str``, ``float``, ``bool``, :class:`NodeSet` (the answers a reference selects) and
:data:`UNKNOWN` (an unsupported function: true as a boolean, empty as text, NaN as a number).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

MAX_EXPRESSION = 4000
MAX_DEPTH = 40
MAX_OPERATORS = 300
MAX_REGEX_INPUT = 10_000

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{[^}\s]{1,200}\})
    | (?P<num>\d+(?:\.\d*)?|\.\d+)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op>!=|<=|>=|//|\.\.|[=<>+\-*/(),|\[\].@])
    | (?P<name>[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)
    )""",
    re.VERBOSE,
)


class XPathError(ValueError):
    """The expression cannot be read (syntax, length or nesting)."""


@dataclass(frozen=True)
class Token:
    kind: str  # ref, num, str, op, name, end
    text: str


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_EXPRESSION:
        raise XPathError("expression too long")
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise XPathError(f"unexpected character at {pos}")
        kind = match.lastgroup or ""
        text = match.group(kind)
        tokens.append(Token(kind, text))
        pos = match.end()
    tokens.append(Token("end", ""))
    return tokens


# Parse tree: tuples ("num", float) ("str", s) ("ref", name) ("path", absolute, steps)
# ("neg", x) ("bin", op, a, b) ("call", name, args) ("unknown",)
Node = tuple[Any, ...]

_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.operators = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        if self.current.text != text or self.current.kind not in ("op", "name"):
            raise XPathError(f"expected {text!r}")
        self.pos += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise XPathError("expression nested too deeply")

    def parse(self) -> Node:
        node = self.binary(0)
        if self.current.kind != "end":
            raise XPathError(f"unexpected {self.current.text!r}")
        return node

    def _is_operator(self, ops: tuple[str, ...]) -> bool:
        token = self.current
        if token.kind == "op" and token.text in ops:
            return True
        return (
            token.kind == "name" and token.text in ops and token.text in ("or", "and", "div", "mod")
        )

    def binary(self, level: int) -> Node:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        ops = _BINARY_LEVELS[level]
        left = self.binary(level + 1)
        while self._is_operator(ops):
            op = self.take().text
            self.operators += 1
            if self.operators > MAX_OPERATORS:
                raise XPathError("too many operators")
            right = self.binary(level + 1)
            left = ("bin", op, left, right)
        return left

    def unary(self) -> Node:
        if self.current.kind == "op" and self.current.text == "-":
            self.take()
            self.enter()
            node: Node = ("neg", self.unary())
            self.depth -= 1
            return node
        left = self.primary()
        while self.current.kind == "op" and self.current.text == "|":
            self.take()
            left = ("union", left, self.primary())
        return left

    def primary(self) -> Node:
        self.enter()
        token = self.current
        node: Node
        if token.kind == "num":
            self.take()
            node = ("num", float(token.text))
        elif token.kind == "str":
            self.take()
            node = ("str", token.text[1:-1])
        elif token.kind == "ref":
            self.take()
            node = ("ref", token.text[2:-1].strip())
            node = self.steps_after(node)
        elif token.kind == "op" and token.text == "(":
            self.take()
            node = self.binary(0)
            self.expect(")")
        elif token.kind == "name" and self.tokens[self.pos + 1].text == "(":
            name = self.take().text
            self.take()
            args: list[Node] = []
            if not (self.current.kind == "op" and self.current.text == ")"):
                args.append(self.binary(0))
                while self.current.kind == "op" and self.current.text == ",":
                    self.take()
                    args.append(self.binary(0))
            self.expect(")")
            node = ("call", name, tuple(args))
        elif token.kind == "name" or (
            token.kind == "op" and token.text in ("/", ".", "..", "//", "@", "*")
        ):
            node = self.path()
        else:
            raise XPathError(f"unexpected {token.text!r}")
        self.depth -= 1
        return node

    def steps_after(self, base: Node) -> Node:
        """``${x}/y`` is rare; anything after a reference other than an operator is refused."""
        if self.current.kind == "op" and self.current.text in ("/", "["):
            raise XPathError("paths after a reference are not supported")
        return base

    def path(self) -> Node:
        absolute = False
        steps: list[str] = []
        if self.current.kind == "op" and self.current.text in ("/", "//"):
            if self.current.text == "//":
                raise XPathError("descendant paths are not supported")
            absolute = True
            self.take()
        while True:
            token = self.current
            if token.kind == "name" or (token.kind == "op" and token.text in (".", "..")):
                steps.append(self.take().text)
            elif token.kind == "op" and token.text in ("@", "*", "["):
                raise XPathError("attributes, wildcards and predicates are not supported")
            else:
                if not steps and not absolute:
                    raise XPathError(f"unexpected {token.text!r}")
                break
            if self.current.kind == "op" and self.current.text == "[":
                raise XPathError("predicates are not supported")
            if self.current.kind == "op" and self.current.text == "/":
                self.take()
                continue
            break
        return ("path", absolute, tuple(steps))


@lru_cache(maxsize=4096)
def parse(source: str) -> Node:
    """Parse an expression (cached); raises :class:`XPathError`."""
    return _Parser(tokenize(source)).parse()


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass
class NodeSet:
    """The text values of the nodes a reference selects (a group or repeat instance is "")."""

    values: list[str] = field(default_factory=list)


Value = str | float | bool | NodeSet | _Unknown

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")
_EPOCH = dt.date(1970, 1, 1)


def to_string(value: Value) -> str:
    if isinstance(value, NodeSet):
        return value.values[0] if value.values else ""
    if isinstance(value, _Unknown):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return value


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, _Unknown):
        return math.nan
    text = to_string(value).strip()
    if not text:
        return math.nan
    if _DATE.match(text) or _DATETIME.match(text):
        return _days(text)
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return math.nan
    return float(text)


def _days(text: str) -> float:
    """ODK turns a date into days since 1970-01-01 when it is used as a number."""
    try:
        match = _DATETIME.match(text)
        if match:
            y, m, d, hh, mm, ss = match.groups()
            moment = dt.datetime(
                int(y), int(m), int(d), int(hh), int(mm), int(ss or 0), tzinfo=dt.UTC
            )
            seconds = (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds()
            return seconds / 86400.0
        y, m, d = text.split("-")
        return float((dt.date(int(y), int(m), int(d)) - _EPOCH).days)
    except ValueError:
        return math.nan


def to_bool(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, _Unknown):
        return True
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, NodeSet):
        return bool(value.values)
    return value != ""


class Resolver:
    """What the evaluator needs from the form: reference lookup and the current node."""

    def nodes(self, ref: str, context: Any) -> list[str]:  # pragma: no cover - interface
        raise NotImplementedError

    def path_nodes(
        self, absolute: bool, steps: Sequence[str], context: Any
    ) -> list[str]:  # pragma: no cover - interface
        raise NotImplementedError

    def position(
        self, absolute: bool, steps: Sequence[str], context: Any
    ) -> float:  # pragma: no cover
        raise NotImplementedError

    def choice_label(self, ref: str, value: str) -> str:
        return value


@dataclass
class Env:
    resolver: Resolver
    context: Any = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    current_value: str = ""
    fields: Mapping[str, str] | None = None  # a choice's columns, for ``choice_filter``


def _compare(op: str, a: Value, b: Value) -> bool:
    if isinstance(a, _Unknown) or isinstance(b, _Unknown):
        return True
    if isinstance(a, NodeSet) or isinstance(b, NodeSet):
        left = a.values if isinstance(a, NodeSet) else [a]
        right = b.values if isinstance(b, NodeSet) else [b]
        if isinstance(a, bool) or isinstance(b, bool):
            return _compare_atoms(op, to_bool(a), to_bool(b))
        return any(_compare_atoms(op, x, y) for x in left for y in right)
    return _compare_atoms(op, a, b)


def _compare_atoms(op: str, a: Value, b: Value) -> bool:
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            equal = to_bool(a) == to_bool(b)
        elif isinstance(a, float) or isinstance(b, float):
            equal = to_number(a) == to_number(b)
        else:
            equal = to_string(a) == to_string(b)
        return equal if op == "=" else not equal
    x, y = to_number(a), to_number(b)
    if op == "<":
        return x < y
    if op == ">":
        return x > y
    if op == "<=":
        return x <= y
    return x >= y


def _arith(op: str, a: Value, b: Value) -> float:
    x, y = to_number(a), to_number(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    if y == 0 or math.isnan(x) or math.isnan(y) or math.isinf(x):
        return math.nan
    return math.fmod(x, y)


def _round(x: float, digits: int = 0) -> float:
    if math.isnan(x) or math.isinf(x):
        return x
    factor = 10.0**digits
    return math.floor(x * factor + 0.5) / factor


def _regex(value: str, pattern: str) -> bool:
    if len(value) > MAX_REGEX_INPUT or len(pattern) > 1000:
        return False
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True


def _date(value: Value) -> str:
    text = to_string(value)
    if _DATE.match(text):
        return text
    number = to_number(value)
    if math.isnan(number) or abs(number) > 3_000_000:
        return ""
    return (_EPOCH + dt.timedelta(days=math.floor(number))).isoformat()


def _flatten(args: Sequence[Value]) -> list[str]:
    out: list[str] = []
    for a in args:
        out.extend(a.values if isinstance(a, NodeSet) else [to_string(a)])
    return out


def _numbers(args: Sequence[Value]) -> list[float]:
    found = [to_number(v) for v in _flatten(args)]
    return found


_MATH: dict[str, Callable[[float], float]] = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "abs": abs,
    "floor": math.floor,
    "ceiling": math.ceil,
}


def _math(name: str, x: float) -> float:
    try:
        return float(_MATH[name](x))
    except (ValueError, OverflowError):
        return math.nan


def evaluate(node: Node, env: Env) -> Value:
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "str":
        return str(node[1])
    if kind == "ref":
        return NodeSet(env.resolver.nodes(str(node[1]), env.context))
    if kind == "path":
        absolute, steps = bool(node[1]), tuple(node[2])
        if not absolute and steps == (".",):
            return NodeSet([env.current_value])
        if env.fields is not None and not absolute and len(steps) == 1 and steps[0] in env.fields:
            return NodeSet([env.fields[steps[0]]])
        return NodeSet(env.resolver.path_nodes(absolute, steps, env.context))
    if kind == "neg":
        return -to_number(evaluate(node[1], env))
    if kind == "union":
        a, b = evaluate(node[1], env), evaluate(node[2], env)
        return NodeSet(_flatten([a, b]))
    if kind == "bin":
        op = str(node[1])
        if op == "or":
            return to_bool(evaluate(node[2], env)) or to_bool(evaluate(node[3], env))
        if op == "and":
            return to_bool(evaluate(node[2], env)) and to_bool(evaluate(node[3], env))
        a, b = evaluate(node[2], env), evaluate(node[3], env)
        if op in ("=", "!=", "<", ">", "<=", ">="):
            return _compare(op, a, b)
        return _arith(op, a, b)
    if kind == "call":
        return _call(str(node[1]), tuple(node[2]), env)
    return UNKNOWN  # pragma: no cover - the parser builds no other node


def _call(name: str, arg_nodes: tuple[Node, ...], env: Env) -> Value:
    if name == "if":
        if len(arg_nodes) != 3:
            return UNKNOWN
        chosen = arg_nodes[1] if to_bool(evaluate(arg_nodes[0], env)) else arg_nodes[2]
        return evaluate(chosen, env)
    if name == "position":
        if not arg_nodes:
            return UNKNOWN
        target = arg_nodes[0]
        if target[0] != "path":
            return UNKNOWN
        return env.resolver.position(bool(target[1]), tuple(target[2]), env.context)
    if name == "jr:choice-name":
        if len(arg_nodes) != 2:
            return UNKNOWN
        value = to_string(evaluate(arg_nodes[0], env))
        ref = to_string(evaluate(arg_nodes[1], env)).strip()
        return env.resolver.choice_label(ref, value)
    args = [evaluate(a, env) for a in arg_nodes]
    n = len(args)
    if name == "true" and n == 0:
        return True
    if name == "false" and n == 0:
        return False
    if name == "not" and n == 1:
        return not to_bool(args[0])
    if name == "boolean" and n == 1:
        return to_bool(args[0])
    if name == "string" and n <= 1:
        return to_string(args[0]) if args else env.current_value
    if name == "number" and n <= 1:
        return to_number(args[0]) if args else to_number(env.current_value)
    if name == "int" and n == 1:
        x = to_number(args[0])
        return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))
    if name == "round" and n in (1, 2):
        digits = int(to_number(args[1])) if n == 2 and not math.isnan(to_number(args[1])) else 0
        return _round(to_number(args[0]), max(-15, min(15, digits)))
    if name in _MATH and n == 1:
        return _math(name, to_number(args[0]))
    if name == "pow" and n == 2:
        try:
            return float(math.pow(to_number(args[0]), to_number(args[1])))
        except (ValueError, OverflowError):
            return math.nan
    if name == "pi" and n == 0:
        return math.pi
    if name == "count" and n == 1:
        a = args[0]
        return float(len(a.values)) if isinstance(a, NodeSet) else UNKNOWN
    if name == "sum" and n == 1:
        return float(sum(_numbers(args)))
    if name in ("max", "min") and n >= 1:
        found = _numbers(args)
        if not found or any(math.isnan(x) for x in found):
            return math.nan
        return max(found) if name == "max" else min(found)
    if name == "string-length" and n <= 1:
        return float(len(to_string(args[0]) if args else env.current_value))
    if name == "concat":
        return "".join(_flatten(args))
    if name == "contains" and n == 2:
        return to_string(args[1]) in to_string(args[0])
    if name == "starts-with" and n == 2:
        return to_string(args[0]).startswith(to_string(args[1]))
    if name == "ends-with" and n == 2:
        return to_string(args[0]).endswith(to_string(args[1]))
    if name == "substr" and n in (2, 3):
        text = to_string(args[0])
        start = int(to_number(args[1])) if not math.isnan(to_number(args[1])) else 0
        end = (
            int(to_number(args[2])) if n == 3 and not math.isnan(to_number(args[2])) else len(text)
        )
        return text[max(0, start) : max(0, end)]
    if name == "normalize-space" and n <= 1:
        return " ".join((to_string(args[0]) if args else env.current_value).split())
    if name == "regex" and n == 2:
        return _regex(to_string(args[0]), to_string(args[1]))
    if name == "selected" and n == 2:
        return to_string(args[1]).strip() in to_string(args[0]).split()
    if name == "count-selected" and n == 1:
        return float(len(to_string(args[0]).split()))
    if name == "selected-at" and n == 2:
        parts = to_string(args[0]).split()
        index = to_number(args[1])
        if math.isnan(index) or not 0 <= int(index) < len(parts):
            return ""
        return parts[int(index)]
    if name == "coalesce" and n == 2:
        first = to_string(args[0])
        return first if first else to_string(args[1])
    if name == "once" and n == 1:
        return env.current_value if env.current_value else to_string(args[0])
    if name == "today" and n == 0:
        return env.now.date().isoformat()
    if name == "now" and n == 0:
        return env.now.isoformat(timespec="milliseconds")
    if name == "date" and n == 1:
        return _date(args[0])
    if name == "decimal-date-time" and n == 1:
        return to_number(args[0])
    if name == "uuid" and n == 0:
        return str(uuid.uuid4())
    return UNKNOWN


def run(source: str, env: Env) -> Value:
    """Evaluate ``source``; an unreadable expression is :data:`UNKNOWN`."""
    source = source.strip()
    if not source:
        return UNKNOWN
    try:
        node = parse(source)
    except XPathError:
        return UNKNOWN
    try:
        return evaluate(node, env)
    except RecursionError:  # pragma: no cover - the parser limits depth already
        return UNKNOWN


def truthy(source: str, env: Env) -> bool:
    return to_bool(run(source, env))


class MappingResolver(Resolver):
    """A flat ``{name: value}`` resolver (tests, and forms without repeats)."""

    def __init__(self, values: Mapping[str, str | list[str]]) -> None:
        self.values = values

    def nodes(self, ref: str, context: Any) -> list[str]:
        value = self.values.get(ref)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def path_nodes(self, absolute: bool, steps: Sequence[str], context: Any) -> list[str]:
        return self.nodes(steps[-1], context) if steps else []

    def position(self, absolute: bool, steps: Sequence[str], context: Any) -> float:
        return math.nan
