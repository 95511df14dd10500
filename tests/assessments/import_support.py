"""Small KoboToolbox and ODK Central exports for the submissions import tests, written with
openpyxl, csv and zipfile the way those servers write them."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from palava.assessments.form_services import form_upload
from palava.assessments.models import Form

HOUSEHOLD_MD = """
| survey |
|        | type                 | name       | label      | required |
|        | start                | start      |            |          |
|        | end                  | end        |            |          |
|        | text                 | village    | Village    | yes      |
|        | integer              | age        | Age        |          |
|        | date                 | visit      | Visit date |          |
|        | geopoint             | gps        | Location   |          |
|        | begin group          | respondent | Respondent |          |
|        | select_one yn        | consent    | Consent    |          |
|        | select_multiple need | needs      | Needs      |          |
|        | end group            |            |            |          |
|        | begin repeat         | member     | Member     |          |
|        | text                 | name       | Name       |          |
|        | decimal              | weight     | Weight     |          |
|        | begin repeat         | visit_log  | Visits     |          |
|        | text                 | where      | Where      |          |
|        | end repeat           |            |            |          |
|        | end repeat           |            |            |          |
| choices |
|         | list_name | name  | label |
|         | yn        | yes   | Yes   |
|         | yn        | no    | No    |
|         | need      | water | Water |
|         | need      | food  | Food  |
|         | need      | health | Health |
| settings |
|          | form_id   | form_title | version |
|          | household | Household  | 1       |
"""

UUID_A = "0b6f8c1e-1111-4a6b-9d0e-aaaaaaaaaaaa"
UUID_B = "0b6f8c1e-2222-4a6b-9d0e-bbbbbbbbbbbb"

KOBO_MAIN = [
    "start",
    "end",
    "village",
    "age",
    "visit",
    "gps",
    "_gps_latitude",
    "_gps_longitude",
    "_gps_altitude",
    "_gps_precision",
    "respondent/consent",
    "respondent/needs",
    "respondent/needs/water",
    "respondent/needs/food",
    "respondent/needs/health",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]
KOBO_ROWS: list[list[Any]] = [
    [
        "2024-03-01T09:00:00.000+01:00",
        "2024-03-01T09:20:00.000+01:00",
        "Kidal",
        34,
        "2024-03-01",
        "18.44 1.40 300 5",
        18.44,
        1.40,
        300,
        5,
        "yes",
        "water food",
        1,
        1,
        0,
        f"uuid:{UUID_A}",
        101,
        UUID_A,
        "2024-03-01T08:30:00",
        "",
        "",
        "submitted_via_web",
        "",
        "vAbC",
        "",
        1,
    ],
    [
        "2024-03-02T10:00:00.000+01:00",
        "2024-03-02T10:30:00.000+01:00",
        "Gao",
        51,
        "2024-03-02",
        "",
        None,
        None,
        None,
        None,
        "no",
        "",
        0,
        0,
        0,
        f"uuid:{UUID_B}",
        102,
        UUID_B,
        "2024-03-02T09:35:00",
        "",
        "",
        "submitted_via_web",
        "",
        "vAbC",
        "",
        2,
    ],
]
KOBO_MEMBER = [
    "member/name",
    "member/weight",
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
]
KOBO_MEMBER_ROWS: list[list[Any]] = [
    ["Awa", 61.5, 1, "Household", 1, 101, UUID_A, "2024-03-01T08:30:00"],
    ["Moussa", 70, 2, "Household", 1, 101, UUID_A, "2024-03-01T08:30:00"],
    ["Fatou", 55.25, 3, "Household", 2, 102, UUID_B, "2024-03-02T09:35:00"],
]
KOBO_VISIT = ["member/visit_log/where", "_index", "_parent_table_name", "_parent_index"]
KOBO_VISIT_ROWS: list[list[Any]] = [["Clinic", 1, "member", 2], ["Market", 2, "member", 2]]

EXPECTED_A: dict[str, Any] = {
    "start": "2024-03-01T09:00:00.000+01:00",
    "end": "2024-03-01T09:20:00.000+01:00",
    "village": "Kidal",
    "age": "34",
    "visit": "2024-03-01",
    "gps": "18.44 1.40 300 5",
    "respondent/consent": "yes",
    "respondent/needs": "water food",
    "meta/instanceID": f"uuid:{UUID_A}",
    "member": [
        {"member/name": "Awa", "member/weight": "61.5"},
        {
            "member/name": "Moussa",
            "member/weight": "70",
            "member/visit_log": [
                {"member/visit_log/where": "Clinic"},
                {"member/visit_log/where": "Market"},
            ],
        },
    ],
}
EXPECTED_B: dict[str, Any] = {
    "start": "2024-03-02T10:00:00.000+01:00",
    "end": "2024-03-02T10:30:00.000+01:00",
    "village": "Gao",
    "age": "51",
    "visit": "2024-03-02",
    "respondent/consent": "no",
    "meta/instanceID": f"uuid:{UUID_B}",
    "member": [{"member/name": "Fatou", "member/weight": "55.25"}],
}


def household_form(mission: Any, actor: Any = None) -> Form:
    """The household form, uploaded through the real service (markdown XLSForm)."""
    return form_upload(
        actor=actor, mission=mission, filename="household.md", content=HOUSEHOLD_MD.encode()
    ).form


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> Path:
    book = openpyxl.Workbook()
    first = True
    for title, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def kobo_xlsx(
    path: Path,
    *,
    main: Sequence[Sequence[Any]] | None = None,
    member: Sequence[Sequence[Any]] | None = None,
    visit: Sequence[Sequence[Any]] | None = None,
) -> Path:
    """A KoboToolbox "XML values and headers" XLSX export of the household form."""
    return write_xlsx(
        path,
        [
            ("Household", [KOBO_MAIN, *(KOBO_ROWS if main is None else main)]),
            ("member", [KOBO_MEMBER, *(KOBO_MEMBER_ROWS if member is None else member)]),
            ("visit_log", [KOBO_VISIT, *(KOBO_VISIT_ROWS if visit is None else visit)]),
        ],
    )


def csv_text(rows: Sequence[Sequence[Any]], *, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()


CENTRAL_MAIN = [
    "SubmissionDate",
    "start",
    "end",
    "village",
    "age",
    "visit",
    "gps-Latitude",
    "gps-Longitude",
    "gps-Altitude",
    "gps-Accuracy",
    "respondent-consent",
    "respondent-needs",
    "respondent-needs/water",
    "respondent-needs/food",
    "respondent-needs/health",
    "SET-OF-member",
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]


def central_zip(path: Path, *, extra: dict[str, bytes] | None = None) -> Path:
    """An ODK Central "CSV (zip)" export of the household form (main file and two repeats)."""
    main = [
        CENTRAL_MAIN,
        [
            "2024-03-01T08:30:00.000Z",
            "2024-03-01T09:00:00.000+01:00",
            "2024-03-01T09:20:00.000+01:00",
            "Kidal",
            "34",
            "2024-03-01",
            "18.44",
            "1.40",
            "300",
            "5",
            "yes",
            "water food",
            "1",
            "1",
            "0",
            f"uuid:{UUID_A}/member",
            f"uuid:{UUID_A}",
            f"uuid:{UUID_A}",
            "5",
            "Tablet 1",
            "0",
            "0",
            "",
            "approved",
            "collect:abc",
            "0",
            "1",
        ],
        [
            "2024-03-02T09:35:00.000Z",
            "2024-03-02T10:00:00.000+01:00",
            "2024-03-02T10:30:00.000+01:00",
            "Gao",
            "51",
            "2024-03-02",
            "",
            "",
            "",
            "",
            "no",
            "",
            "0",
            "0",
            "0",
            f"uuid:{UUID_B}/member",
            f"uuid:{UUID_B}",
            f"uuid:{UUID_B}",
            "5",
            "Tablet 1",
            "0",
            "0",
            "",
            "",
            "collect:abc",
            "0",
            "1",
        ],
    ]
    member = [
        ["name", "weight", "SET-OF-visit_log", "PARENT_KEY", "KEY", "SET-OF-member"],
        ["Awa", "61.5", "", f"uuid:{UUID_A}", f"uuid:{UUID_A}/member[1]", ""],
        ["Moussa", "70", "", f"uuid:{UUID_A}", f"uuid:{UUID_A}/member[2]", ""],
        ["Fatou", "55.25", "", f"uuid:{UUID_B}", f"uuid:{UUID_B}/member[1]", ""],
    ]
    visit = [
        ["where", "PARENT_KEY", "KEY", "SET-OF-visit_log"],
        ["Clinic", f"uuid:{UUID_A}/member[2]", f"uuid:{UUID_A}/member[2]/visit_log[1]", ""],
        ["Market", f"uuid:{UUID_A}/member[2]", f"uuid:{UUID_A}/member[2]/visit_log[2]", ""],
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("household.csv", csv_text(main))
        archive.writestr("household-member.csv", csv_text(member))
        archive.writestr("household-visit_log.csv", csv_text(visit))
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return path
