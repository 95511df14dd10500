"""Data-quality flags as pure functions: each flag with a case that raises it and one that
does not, with the reason a reviewer reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from palava.assessments import quality
from palava.assessments.quality import Row

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

DEFINITION: dict[str, Any] = {
    "type": "survey",
    "name": "data",
    "children": [
        {"type": "start", "name": "start"},
        {
            "type": "select one",
            "name": "place",
            "itemset": "places",
            "choices": [{"name": "P1"}, {"name": "P2"}],
        },
        {
            "type": "group",
            "name": "perception",
            "children": [
                {"type": "select one", "name": f"q{i}", "itemset": "agree5", "label": f"Q{i}"}
                for i in range(1, 7)
            ]
            + [
                {
                    "type": "select one",
                    "name": f"yn{i}",
                    "itemset": "yes_no",
                    "choices": [{"name": "yes"}, {"name": "no"}],
                }
                for i in range(1, 7)
            ],
        },
        {"type": "repeat", "name": "members", "children": [{"type": "text", "name": "n"}]},
        {"name": "meta", "type": "group", "control": {"bodyless": True}, "children": []},
    ],
    "choices": {
        "agree5": [{"name": c} for c in ("sd", "d", "n", "a", "sa")],
        "yes_no": [{"name": "yes"}, {"name": "no"}],
    },
}


def test_questions_of_lists_paths_with_shared_choice_lists() -> None:
    questions = {q.path: q for q in quality.questions_of(DEFINITION)}

    assert "perception/q1" in questions
    assert questions["perception/q1"].choices == ("sd", "d", "n", "a", "sa")
    assert questions["perception/q1"].label == "Q1"
    assert "start" not in questions  # meta is not a question
    assert "members" not in questions
    assert "members/n" not in questions


def test_answers_drop_meta_and_empty_values() -> None:
    data = {
        "meta/instanceID": "uuid:1",
        "start": "x",
        "end": "y",
        "today": "z",
        "deviceid": "d",
        "formhub/uuid": "f",
        "_id": "3",
        "a": "1",
        "g/b": "",
    }

    assert quality.answers(data) == {"a": "1"}


def test_answers_hash_ignores_meta_and_key_order() -> None:
    first = {"meta/instanceID": "uuid:1", "start": "2026", "a": "1", "b": "2"}
    second = {"b": "2", "a": "1", "meta/instanceID": "uuid:2", "deviceid": "other"}

    assert quality.answers_hash(first) == quality.answers_hash(second)
    assert quality.answers_hash(first) != quality.answers_hash({"a": "1", "b": "3"})


@pytest.mark.parametrize(
    ("seconds", "limit", "flagged"),
    [(130, 300, True), (300, 300, False), (1000, 300, False), (10, 0, False)],
)
def test_short(seconds: int, limit: int, flagged: bool) -> None:
    flag = quality.check_short(float(seconds), limit)

    assert (flag is not None) is flagged


def test_short_reason_says_how_long_and_the_limit() -> None:
    flag = quality.check_short(130.0, 300)

    assert flag is not None
    assert flag.code == "short"
    assert flag.reason == "The interview took 2 min 10 s (< 5 min 0 s)."
    assert flag.label == "Too short"


def test_no_duration_no_time_flags() -> None:
    assert quality.duration_seconds(None, T0) is None
    assert quality.duration_seconds(T0, T0 - dt.timedelta(minutes=1)) is None  # clock skew
    assert quality.check_short(None, 300) is None
    assert quality.check_speeding(None, 40) is None


@pytest.mark.parametrize(
    ("seconds", "answered", "flagged"),
    [(30, 20, True), (40, 20, False), (100, 20, False), (5, 0, False)],
)
def test_speeding(seconds: int, answered: int, flagged: bool) -> None:
    flag = quality.check_speeding(float(seconds), answered)

    assert (flag is not None) is flagged
    if flag:
        assert flag.code == "speeding"
        assert "20 questions answered in 30 s: 1.5 s per question" in flag.reason


def test_scales_keep_select_one_lists_of_three_choices_or_more() -> None:
    scales = quality.scales_for(DEFINITION)

    assert set(scales) == {f"perception/q{i}" for i in range(1, 7)}
    only = quality.scales_for(DEFINITION, ["perception/q1", "perception/yn1"])
    assert set(only) == {"perception/q1"}


def test_straight_lining_five_identical_on_one_scale() -> None:
    scales = quality.scales_for(DEFINITION)
    same = {f"perception/q{i}": "a" for i in range(1, 6)}

    flag = quality.check_straight_lining(same, scales)

    assert flag is not None
    assert flag.code == "straight_lining"
    assert flag.reason == "All 5 answers on the same scale are “a”."


@pytest.mark.parametrize(
    "data",
    [
        {f"perception/q{i}": "a" for i in range(1, 5)},  # only four
        {**{f"perception/q{i}": "a" for i in range(1, 6)}, "perception/q6": "d"},  # one differs
        {f"perception/yn{i}": "yes" for i in range(1, 7)},  # yes/no is not a scale
    ],
)
def test_straight_lining_not_raised(data: dict[str, str]) -> None:
    assert quality.check_straight_lining(data, quality.scales_for(DEFINITION)) is None


def test_individual_flags_combines_checks() -> None:
    data = {f"perception/q{i}": "a" for i in range(1, 7)}

    flags = quality.individual_flags(
        data=data,
        started_at=T0,
        ended_at=T0 + dt.timedelta(seconds=10),
        min_seconds=300,
        scales=quality.scales_for(DEFINITION),
    )

    assert quality.flags_codes(flags) == ["short", "speeding", "straight_lining"]


def _row(key: int, enumerator: str, answers: dict[str, Any]) -> Row:
    return Row(key=key, label=f"uuid:{key}", enumerator=enumerator, answers=answers)


def test_exact_duplicates_flag_both_sides() -> None:
    answers = {"a": "1", "b": "2"}
    flags = quality.duplicate_flags(
        [_row(1, "A", answers), _row(2, "B", dict(answers)), _row(3, "A", {"a": "9"})]
    )

    assert set(flags) == {1, 2}
    assert flags[1].reason == "Same answers as uuid:2 (2 identical interviews)."


def _answers(n: int, **changes: str) -> dict[str, str]:
    return {**{f"q{i}": str(i) for i in range(n)}, **changes}


def test_near_duplicates_by_the_same_enumerator() -> None:
    base = _answers(20)
    near = _answers(20, q3="changed")  # 19 of 20 equal: 95 %

    flags = quality.duplicate_flags([_row(1, "A", base), _row(2, "A", near)])

    assert set(flags) == {1, 2}
    assert "Nearly the same answers as uuid:2" in flags[1].reason
    assert "95 % of 20 questions" in flags[1].reason


@pytest.mark.parametrize(
    ("first", "second", "same_enumerator"),
    [
        (_answers(20), _answers(20, q3="x"), False),  # another enumerator
        (_answers(20), _answers(20, q3="x", q4="y"), True),  # 90 %
        (_answers(9), _answers(9, q3="x"), True),  # < 10 questions answered
    ],
)
def test_near_duplicates_not_raised(
    first: dict[str, str], second: dict[str, str], same_enumerator: bool
) -> None:
    rows = [_row(1, "A", first), _row(2, "A" if same_enumerator else "B", second)]

    assert quality.duplicate_flags(rows) == {}


def test_empty_answers_are_not_duplicates() -> None:
    assert quality.duplicate_flags([_row(1, "A", {}), _row(2, "A", {})]) == {}


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=12))
def test_a_submission_is_never_its_own_duplicate(answers: dict[str, str]) -> None:
    assert quality.duplicate_flags([_row(1, "A", answers)]) == {}


@given(
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=15),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=15),
)
def test_near_duplicate_share_is_symmetric_and_bounded(
    a: dict[str, str], b: dict[str, str]
) -> None:
    n, share = quality.near_duplicate_share(a, b)

    assert (n, share) == quality.near_duplicate_share(b, a)
    assert 0.0 <= share <= 1.0
    assert n == len(set(a) | set(b))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (130, "2 min 10 s"), (3900, "1 h 05 min")],
)
def test_duration_text(seconds: int, text: str) -> None:
    assert quality.duration_text(seconds) == text


def test_flags_against_finds_exact_and_near_twins_in_one_pass() -> None:
    new = _row(9, "A", _answers(20))
    exact = _row(1, "B", _answers(20))
    near = _row(2, "A", _answers(20, q5="x"))
    other = _row(3, "A", _answers(20, q5="x", q6="y"))

    mine, theirs = quality.flags_against(new, [exact, other])
    near_mine, near_theirs = quality.flags_against(new, [near, other])
    none, nothing = quality.flags_against(new, [other, _row(4, "B", _answers(20, q5="x"))])

    assert mine is not None
    assert mine.reason == "Same answers as uuid:1 (2 identical interviews)."
    assert set(theirs) == {1}
    assert near_mine is not None
    assert "Nearly the same answers as uuid:2" in near_mine.reason
    assert set(near_theirs) == {2}
    assert (none, nothing) == (None, {})
