"""The browser's evaluator (``static/js/webform.js``, run in Node) gives the same results as the
server's (``entry/xpath.py``) on the same expressions and answers, so what the page shows live
is what the server decides."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from palava.assessments.entry.questions import Form
from palava.assessments.entry.render import schema_json
from palava.assessments.entry.schema import Context, State
from palava.assessments.entry.xpath import UNKNOWN, run, to_string

SCRIPT = Path(__file__).resolve().parents[2] / "palava" / "static" / "js" / "webform.js"
NOW = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.UTC)

DEFINITION = {
    "name": "data",
    "type": "survey",
    "children": [
        {"name": "fruit", "type": "select all that apply"},
        {"name": "name", "type": "text"},
        {"name": "age", "type": "integer"},
        {"name": "empty", "type": "text"},
        {"name": "born", "type": "date"},
        {
            "name": "grp",
            "type": "group",
            "children": [
                {"name": "s", "type": "repeat", "children": [{"name": "score", "type": "integer"}]}
            ],
        },
    ],
}
ANSWERS = {
    "fruit": "apple pear",
    "name": "Amani",
    "age": "34",
    "empty": "",
    "born": "1990-05-17",
    "grp": {"s": [{"score": "1"}, {"score": "2"}, {"score": "3"}]},
}
FLAT = {
    "fruit": "apple pear",
    "name": "Amani",
    "age": "34",
    "empty": "",
    "born": "1990-05-17",
    "grp/s[0]/score": "1",
    "grp/s[1]/score": "2",
    "grp/s[2]/score": "3",
}
COUNTS = {"grp/s": 3}

CASES: list[tuple[str, str]] = [
    (expr, "")
    for expr in (
        "1 + 2 * 3",
        "(1 + 2) * 3",
        "10 div 4",
        "10 mod 4",
        "-3 + 5",
        "2 - -2",
        "0 div 0",
        "7 - 2 - 1",
        "1 = 1 and 2 > 1",
        "1 < 2 = true()",
        "'2' = 2",
        "'10' > '9'",
        "false() or true() and false()",
        "selected(${fruit}, 'apple')",
        "selected(${fruit}, 'kiwi')",
        "count-selected(${fruit})",
        "selected-at(${fruit}, 1)",
        "string-length(${name})",
        "regex(${name}, '^[A-Z][a-z]+$')",
        "contains(${name}, 'man')",
        "starts-with(${name}, 'Am')",
        "concat(${name}, '-', ${age})",
        "if(${age} > 18, 'adult', 'child')",
        "coalesce(${empty}, 'fallback')",
        "number('3.5') + 1",
        "int(-3.7)",
        "round(2.456, 2)",
        "string(12)",
        "boolean(${empty})",
        "sum(${score})",
        "count(${s})",
        "max(${score})",
        "min(${score})",
        "${score} = 2",
        "${empty} = ''",
        "${age} > 3 and not(${empty})",
        "${born} < '2000-01-01'",
        "date('1990-05-20') - ${born}",
        "/data/name",
        "pulldata('x', 'y')",
        "instance('x')/root/item[name = 'a']",
        "(" * 50 + "1" + ")" * 50,
        "1" + "+1" * 400,
        "pow(2, 10) + sqrt(16)",
        "once('new')",
    )
] + [(". > 10.51 and . < 18.39", "12"), ("string-length(.) <= 3", "abcd")]

IN_REPEAT: list[tuple[str, str]] = [
    ("${score} * 10", "grp/s[1]/score"),
    ("position(..)", "grp/s[2]/score"),
    ("../score + 1", "grp/s[0]/score"),
    ("sum(${score}) - ${score}", "grp/s[1]/score"),
]


# choice_filter: a bare name is the choice's column
FILTERS: list[tuple[str, dict[str, str]]] = [
    ("state = 'wa' and name = ${name}", {"state": "wa", "name": "Amani"}),
    ("state = 'wa'", {"state": "tx", "name": "x"}),
    ("${age} > 3 and cf", {"cf": "yes"}),
]


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is not installed")
    return node


def _js(cases: list[dict[str, object]]) -> list[str]:
    program = (
        "const w = require(process.argv[1]);"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "w.configure(input.schema);"
        "console.log(JSON.stringify(input.cases.map("
        "c => w.evaluate(c.expr, input.values, c.ctx, c.current, input.counts, c.fields))));"
    )
    state = State(form=Form(DEFINITION), answers=ANSWERS, now=NOW)
    payload = {"schema": schema_json(state), "values": FLAT, "counts": COUNTS, "cases": cases}
    done = subprocess.run(
        [_node(), "-e", program, str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: list[str] = json.loads(done.stdout)
    return result


def _context(path: str) -> Context:
    parts: list[tuple[str, int | None]] = []
    for part in path.split("/"):
        if "[" in part:
            name, index = part[:-1].split("[")
            parts.append((name, int(index)))
        else:
            parts.append((part, None))
    return tuple(parts)


def _python(expr: str, ctx: str, current: str, fields: dict[str, str] | None = None) -> str:
    state = State(form=Form(DEFINITION), answers=ANSWERS, now=NOW)
    value = run(expr, state.env(_context(ctx) if ctx else (), current, fields))
    return "UNKNOWN" if value is UNKNOWN else to_string(value)


def test_browser_and_server_evaluate_alike() -> None:
    cases: list[dict[str, object]] = [{"expr": e, "ctx": "", "current": c} for e, c in CASES]
    cases += [{"expr": e, "ctx": ctx, "current": ""} for e, ctx in IN_REPEAT]
    cases += [{"expr": e, "ctx": "", "current": "", "fields": f} for e, f in FILTERS]

    browser = _js(cases)

    server = [
        _python(str(c["expr"]), str(c["ctx"]), str(c["current"]), c.get("fields"))  # type: ignore[arg-type]
        for c in cases
    ]
    mismatches = [
        (c["expr"], b, s) for c, b, s in zip(cases, browser, server, strict=True) if b != s
    ]
    assert mismatches == []
    assert server[CASES.index(("sum(${score})", ""))] == "6"
    assert server[len(CASES) : len(CASES) + len(IN_REPEAT)] == ["20", "3", "2", "0"]
    assert server[-len(FILTERS) :] == ["true", "false", "true"]
