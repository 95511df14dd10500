"""XLSForm conversion: results, problems with sheet/row/column, hostile files, languages."""

from __future__ import annotations

import io
import zipfile

import pytest

from palava.assessments.models import MAX_XLSFORM_BYTES
from palava.assessments.xlsform import Problem, XLSFormError, convert, problem_from_message

MULTILINGUAL = """
| survey |
|  | type | name | label::English (en) | label::Arabic (ar) | hint::English (en) | required |
|  | text | who | Your name? | ما اسمك؟ | First name | yes |
|  | integer | age | Age? | العمر؟ |  |  |
| settings |
|  | form_id | form_title | version |
|  | hh | Household | 2026-1 |
"""

UNKNOWN_TYPE = """
| survey |
|        | type    | name | label |
|        | text    | a    | A     |
|        | bogus   | b    | B     |
"""

DUPLICATE_NAME = """
| survey |
|        | type | name | label |
|        | text | a    | A     |
|        | text | a    | B     |
"""


def test_markdown_form_converts() -> None:
    result = convert(filename="hh.md", content=MULTILINGUAL.encode())

    assert (result.form_id, result.title, result.version) == ("hh", "Household", "2026-1")
    assert result.source_format == "md"
    assert 'id="hh"' in result.xml
    assert result.definition["children"][0]["name"] == "who"


def test_multilingual_labels_detected() -> None:
    result = convert(filename="hh.md", content=MULTILINGUAL.encode())

    assert result.languages == ["English (en)", "Arabic (ar)"]
    assert result.default_language == "English (en)"


def test_csv_form_converts() -> None:
    csv = "survey,,,\n,type,name,label\n,text,a,A\n"

    result = convert(filename="simple.csv", content=csv.encode())

    assert result.source_format == "csv"
    assert result.languages == ["default"] or result.languages == []


def test_unknown_type_located_on_its_row() -> None:
    with pytest.raises(XLSFormError) as caught:
        convert(filename="bad.md", content=UNKNOWN_TYPE.encode())

    problem = caught.value.problems[0]
    assert problem.message == "Unknown question type 'bogus'."
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "type")


def test_unknown_type_in_csv_located() -> None:
    csv = "survey,,,\n,type,name,label\n,text,a,A\n,bogus,b,B\n"

    with pytest.raises(XLSFormError) as caught:
        convert(filename="bad.csv", content=csv.encode())

    assert caught.value.problems[0].row == 3


def test_duplicate_name_gives_sheet_row_column() -> None:
    with pytest.raises(XLSFormError) as caught:
        convert(filename="dup.md", content=DUPLICATE_NAME.encode())

    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "name")
    assert problem.message.startswith("[row : 3]")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "[row : 7] On the 'choices' sheet, the 'name' value 'x' is invalid.",
            Problem("", "choices", 7, "name"),
        ),
        ("Duplicate column header: label", Problem("", None, None, None)),
    ],
)
def test_problem_parsing_keeps_message(message: str, expected: Problem) -> None:
    problem = problem_from_message(message)

    assert problem.message == message
    assert (problem.sheet, problem.row, problem.column) == (
        expected.sheet,
        expected.row,
        expected.column,
    )


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("form.xlsx", b"this is not a spreadsheet", "not recognized"),
        ("form.xls", b"PK\x03\x04 broken zip", "could not be read"),
        ("form.md", b"", "empty"),
        ("form.pdf", b"%PDF-1.4", ".xlsx, .xls, .csv or .md"),
        ("form", b"| survey |", ".xlsx, .xls, .csv or .md"),
    ],
)
def test_hostile_input_gives_clear_error(filename: str, content: bytes, words: str) -> None:
    with pytest.raises(XLSFormError) as caught:
        convert(filename=filename, content=content)

    assert words in caught.value.problems[0].message


def test_oversize_file_refused_before_parsing() -> None:
    with pytest.raises(XLSFormError) as caught:
        convert(filename="big.csv", content=b"x" * (MAX_XLSFORM_BYTES + 1))

    assert "too large" in caught.value.problems[0].message


def test_zip_bomb_like_xlsx_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < MAX_XLSFORM_BYTES

    with pytest.raises(XLSFormError) as caught:
        convert(filename="bomb.xlsx", content=content)

    assert caught.value.problems[0].message
