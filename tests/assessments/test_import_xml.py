"""Instance XML built from answers, as ODK Collect writes it (imported rows)."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from palava.assessments.import_xml import instance_xml
from palava.assessments.openrosa.instance import parse_instance, repeat_paths_of
from tests.assessments.import_support import EXPECTED_A, EXPECTED_B, HOUSEHOLD_MD


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    result = convert(xlsform=HOUSEHOLD_MD, file_type=".md", form_name="data")
    found: dict[str, Any] = result._survey.to_json_dict()
    return found


@pytest.mark.parametrize("data", [EXPECTED_A, EXPECTED_B])
def test_the_instance_parses_back_to_the_same_answers(
    definition: dict[str, Any], data: dict[str, Any]
) -> None:
    xml = instance_xml(definition=definition, form_id="household", version="1", data=data)

    parsed = parse_instance(xml, repeat_paths=repeat_paths_of(definition))

    assert parsed.form_id == "household"
    assert parsed.version == "1"
    assert parsed.instance_id == data["meta/instanceID"]
    assert parsed.data == data
    assert parsed.started_at is not None


def test_the_instance_looks_like_collect_writes_it(definition: dict[str, Any]) -> None:
    xml = instance_xml(definition=definition, form_id="household", version="1", data=EXPECTED_A)

    root = fromstring(xml)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert root.tag == "data"
    assert root.attrib == {"id": "household", "version": "1"}
    # every question in form order, empty ones too; groups nested; each repeat item once
    assert [child.tag for child in root] == [
        "start",
        "end",
        "village",
        "age",
        "visit",
        "gps",
        "respondent",
        "member",
        "member",
        "meta",
    ]
    assert [child.tag for child in root.find("respondent")] == ["consent", "needs"]
    assert root.find("member").find("visit_log") is None
    assert [e.text for e in root.findall("member")[1].findall("visit_log/where")] == [
        "Clinic",
        "Market",
    ]


def test_the_same_answers_give_the_same_bytes(definition: dict[str, Any]) -> None:
    one = instance_xml(definition=definition, form_id="household", version="1", data=EXPECTED_A)
    two = instance_xml(
        definition=definition, form_id="household", version="1", data=dict(EXPECTED_A)
    )

    assert one == two


def test_answers_the_form_does_not_know_are_kept(definition: dict[str, Any]) -> None:
    data = {"village": "Kidal", "old_question": "kept", "meta/deprecatedID": "uuid:x"}
    data["meta/instanceID"] = "uuid:1"

    xml = instance_xml(definition=definition, form_id="household", version="", data=data)

    parsed = parse_instance(xml, repeat_paths=repeat_paths_of(definition))
    assert parsed.data == data
    assert parsed.version == ""


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=1, max_size=60))
def test_any_text_makes_well_formed_xml(text: str) -> None:
    definition = {"name": "data", "children": [{"type": "text", "name": "q"}]}
    data = {"q": text, "meta/instanceID": "uuid:1"}

    xml = instance_xml(definition=definition, form_id="f", version="1", data=data)

    parsed = parse_instance(xml)
    kept = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
    kept = kept.replace("\ufffe", "").replace("\uffff", "").replace("\r\n", "\n")
    kept = kept.replace("\r", "\n").strip()
    assert parsed.data.get("q", "") == kept
