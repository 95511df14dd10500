"""The indicator bank's content (three languages, coding, versions) and the XLSForm it builds
(converted by pyxform through ``xlsform.convert`` without warnings, found back by name)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from palava.assessments.indicators import LANGUAGES, Indicator
from palava.assessments.indicators.bank import (
    BANK,
    DOMAINS,
    GROUP_CODES,
    GROUP_LABELS,
    NEED_CODES,
    NEED_LABELS,
    STANDARD_PATHS,
    indicator_for_name,
    indicator_get,
    indicator_map_for,
    indicators_latest,
    question_name,
)
from palava.assessments.indicators.xlsform_build import BuildError, build_xlsform
from palava.assessments.xlsform import Conversion, convert

ARABIC = re.compile(r"[\u0600-\u06FF]")
PLACES = [
    ("CD2001", {"en": "Goma", "fr": "Goma", "ar": "غوما"}),
    ("CD2002", {"en": "Beni"}),
]


def _check_labels(labels: dict[str, str], what: str) -> None:
    assert set(labels) >= set(LANGUAGES), what
    for lang in LANGUAGES:
        assert labels[lang].strip(), f"{what}: empty {lang}"
    assert ARABIC.search(labels["ar"]), f"{what}: Arabic label without Arabic letters"
    assert not re.search(r"[A-Za-z]{3,}", labels["ar"].replace("UN", "")), what


@pytest.mark.parametrize("ind", BANK, ids=lambda i: i.key)
def test_every_indicator_speaks_three_languages(ind: Indicator) -> None:
    _check_labels(ind.labels, ind.key)
    _check_labels(ind.hints, ind.key)
    assert ind.labels["fr"] != ind.labels["en"]
    for choice in ind.choices:
        _check_labels(choice.labels, f"{ind.key}/{choice.name}")
        assert choice.labels["fr"] != choice.labels["en"], f"{ind.key}/{choice.name}"


@pytest.mark.parametrize("ind", BANK, ids=lambda i: i.key)
def test_every_indicator_has_a_sound_coding(ind: Indicator) -> None:
    names = [c.name for c in ind.choices]
    assert len(names) == len(set(names))
    assert set(ind.positive) <= set(names)
    assert set(ind.excluded) <= set(names)
    assert ind.domain in DOMAINS
    assert ind.source
    assert re.fullmatch(r"[a-z][a-z0-9_]*", ind.code)
    assert not re.search(r"_v\d+$", ind.code)
    if ind.kind == "proportion":
        assert ind.positive
        assert not set(ind.positive) & set(ind.excluded)
    else:
        scored = [c for c in ind.choices if c.name not in ind.excluded]
        assert scored
        assert all(c.score is not None for c in scored)
    assert all(v < ind.version for v in ind.comparable_with)
    for earlier in ind.comparable_with:
        older = indicator_get(ind.code, earlier)
        assert older is not None
        # "minor change" rule: same answers and coding
        assert older.choices == ind.choices
        assert older.positive == ind.positive


def test_bank_size_keys_and_domains() -> None:
    keys = [(i.code, i.version) for i in BANK]
    latest = indicators_latest()

    assert len(latest) >= 18
    assert len(keys) == len(set(keys))
    assert len({i.code for i in latest}) == len(latest)
    assert {i.domain for i in latest} == set(DOMAINS)
    assert {"mean"} <= {i.kind for i in latest}
    assert {"agree5", "yes_no_dk"} <= {i.list_name for i in latest}
    for labels in DOMAINS.values():
        _check_labels(labels, "domain")


def test_shared_lists_are_identical_across_indicators() -> None:
    by_list: dict[str, Any] = {}
    for ind in BANK:
        assert by_list.setdefault(ind.list_name, ind.choices) == ind.choices, ind.key


def test_versions_are_kept_and_named() -> None:
    v1 = indicator_get("safety_feel_safe", 1)
    v2 = indicator_get("safety_feel_safe", 2)
    trust_v2 = indicator_get("trust_mission", 2)

    assert v1 is not None
    assert v2 is not None
    assert trust_v2 is not None
    assert indicator_get("safety_feel_safe") is v2
    assert v2.comparable_with == (1,)
    assert v1.labels != v2.labels
    assert trust_v2.comparable_with == ()  # new scale: a new series
    assert question_name(v1) == "safety_feel_safe"
    assert question_name(v2) == "safety_feel_safe_v2"
    assert indicator_for_name("safety_feel_safe_v2") is v2
    assert indicator_for_name("safety_feel_safe_v9") is None
    assert indicator_for_name("village") is None
    assert indicator_get("no_such_code") is None


def test_needs_and_groups_have_three_languages() -> None:
    assert set(NEED_LABELS) == set(NEED_CODES)
    assert len(NEED_CODES) == 12
    assert set(GROUP_LABELS) == set(GROUP_CODES)
    for labels in [*NEED_LABELS.values(), *GROUP_LABELS.values()]:
        _check_labels(labels, "need/group")


def _build(indicators: list[Indicator] | None = None, **kwargs: Any) -> bytes:
    return build_xlsform(
        title=kwargs.pop("title", "Perception round 1"),
        form_id=kwargs.pop("form_id", "perception"),
        version=kwargs.pop("version", "2026-11-24"),
        indicators=list(BANK) if indicators is None else indicators,
        places=kwargs.pop("places", PLACES),
        **kwargs,
    )


@pytest.fixture(scope="module")
def converted() -> Conversion:
    return convert(filename="perception.xlsx", content=_build())


def _node(definition: dict[str, Any], path: str) -> dict[str, Any]:
    node = definition
    for part in path.split("/"):
        node = next(c for c in node["children"] if c.get("name") == part)
    return node


def test_built_form_converts_without_warnings_in_three_languages(converted: Conversion) -> None:
    assert converted.warnings == []
    assert converted.languages == ["English (en)", "Français (fr)", "العربية (ar)"]
    assert converted.default_language == "English (en)"
    assert (converted.form_id, converted.version) == ("perception", "2026-11-24")
    assert converted.title == "Perception round 1"


def test_built_form_has_the_standard_paths(converted: Conversion) -> None:
    definition = converted.definition

    for path in STANDARD_PATHS.values():
        _node(definition, path)
    assert _node(definition, "place")["type"] == "select one"
    assert [c["name"] for c in _node(definition, "place")["children"]] == ["CD2001", "CD2002"]
    assert _node(definition, "place")["children"][1]["label"]["العربية (ar)"] == "Beni"
    assert _node(definition, "respondent/age")["bind"]["constraint"] == ". >= 18 and . <= 110"
    assert _node(definition, "needs/top_needs")["type"] == "rank"
    names = {c["name"] for c in definition["children"]}
    assert {"start", "end", "consent", "meta"} <= names
    assert "instanceID" in converted.xml


def test_everything_after_consent_is_relevant_only_on_yes(converted: Conversion) -> None:
    definition = converted.definition

    for name in ("place", "respondent", "perception", "needs"):
        assert _node(definition, name)["bind"]["relevant"] == "${consent} = 'yes'"
    assert "bind" not in _node(definition, "consent") or "relevant" not in _node(
        definition, "consent"
    ).get("bind", {})


def test_bank_questions_are_found_back(converted: Conversion) -> None:
    found = indicator_map_for(converted.definition)

    assert set(found) == {i.code for i in BANK}
    assert found["safety_feel_safe"] == {"path": "perception/safety_feel_safe_v2", "version": 2}
    assert found["trust_police"] == {"path": "perception/trust_police", "version": 1}
    question = _node(converted.definition, "perception/trust_police")
    assert question["label"]["Français (fr)"] == indicator_get("trust_police", 1).labels["fr"]  # type: ignore[union-attr]
    assert question["bind"]["required"] == "yes"


def test_map_ignores_other_questions_and_repeats() -> None:
    definition = {
        "children": [
            {"name": "trust_police", "type": "select one"},
            {"name": "village", "type": "text"},
            {
                "name": "household",
                "type": "repeat",
                "children": [{"name": "safety_walk_night", "type": "select one"}],
            },
            {
                "name": "g",
                "type": "group",
                "children": [{"name": "information_informed", "type": "select one"}],
            },
        ]
    }

    assert indicator_map_for(definition) == {
        "trust_police": {"path": "trust_police", "version": 1},
        "information_informed": {"path": "g/information_informed", "version": 1},
    }
    assert indicator_map_for({}) == {}


def test_one_language_form_and_shared_lists_written_once() -> None:
    chosen = [i for i in indicators_latest() if i.list_name == "agree5"][:3]
    content = _build(chosen, languages=("fr",))
    result = convert(filename="f.xlsx", content=content)
    book = load_workbook(io.BytesIO(content))

    assert result.warnings == []
    assert result.languages == ["Français (fr)"]
    rows = [r for r in book["choices"].iter_rows(values_only=True) if r[0] == "agree5"]
    assert len(rows) == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"form_id": "1bad id"}, "form id"),
        ({"form_id": "x'; drop"}, "form id"),
        ({"title": "  "}, "title"),
        ({"places": []}, "place"),
        ({"places": [("bad code", {"en": "x"}), ("q'uote", {})]}, "place"),
        ({"languages": ("sw",)}, "language"),
    ],
)
def test_refuses_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(BuildError, match=message):
        _build(**kwargs)


def test_refuses_no_indicator() -> None:
    with pytest.raises(BuildError, match="indicator"):
        _build([])


def test_hostile_place_names_stay_text() -> None:
    places = [("CD1", {"en": '=HYPERLINK("x")', "fr": "<b>x</b>", "ar": "${nope} a\nb"})]
    content = _build(places=places, indicators=[indicator_get("trust_police")])  # type: ignore[list-item]
    result = convert(filename="f.xlsx", content=content)

    place = _node(result.definition, "place")
    assert result.warnings == []
    assert place["children"][0]["label"]["English (en)"] == '=HYPERLINK("x")'
    assert place["children"][0]["label"]["Français (fr)"] == "<b>x</b>"
    assert "${" not in place["children"][0]["label"]["العربية (ar)"]
