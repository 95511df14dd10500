"""Web entry without the pages: the shared XLSForm corpus renders, server-side rules (required,
constraints, relevance, calculations, repeat_count) and the instance XML, which must read back
through ``parse_instance`` into the same ``data`` as an ODK Collect submission."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from palava.assessments.entry.instance import Meta, build_xml
from palava.assessments.entry.post import TooMuch, answers_from_post, flatten
from palava.assessments.entry.questions import MAX_REPEAT, Form
from palava.assessments.entry.render import Renderer, pick_language
from palava.assessments.entry.schema import State, new_state
from palava.assessments.openrosa.instance import parse_instance, repeat_paths_of
from palava.assessments.xlsform import FORMATS, XLSFormError, convert

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "xlsforms"
NOW = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def definition(md: str) -> dict[str, Any]:
    return convert(filename="form.md", content=md.encode()).definition


def meta(form_id: str = "f") -> Meta:
    return Meta(
        instance_id="uuid:0d8a6a5c-1111-4c7a-9c55-5d1bd5d3c001",
        form_id=form_id,
        version="3",
        started=NOW - dt.timedelta(minutes=9),
        ended=NOW,
        username="amani",
    )


def post(pairs: list[tuple[str, str]]) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in pairs:
        q.appendlist(key, value)
    return q


HOUSEHOLD = """
| survey |
HEADER
| | start | start | | | | | | | |
| | end | end | | | | | | | |
| | today | today | | | | | | | |
| | deviceid | deviceid | | | | | | | |
| | username | username | | | | | | | |
| | text | village | Village | | | | yes | | |
| | integer | size | People | | . > 0 | At least one | yes | | 1 |
| | select_one yn | water | Water? | | | | | | |
| | text | source | Source | ${water} = 'yes' | | | yes | | |
| | select_multiple need | needs | Needs | | | | | | |
| | calculate | double | | | | | | ${size} * 2 | |
| | note | summary | Size ${size} | | | | | | |
| | begin_group | hh | Household | | | | | | |
| | begin_repeat | member | Member | | | | | | |
| | text | mname | Name | | | | | | |
| | integer | mage | Age | | . < 120 | | | | |
| | text | school | School | ${mage} < 18 | | | | | |
| | end_repeat | | | | | | | | |
| | end_group | | | | | | | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| | need | water | Water |
| | need | food | Food |
| | need | roads | Roads |
| settings |
| | form_id | version |
| | hh_form | 3 |
""".replace(
    "HEADER",
    "| | "
    + " | ".join(
        (
            "type",
            "name",
            "label",
            "relevant",
            "constraint",
            "constraint_message",
            "required",
            "calculation",
            "default",
        )
    )
    + " |",
)


def test_required_constraints_and_types_are_checked() -> None:
    form = Form(definition(HOUSEHOLD))
    answers = answers_from_post(
        form,
        post(
            [
                ("village", ""),
                ("size", "0"),
                ("water", "maybe"),
                ("needs", "food"),
                ("needs", "fuel"),
                ("_n:hh/member", "1"),
                ("hh/member[0]/mage", "abc"),
            ]
        ),
    )
    state = State(form=form, answers=answers, now=NOW)
    state.compute()

    errors = state.validate()

    assert errors == {
        "village": "This question is required.",
        "size": "At least one",
        "water": "Choose one of the options.",
        "needs": "Choose among the options, each at most once.",
        "hh/member[0]/mage": "Enter a whole number.",
    }


def test_relevance_drops_answers_and_requires_only_relevant_questions() -> None:
    form = Form(definition(HOUSEHOLD))
    pairs = [("village", "Beni"), ("size", "3"), ("water", "no"), ("source", "river")]
    state = State(form=form, answers=answers_from_post(form, post(pairs)), now=NOW)
    state.compute()
    assert state.validate() == {}
    assert state.answers["source"] == ""
    assert state.answers["double"] == "6"

    pairs[2] = ("water", "yes")
    pairs[3] = ("source", "")
    state = State(form=form, answers=answers_from_post(form, post(pairs)), now=NOW)
    state.compute()
    assert state.validate() == {"source": "This question is required."}


def test_instance_reads_back_like_an_odk_submission() -> None:
    spec = definition(HOUSEHOLD)
    form = Form(spec)
    pairs = [
        ("village", "Beni"),
        ("size", "3"),
        ("water", "yes"),
        ("source", "well"),
        ("needs", "water"),
        ("needs", "roads"),
        ("_n:hh/member", "2"),
        ("hh/member[0]/mname", "Amani"),
        ("hh/member[0]/mage", "40"),
        ("hh/member[0]/school", "ignored: not relevant"),
        ("hh/member[1]/mname", "Baraka"),
        ("hh/member[1]/mage", "9"),
        ("hh/member[1]/school", "Mutwanga primary"),
    ]
    state = State(form=form, answers=answers_from_post(form, post(pairs)), now=NOW)
    state.compute()
    assert state.validate() == {}

    xml = build_xml(state, meta("hh_form"))
    parsed = parse_instance(xml, repeat_paths=repeat_paths_of(spec))

    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?><data ')
    assert parsed.form_id == "hh_form"
    assert parsed.version == "3"
    assert parsed.instance_id == "uuid:0d8a6a5c-1111-4c7a-9c55-5d1bd5d3c001"
    assert parsed.started_at == NOW - dt.timedelta(minutes=9)
    assert parsed.data == {
        "start": "2026-03-04T10:21:00.000+02:00",
        "end": "2026-03-04T10:30:00.000+02:00",
        "today": "2026-03-04",
        "deviceid": "palava:web",
        "username": "amani",
        "village": "Beni",
        "size": "3",
        "water": "yes",
        "source": "well",
        "needs": "water roads",
        "double": "6",
        "hh/member": [
            {"hh/member/mname": "Amani", "hh/member/mage": "40"},
            {
                "hh/member/mname": "Baraka",
                "hh/member/mage": "9",
                "hh/member/school": "Mutwanga primary",
            },
        ],
        "meta/instanceID": "uuid:0d8a6a5c-1111-4c7a-9c55-5d1bd5d3c001",
    }
    assert flatten(form, state.answers) == parsed.data
    # unanswered and non-relevant questions are empty elements, in the form's order
    assert b"<school />" in xml
    assert xml.index(b"<village>") < xml.index(b"<hh>") < xml.index(b"<meta>")


def test_defaults_and_outputs_show_on_a_new_filling() -> None:
    form = Form(definition(HOUSEHOLD))
    state = new_state(form, now=NOW)
    assert state.answers["size"] == "1"
    assert state.answers["double"] == "2"
    views = Renderer(state).build()
    html = "".join(render_to_string("assessments/entry_node.html", {"node": v}) for v in views)
    assert 'data-ref="size">1</span>' in html
    assert 'name="_n:hh/member" value="1"' in html
    assert 'data-constraint=". &gt; 0"' in html


REPEAT_COUNT = """
| survey |
| | type | name | label | repeat_count |
| | integer | n | How many | |
| | begin_repeat | child | Child | ${n} |
| | text | cname | Name | |
| | integer | pos | Position | |
| | end_repeat | | | |
"""


def test_repeat_count_decides_the_number_of_instances() -> None:
    form = Form(definition(REPEAT_COUNT))
    state = State(
        form=form, answers=answers_from_post(form, post([("n", "3"), ("_n:child", "1")])), now=NOW
    )
    state.compute()
    assert len(state.answers["child"]) == 3
    state = State(form=form, answers=answers_from_post(form, post([("n", "100000")])), now=NOW)
    state.compute()
    assert len(state.answers["child"]) == MAX_REPEAT


def test_hostile_posts_are_refused() -> None:
    form = Form(definition(HOUSEHOLD))
    with pytest.raises(TooMuch):
        answers_from_post(form, post([("_n:hh/member", "201")]))
    with pytest.raises(TooMuch):
        answers_from_post(form, post([("village", "x" * 20_000)]))
    # a negative or non-numeric count is no instance / the default
    answers = answers_from_post(form, post([("_n:hh/member", "-5")]))
    assert answers["hh"]["member"] == [{"mname": "", "mage": "", "school": ""}]
    # fields that are not questions are ignored
    answers = answers_from_post(form, post([("double", "999"), ("../../etc", "x")]))
    state = State(form=form, answers=answers, now=NOW)
    state.compute()
    assert state.answers["double"] == ""


@pytest.mark.parametrize(
    ("languages", "default", "page", "wanted", "expected"),
    [
        (["English (en)", "Arabic (ar)"], "English (en)", "ar", "", "Arabic (ar)"),
        (["English", "French"], "English", "fr", "", "French"),
        (["English", "French"], "English", "ar", "", "English"),
        (["English", "French"], "English", "fr", "English", "English"),
        ([], "default", "fr", "", ""),
    ],
)
def test_label_language_follows_the_page(
    languages: list[str], default: str, page: str, wanted: str, expected: str
) -> None:
    assert pick_language(languages, default, page, wanted) == expected


def _corpus() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared XLSForm corpus not found at {CORPUS}")
    return sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower().lstrip(".") in FORMATS
    )


def test_every_corpus_form_renders_validates_and_builds_an_instance() -> None:
    done = 0
    for path in _corpus():
        try:
            result = convert(filename=path.name, content=path.read_bytes())
        except XLSFormError:
            continue
        form = Form(result.definition, xform=result.xml)
        for lang in result.languages or [""]:
            state = new_state(form, lang=lang, now=NOW)
            views = Renderer(state).build()
            html = "".join(
                render_to_string("assessments/entry_node.html", {"node": v}) for v in views
            )
            assert "data-path" in html, path.name
        state.validate()
        xml = build_xml(state, meta(result.form_id))
        parsed = parse_instance(xml, repeat_paths=repeat_paths_of(result.definition))
        assert parsed.form_id == result.form_id
        assert parsed.data["meta/instanceID"].startswith("uuid:")
        # the root element is the XForm's instance root
        assert f"<{form.root} " in result.xml or f"<{form.root}>" in result.xml, path.name
        done += 1
    assert done >= 25


CASCADE = """
| survey |
| | type | name | label | choice_filter |
| | select_one states | state | State | |
| | select_one counties | county | County | state=${state} |
| choices |
| | list_name | name | label | state |
| | states | tx | Texas | |
| | states | wa | Washington | |
| | counties | king | King | wa |
| | counties | pierce | Pierce | wa |
| | counties | cameron | Cameron | tx |
"""


def test_choice_filter_keeps_the_matching_choices() -> None:
    result = convert(filename="form.md", content=CASCADE.encode())
    form = Form(result.definition, xform=result.xml)
    county = form.by_name["county"]
    assert [f["state"] for f in county.choice_fields] == ["wa", "wa", "tx"]

    state = State(form=form, answers={"state": "wa", "county": "cameron"}, now=NOW)
    state.compute()
    assert state.shown_choices(county, (("county", None),)) == [True, True, False]
    assert state.validate() == {"county": "Choose one of the options."}
    state.answers["county"] = "pierce"
    assert state.validate() == {}

    views = Renderer(state).build()
    html = render_to_string("assessments/entry_node.html", {"node": views[1]})
    assert 'data-filter="state=${state}"' in html
    assert html.count("hidden") >= 1
    cameron = html[html.index('value="cameron"') - 200 : html.index('value="cameron"')]
    assert "hidden" in cameron


def test_range_questions_stay_within_their_parameters() -> None:
    md = """
| survey |
| | type | name | label | parameters |
| | range | score | Score | start=1 end=5 step=1 |
"""
    form = Form(definition(md))
    state = State(form=form, answers={"score": "7"}, now=NOW)
    state.compute()
    assert state.validate() == {"score": "Choose a value between 1 and 5."}
    state.answers["score"] = "4"
    assert state.validate() == {}


def test_labels_hints_and_answers_are_escaped() -> None:
    md = """
| survey |
| | type | name | label | hint |
| | text | who | <img src=x onerror=alert(1)> | <script>alert(2)</script> |
| | note | echo | You said ${who} | |
"""
    form = Form(definition(md))
    state = State(form=form, answers={"who": "<b>bold</b>", "echo": ""}, now=NOW)
    state.compute()
    html = "".join(
        render_to_string("assessments/entry_node.html", {"node": v})
        for v in Renderer(state).build()
    )
    assert "<img" not in html
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
