"""Reading KoboToolbox and ODK Central exports and matching them to a form (no database)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from palava.assessments.imports import (
    Plan,
    field_tree,
    match_columns,
    plan_import,
    read_upload,
)
from palava.core.importers import ImportFileError
from tests.assessments.import_support import (
    EXPECTED_A,
    EXPECTED_B,
    HOUSEHOLD_MD,
    KOBO_MAIN,
    KOBO_ROWS,
    UUID_A,
    central_zip,
    csv_text,
    kobo_xlsx,
    write_xlsx,
)


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    result = convert(xlsform=HOUSEHOLD_MD, file_type=".md", form_name="data")
    found: dict[str, Any] = result._survey.to_json_dict()
    return found


def _plan(path: Path, definition: dict[str, Any]) -> Plan:
    return plan_import(upload=read_upload(path), definition=definition, form_id="household")


def test_a_kobo_xlsx_with_repeat_sheets_becomes_nested_answers(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    # given a KoboToolbox XLSX export with a sheet per repeat (one nested in the other)
    path = kobo_xlsx(tmp_path / "kobo.xlsx")

    # when it is planned against the form
    plan = _plan(path, definition)

    # then each main row is one submission with its repeat rows in order, nothing unmatched
    assert plan.format == "xlsx"
    assert [p.data for p in plan.submissions] == [EXPECTED_A, EXPECTED_B]
    assert plan.unmatched == []
    assert not plan.errors


def test_an_odk_central_zip_is_linked_by_parent_key(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    # given an ODK Central CSV zip: headers joined by "-", repeats relative, PARENT_KEY links
    path = central_zip(tmp_path / "central.zip")

    # when it is planned
    plan = _plan(path, definition)

    # then the same answers come out as from the KoboToolbox file
    assert plan.format == "zip"
    assert [p.data for p in plan.submissions] == [EXPECTED_A, EXPECTED_B]
    assert not plan.errors
    assert plan.unmatched == []


@pytest.mark.parametrize("delimiter", [";", ","])
def test_a_kobo_csv_with_bare_names_and_a_bom_is_matched_by_name(
    tmp_path: Path, definition: dict[str, Any], delimiter: str
) -> None:
    # given a CSV with field names only (no groups), a byte-order mark, Kobo's separator
    rows = [
        ["village", "age", "consent", "needs", "comment", "_uuid"],
        ["Kidal", "34", "yes", "water health", "hello", UUID_A],
    ]
    path = tmp_path / "kobo.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(rows, delimiter=delimiter).encode())

    # when it is planned
    plan = _plan(path, definition)

    # then names map to their paths, _uuid gives the instance ID, the unknown column is listed
    assert plan.submissions[0].data == {
        "village": "Kidal",
        "age": "34",
        "respondent/consent": "yes",
        "respondent/needs": "water health",
        "meta/instanceID": f"uuid:{UUID_A}",
    }
    assert plan.unmatched == ["comment"]


def test_split_select_multiple_columns_are_joined_when_the_joined_column_is_missing(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    # given only the 0/1 columns of a select-multiple, and a choice given by its label
    rows = [
        ["village", "respondent/consent", "respondent/needs/water", "respondent/needs/health"],
        ["Kidal", "Yes", "1", "1"],
        ["Gao", "No", "0", "0"],
    ]
    path = tmp_path / "split.csv"
    path.write_text(csv_text(rows))

    # when it is planned
    plan = _plan(path, definition)

    # then the answer is rebuilt in choice order, and labels become choice names
    first, second = (p.data for p in plan.submissions)
    assert first["respondent/needs"] == "water health"
    assert first["respondent/consent"] == "yes"
    assert "respondent/needs" not in second
    assert second["respondent/consent"] == "no"


def test_wrong_values_skip_their_row_with_sheet_row_and_column(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    # given rows with a word for a number, an unknown choice, a bad date, and a good row
    rows = [
        ["village", "age", "visit", "respondent/consent", "_uuid"],
        ["Kidal", "thirty", "2024-03-01", "yes", "a1"],
        ["Gao", "40", "2024-02-30", "maybe", "a2"],
        ["Menaka", "51", "2024-03-02", "no", "a3"],
    ]
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(rows))

    # when it is planned
    plan = _plan(path, definition)

    # then the bad rows are reported precisely and only the good row is kept
    assert [p.data["village"] for p in plan.submissions] == ["Menaka"]
    assert plan.skipped_lines == [2, 3]
    found = {(e["line"], e["column"]) for e in plan.errors.items}
    assert found == {(2, "age"), (3, "visit"), (3, "respondent/consent")}
    assert all(e["sheet"] == "bad" for e in plan.errors.items)


def test_required_questions_left_empty_are_warnings_per_row(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    rows = [["village", "age"], ["", "3"], ["Gao", "4"]]
    path = tmp_path / "required.csv"
    path.write_text(csv_text(rows))

    plan = _plan(path, definition)

    assert len(plan.submissions) == 2
    assert [(w["line"], w["column"]) for w in plan.warnings.items] == [(2, "village")]


def test_without_an_instance_id_a_stable_one_is_generated(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    rows = [["village", "age"], ["Kidal", "3"], ["Gao", "4"]]
    path = tmp_path / "noid.csv"
    path.write_text(csv_text(rows))

    first = _plan(path, definition)
    again = _plan(path, definition)

    ids = [p.instance_id for p in first.submissions]
    assert all(i.startswith("uuid:") for i in ids)
    assert len(set(ids)) == 2
    assert ids == [p.instance_id for p in again.submissions]


def test_field_tree_knows_paths_repeats_and_choices(definition: dict[str, Any]) -> None:
    tree = field_tree(definition)

    assert tree.repeats == {"member": "", "member/visit_log": "member"}
    assert tree.fields["member/visit_log/where"].repeat == "member/visit_log"
    assert tree.fields["respondent/needs"].choices == ("water", "food", "health")
    assert tree.fields["village"].required


def test_columns_match_by_path_separator_and_scope(definition: dict[str, Any]) -> None:
    tree = field_tree(definition)

    main = match_columns(tree, "", ["respondent/consent", "respondent-consent", "AGE", "x"])
    member = match_columns(tree, "member", ["member/name", "name", "weight", "_index"])

    assert [c.field.path if c.field else None for c in main] == [
        "respondent/consent",
        "respondent/consent",
        "age",
        None,
    ]
    assert [c.field.path if c.field else c.role for c in member] == [
        "member/name",
        "member/name",
        "member/weight",
        "_index",
    ]


# --- Hostile files -----------------------------------------------------------------------------


def test_formula_cells_are_kept_as_text_never_evaluated(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    # given an XLSX whose village cell is a formula (DDE attack)
    row = list(KOBO_ROWS[0])
    row[KOBO_MAIN.index("village")] = "=cmd|' /C calc'!A0"
    path = write_xlsx(tmp_path / "formula.xlsx", [("Household", [KOBO_MAIN, row])])

    plan = _plan(path, definition)

    assert plan.submissions[0].data["village"] == "=cmd|' /C calc'!A0"


def test_a_formula_in_a_number_question_is_a_row_error(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    row = list(KOBO_ROWS[0])
    row[KOBO_MAIN.index("age")] = "=1+1"
    path = write_xlsx(tmp_path / "formula.xlsx", [("Household", [KOBO_MAIN, row])])

    plan = _plan(path, definition)

    assert plan.submissions == []
    assert plan.errors.items[0]["column"] == "age"


def test_an_apostrophe_escaped_by_an_export_is_removed(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    path = tmp_path / "escaped.csv"
    path.write_text(csv_text([["village"], ["'=SUM(A1)"], ["'-5 km"]]))

    plan = _plan(path, definition)

    assert [p.data["village"] for p in plan.submissions] == ["=SUM(A1)", "-5 km"]


def test_a_huge_cell_is_a_row_error(tmp_path: Path, definition: dict[str, Any]) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(csv_text([["village", "age"], ["x" * 20_000, "3"], ["Gao", "4"]]))

    plan = _plan(path, definition)

    assert [p.data["village"] for p in plan.submissions] == ["Gao"]
    assert plan.errors.items[0]["line"] == 2
    assert "10000" in plan.errors.items[0]["reason"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("garbage.xlsx", b"\x00\x01\x02binary\xff\xfe\x00" * 100, "NUL"),
        ("fake.xlsx", b"PK\x03\x04this is not a zip at all" * 10, "damaged"),
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n\n", "empty"),
    ],
)
def test_files_that_are_not_exports_are_refused_clearly(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ImportFileError, match=message):
        read_upload(path)


def test_a_damaged_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not-xml")
        archive.writestr("xl/workbook.xml", "<<<")

    with pytest.raises(ImportFileError, match="workbook cannot be read"):
        read_upload(path)


def test_a_zip_with_paths_outside_itself_is_refused(tmp_path: Path) -> None:
    path = central_zip(tmp_path / "evil.zip", extra={"../../etc/cron.d/x.csv": b"a,b\n1,2\n"})

    with pytest.raises(ImportFileError, match="outside"):
        read_upload(path)


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    # given a zip whose one member unpacks to more than 100 MB
    path = tmp_path / "bomb.zip"
    chunk = b"0" * (1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("household.csv", "w") as member,
    ):
        for _ in range(101):
            member.write(chunk)
    assert path.stat().st_size < 1024 * 1024

    with pytest.raises(ImportFileError, match="unpacks"):
        read_upload(path)


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(51):
            archive.writestr(f"household-{n}.csv", "a\n1\n")

    with pytest.raises(ImportFileError, match="50"):
        read_upload(path)


def test_too_many_rows_or_columns_are_refused(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("village\n" + "x\n" * 50_001)
    columns = tmp_path / "columns.csv"
    columns.write_text(",".join(f"c{n}" for n in range(2001)) + "\n")

    with pytest.raises(ImportFileError, match="50000 rows"):
        read_upload(rows)
    with pytest.raises(ImportFileError, match="2000 columns"):
        read_upload(columns)


def test_a_file_over_25_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)

    with pytest.raises(ImportFileError, match="larger than the limit"):
        read_upload(path)


def test_mismatched_parent_indexes_skip_the_submission(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    # given a repeat row pointing at parent 2 while naming submission A, and one at parent 9
    member = [
        ["Awa", 61.5, 1, "Household", 2, 101, UUID_A, ""],
        ["Ghost", 70, 2, "Household", 9, 101, UUID_A, ""],
    ]
    path = kobo_xlsx(tmp_path / "mismatch.xlsx", member=member, visit=[])

    plan = _plan(path, definition)

    # then submission B (row 3) is skipped with the reason, A is kept, the orphan is reported
    assert [p.data["village"] for p in plan.submissions] == ["Kidal"]
    assert plan.skipped_lines == [3]
    reasons = [(e["sheet"], e["line"]) for e in plan.errors.items]
    assert ("Household", 3) in reasons
    assert ("member", 3) in reasons


def test_duplicate_headers_keep_the_first_column_with_a_warning(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text(csv_text([["village", "age", "village"], ["Kidal", "3", "Gao"]]))

    plan = _plan(path, definition)

    assert plan.submissions[0].data["village"] == "Kidal"
    assert any("village" in w["reason"] for w in plan.warnings.items)


def test_a_file_matching_no_question_is_refused(tmp_path: Path, definition: dict[str, Any]) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(csv_text([["Village name", "How old?"], ["Kidal", "3"]]))

    with pytest.raises(ImportFileError, match="No column"):
        _plan(path, definition)


def test_a_sheet_matching_no_repeat_is_a_warning(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    path = write_xlsx(
        tmp_path / "extra.xlsx",
        [("Household", [["village"], ["Kidal"]]), ("notes", [["remark"], ["hello"]])],
    )

    plan = _plan(path, definition)

    assert len(plan.submissions) == 1
    assert plan.warnings.items[0]["sheet"] == "notes"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("integer", "12", "12"),
        ("integer", "12.0", "12"),
        ("integer", "-3", "-3"),
        ("integer", "1.5", None),
        ("decimal", "3.50", "3.50"),
        ("decimal", "1e400", None),
        ("decimal", "3,5", None),
        ("date", "2024-03-01T00:00:00", "2024-03-01"),
        ("date", "Apr 26, 2018", "2018-04-26"),
        ("date", "31/12/2024", "2024-12-31"),
        ("date", "yesterday", None),
        ("dateTime", "2024-03-01T09:00:00.000+01:00", "2024-03-01T09:00:00.000+01:00"),
        ("dateTime", "2024-03-01", "2024-03-01"),
        ("time", "09:30:00.000+01:00", "09:30:00.000+01:00"),
        ("time", "9h30", None),
        ("geopoint", "12.5 -3.25", "12.5 -3.25"),
        ("geopoint", "north", None),
        ("text", "=HYPERLINK(1)", "=HYPERLINK(1)"),
    ],
)
def test_values_are_checked_by_question_type(kind: str, text: str, expected: str | None) -> None:
    from palava.assessments.imports import BadValue, Field, clean_value

    f = Field(path="q", name="q", kind=kind, repeat="", required=False, choices=None)

    if expected is None:
        with pytest.raises(BadValue):
            clean_value(f, text)
    else:
        assert clean_value(f, text) == expected


def test_excel_dates_and_numbers_are_read_as_answers(
    tmp_path: Path, definition: dict[str, Any]
) -> None:
    import datetime as dt

    # given Excel date, date-time and float cells (Kobo without "store dates as text")
    header = ["start", "village", "visit", "age"]
    start = dt.datetime(2024, 3, 1, 9, 0)  # noqa: DTZ001 - Excel cells have no time zone
    visit = dt.datetime(2024, 3, 1)  # noqa: DTZ001
    row = [start, "Kidal", visit, 34.0]
    path = write_xlsx(tmp_path / "typed.xlsx", [("Household", [header, row])])

    plan = _plan(path, definition)

    data = plan.submissions[0].data
    assert (data["start"], data["visit"], data["age"]) == (
        "2024-03-01T09:00:00",
        "2024-03-01",
        "34",
    )
