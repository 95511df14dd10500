"""Raw exports: KoboToolbox-shaped XLSX (main sheet + one sheet per repeat with parent indexes),
a zip of CSVs with the same columns, formula neutralisation, scope, current submissions only,
the audit row with the count, and the download pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from palava.assessments import form_services
from palava.assessments.models import Form, Submission
from palava.assessments.raw_export import (
    MAIN_META,
    REPEAT_META,
    Layout,
    cell,
    raw_export,
    raw_export_write,
    sheet_name,
)
from palava.assessments.round_services import round_create
from palava.audit.models import AuditEvent
from palava.core.exporters import unescape_text
from palava.missions.models import Membership, Mission, Role
from tests.assessments.test_submission_pages import (
    household_form,
    instance,
    member_xml,
    provinces,
    receive,
    scoped_member,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

MakeClient = Callable[[object], Client]
Sheets = dict[str, list[list[Any]]]

MAIN_FIELDS = [
    "start",
    "end",
    "village",
    "place",
    "consent",
    "hh/needs",
    "meta/instanceID",
]


@pytest.fixture
def form(mission: Mission) -> Form:
    return household_form(mission)


@pytest.fixture
def analyst(mission: Mission) -> Membership:
    member: Membership = MembershipFactory(mission=mission, role=Role.ANALYST)
    return member


def xlsx_sheets(content: bytes) -> Sheets:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {
        ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets
    }


def export(membership: Membership, form: Form, fmt: str = "xlsx", **kwargs: Any) -> bytes:
    out = io.BytesIO()
    raw_export_write(membership=membership, form=form, fmt=fmt, out=out, **kwargs)
    return out.getvalue()


def records(rows: list[list[Any]]) -> list[dict[str, Any]]:
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def two_households(mission: Mission) -> tuple[Submission, Submission]:
    first = receive(
        mission,
        instance(
            village="Goma",
            members=(
                member_xml("Amani", "34", ("2026-11-01", "2026-11-02")),
                member_xml('=HYPERLINK("http://evil")', "-5"),
            ),
            animals=("goat",),
        )[0],
    )
    second = receive(
        mission,
        instance(
            village="+Sake", members=(member_xml("Neema", "8", ("2026-11-03",)),), needs="food"
        )[0],
    )
    return first, second


def test_xlsx_has_kobo_shape_with_repeat_sheets_and_parent_indexes(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    first, second = two_households(mission)

    sheets = xlsx_sheets(export(analyst, form))

    assert list(sheets) == ["hh_survey", "member", "visit", "animal"]
    main = sheets["hh_survey"]
    assert main[0] == [*MAIN_FIELDS, *MAIN_META]
    rows = records(main)
    assert [r["village"] for r in rows] == ["Goma", "'+Sake"]
    assert [r["_index"] for r in rows] == [1, 2]
    assert rows[0]["_id"] == str(first.public_id)
    assert rows[0]["_uuid"] == first.instance_id.removeprefix("uuid:")
    assert rows[0]["_status"] == "current"
    assert rows[0]["_source"] == "openrosa"
    assert rows[0]["hh/needs"] == "water food"
    assert rows[0]["meta/instanceID"] == first.instance_id
    sent = first.received_at.replace(microsecond=0)
    assert dt.datetime.fromisoformat(rows[0]["_submission_time"]) == sent

    members = sheets["member"]
    assert members[0] == ["hh/member/name", "hh/member/age", *REPEAT_META]
    member_rows = records(members)
    assert [(r["_index"], r["_parent_index"]) for r in member_rows] == [(1, 1), (2, 1), (3, 2)]
    assert {r["_parent_table_name"] for r in member_rows} == {"hh_survey"}
    assert [r["_submission__uuid"] for r in member_rows] == [
        first.instance_id.removeprefix("uuid:"),
        first.instance_id.removeprefix("uuid:"),
        second.instance_id.removeprefix("uuid:"),
    ]

    visits = records(sheets["visit"])
    assert sheets["visit"][0] == ["hh/member/visit/when", *REPEAT_META]
    assert [(v["hh/member/visit/when"], v["_index"], v["_parent_index"]) for v in visits] == [
        ("2026-11-01", 1, 1),
        ("2026-11-02", 2, 1),
        ("2026-11-03", 3, 3),  # Neema is the third row of the member sheet
    ]
    assert {v["_parent_table_name"] for v in visits} == {"member"}

    animals = records(sheets["animal"])
    assert [(a["animal/kind"], a["_parent_index"]) for a in animals] == [("goat", 1)]


def test_formulas_are_neutralised_and_numbers_stay_numbers(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    two_households(mission)

    members = records(xlsx_sheets(export(analyst, form))["member"])

    hostile = members[1]["hh/member/name"]
    assert hostile == '\'=HYPERLINK("http://evil")'
    assert unescape_text(hostile) == '=HYPERLINK("http://evil")'
    assert members[1]["hh/member/age"] == -5
    assert members[0]["hh/member/age"] == 34


@pytest.mark.parametrize(
    ("value", "numeric", "expected"),
    [
        ("=1+1", False, "'=1+1"),
        ("+33 6", False, "'+33 6"),
        ("-5", False, "'-5"),
        ("-5", True, -5),
        ("2.50", True, 2.5),
        ("-2+3+cmd|' /C calc'!A0", True, "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", False, "'@SUM(A1)"),
        ("\tx", False, "'\tx"),
        ("plain", False, "plain"),
        ("", False, None),
        (None, False, None),
    ],
)
def test_cells(value: Any, numeric: bool, expected: Any) -> None:
    assert cell(value, numeric=numeric) == expected


def test_csv_zip_has_one_file_per_table_with_the_same_columns(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    two_households(mission)

    archive = zipfile.ZipFile(io.BytesIO(export(analyst, form, "zip")))

    assert sorted(archive.namelist()) == [
        "hh_survey-animal.csv",
        "hh_survey-member.csv",
        "hh_survey-visit.csv",
        "hh_survey.csv",
    ]
    main = list(csv.reader(io.StringIO(archive.read("hh_survey.csv").decode("utf-8-sig"))))
    assert main[0] == [*MAIN_FIELDS, *MAIN_META]
    assert main[2][MAIN_FIELDS.index("village")] == "'+Sake"
    visits = list(csv.reader(io.StringIO(archive.read("hh_survey-visit.csv").decode("utf-8-sig"))))
    assert visits[0] == ["hh/member/visit/when", *REPEAT_META]
    assert visits[3][:4] == ["2026-11-03", "3", "3", "member"]
    members = archive.read("hh_survey-member.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in members
    assert ",-5," in members


def test_superseded_submission_is_not_exported(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    xml, old_id = instance(village="before")
    receive(mission, xml)
    edited = receive(mission, instance(village="after", deprecated_id=old_id)[0])

    rows = records(xlsx_sheets(export(analyst, form))["hh_survey"])

    assert [r["village"] for r in rows] == ["after"]
    assert rows[0]["_id"] == str(edited.public_id)


def test_scoped_member_exports_only_their_province(mission: Mission, form: Form) -> None:
    north, _south = provinces(mission)
    receive(mission, instance(place="CD61", village="Goma")[0])
    receive(mission, instance(place="CD62", village="Bukavu")[0])
    receive(mission, instance(village="nowhere")[0])
    scoped = scoped_member(mission, north)

    rows = records(xlsx_sheets(export(scoped, form))["hh_survey"])

    assert [(r["village"], r["_place"]) for r in rows] == [("Goma", "CD61")]


def test_round_filter(mission: Mission, form: Form, analyst: Membership) -> None:
    submission = receive(mission, instance(village="in round")[0])
    interviewed = dt.date(2026, 11, 20)  # the instance's start
    later = round_create(
        actor=None,
        mission=mission,
        form=form,
        series="hh",
        number=2,
        name="Next year",
        starts_on=dt.date(2030, 1, 1),
        ends_on=dt.date(2030, 2, 1),
    )
    current = round_create(
        actor=None,
        mission=mission,
        form=form,
        series="hh",
        number=1,
        name="Now",
        starts_on=interviewed - dt.timedelta(days=3),
        ends_on=interviewed + dt.timedelta(days=3),
    )
    submission.refresh_from_db()
    assert submission.round_id == current.pk

    in_current = records(xlsx_sheets(export(analyst, form, round=current))["hh_survey"])
    in_later = records(xlsx_sheets(export(analyst, form, round=later))["hh_survey"])

    assert [r["village"] for r in in_current] == ["in round"]
    assert in_later == []


def test_answers_the_form_does_not_define_are_appended(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    receive(mission, instance(extra="<legacy_q>old answer</legacy_q>")[0])

    header = xlsx_sheets(export(analyst, form))["hh_survey"][0]

    assert header == [*MAIN_FIELDS, "legacy_q", *MAIN_META]


def test_empty_export_still_has_every_sheet_and_header(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    sheets = xlsx_sheets(export(analyst, form))

    assert list(sheets) == ["hh_survey", "member", "visit", "animal"]
    assert sheets["hh_survey"] == [[*MAIN_FIELDS, *MAIN_META]]


def test_export_is_audited_with_the_count(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    two_households(mission)
    out = io.BytesIO()

    count = raw_export(actor=analyst.user, membership=analyst, form=form, fmt="xlsx", out=out)

    assert count == 2
    event = AuditEvent.objects.get(action="submission.export")
    assert event.actor == analyst.user
    assert json.loads(event.changes["result"])["rows"] == 2
    assert json.loads(event.changes["params"])["form"] == str(form.public_id)


def test_roles_without_export_permission_are_refused(mission: Mission, form: Form) -> None:
    partner = MembershipFactory(mission=mission, role=Role.PARTNER)

    with pytest.raises(PermissionDenied):
        raw_export(actor=partner.user, membership=partner, form=form, fmt="xlsx", out=io.BytesIO())
    assert not AuditEvent.objects.filter(action="submission.export").exists()


def test_export_reads_in_chunks_not_per_submission(
    mission: Mission, form: Form, analyst: Membership
) -> None:
    for n in range(40):
        receive(mission, instance(village=f"v{n}", members=(member_xml("A", "1"),))[0])

    with CaptureQueriesContext(connection) as queries:
        content = export(analyst, form)

    assert len(records(xlsx_sheets(content)["member"])) == 40
    assert len(queries) < 10


@pytest.mark.parametrize(
    ("text", "taken", "expected"),
    [
        ("hh_survey", set(), "hh_survey"),
        ("a/b:c*d?[e]\\f", set(), "a_b_c_d__e__f"),
        ("x" * 40, set(), "x" * 31),
        ("member", {"member"}, "member_2"),
        ("Member", {"member", "member_2"}, "Member_3"),
        ("y" * 40, {"y" * 31}, "y" * 29 + "_2"),
        ("''", set(), "data"),
    ],
)
def test_sheet_names(text: str, taken: set[str], expected: str) -> None:
    assert sheet_name(text, set(taken)) == expected


def test_repeats_with_the_same_name_get_distinct_sheets() -> None:
    definition = {
        "children": [
            {"type": "repeat", "name": "people", "children": [{"type": "text", "name": "a"}]},
            {
                "type": "group",
                "name": "g",
                "children": [
                    {
                        "type": "repeat",
                        "name": "people",
                        "children": [{"type": "text", "name": "b"}],
                    }
                ],
            },
        ]
    }

    layout = Layout("f", definition)

    assert [t.name for t in layout.tables.values()] == ["f", "people", "people_2"]
    assert layout.tables["g/people"].columns == ["g/people/b"]


def test_hostile_data_shapes_do_not_break_the_layout() -> None:
    layout = Layout("f", {"children": "not a list"})

    layout.scan({"a": "1", "r": [{"r/x": "1"}, "not a dict", {"r/y": {"nested": "dict"}}]})
    layout.scan("not a dict")

    assert layout.main.extras == {"a": None}
    assert list(layout.tables["r"].extras) == ["r/x", "r/y"]


def test_kobo_form_with_nested_repeats_exports(
    mission: Mission, analyst: Membership, shared_data: Path
) -> None:
    source = shared_data / "xlsforms" / "kobo-kpi-fixtures" / "nested_repeats.xls"
    version = form_services.form_upload(
        actor=None, mission=mission, filename=source.name, content=source.read_bytes()
    )

    layout = Layout(version.form.form_id, version.definition)
    sheets = xlsx_sheets(export(analyst, version.form))

    assert len(layout.tables) >= 3
    assert list(sheets) == [t.name for t in layout.tables.values()]
    nested = [t for t in layout.tables.values() if t.parent is not None and t.parent.parent]
    assert nested
    assert sheets[nested[0].name][0][-4:] == list(REPEAT_META)


# --- Pages -----------------------------------------------------------------------------------


def test_download_pages(
    mission: Mission, form: Form, analyst: Membership, client_for: MakeClient
) -> None:
    two_households(mission)
    c = client_for(analyst.user)
    base = f"/m/{mission.slug}/submissions/{form.public_id}"

    xlsx = c.get(f"{base}/export.xlsx")
    zipped = c.get(f"{base}/export.zip")

    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment;")
    assert "hh_survey.xlsx" in xlsx["Content-Disposition"]
    assert xlsx["X-Content-Type-Options"] == "nosniff"
    assert len(records(xlsx_sheets(b"".join(xlsx.streaming_content))["hh_survey"])) == 2  # type: ignore[attr-defined]
    assert zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content))).namelist()  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="submission.export").count() == 2


def test_download_with_unknown_round_is_not_found(
    mission: Mission, form: Form, analyst: Membership, client_for: MakeClient
) -> None:
    c = client_for(analyst.user)
    base = f"/m/{mission.slug}/submissions/{form.public_id}"

    assert c.get(f"{base}/export.xlsx", {"round": "nonsense"}).status_code == 404
    assert c.get(f"{base}/export.xlsx", {"round": str(form.public_id)}).status_code == 404
    assert not AuditEvent.objects.filter(action="submission.export").exists()
