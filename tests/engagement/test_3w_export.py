"""Acceptance: the 3W/4W export opens and validates with libhxl, uses only core-dictionary
hashtags and attributes, has the right values, respects scope and neutralises formulas."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import hxl
import pytest

from palava.core.exporters import export_kind_get, export_write, reader_for_role
from palava.engagement.export_3w import COLUMNS, three_w_table
from palava.engagement.models import PartnerType, ProjectStatus, Sector
from palava.engagement.project_services import project_reach_set
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_partners import (
    Places,
    partner_make,
    places_make,
    project_make,
    scoped_member,
)
from tests.engagement.hxl_check import assert_core_tags, assert_valid_hxl, hxl_rows

pytestmark = pytest.mark.django_db


def _write(reader: Membership, tmp_path: Path, fmt: str = "csv") -> Path:
    kind = export_kind_get("3w")
    assert kind is not None
    path = tmp_path / f"3w.{fmt}"
    with path.open("wb") as handle:
        export_write(kind=kind, fmt=fmt, reader=reader, out=handle)
    return path


@pytest.fixture
def world(mission: Mission) -> dict[str, Any]:
    places = places_make(mission)
    ngo = partner_make(mission, "Amani Water", "AMW", PartnerType.NNGO, admin_unit=places.north)
    donor = partner_make(mission, "Peace Fund", "PF", PartnerType.DONOR)
    well = project_make(
        mission,
        places.north_village,
        "QIP-001",
        title="Kibati well",
        sector=Sector.WASH,
        partner=ngo,
        funder=donor,
        budget="25000",
        currency="USD",
        status=ProjectStatus.ONGOING,
        places=(places.south_town,),
    )
    project_reach_set(
        actor=None,
        project=well,
        cells={("f", "children"): (100, 120), ("m", "adults"): (80, 60), ("x", "elderly"): (5, 4)},
    )
    school = project_make(
        mission,
        places.south_town,
        "QIP-002",
        title="Bukavu school roof",
        sector=Sector.EDUCATION,
        partner=ngo,
        budget="1234.50",
        currency="EUR",
    )
    return {"places": places, "well": well, "school": school, "ngo": ngo}


def test_export_opens_and_validates_with_libhxl(
    mission: Mission, world: dict[str, Any], tmp_path: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.VIEWER), tmp_path)

    assert_valid_hxl(path)
    rows = list(hxl.data(str(path), hxl.InputOptions(allow_local=True)))
    assert len(rows) == 3  # well in its village and in Bukavu, the school in Bukavu


def test_every_hashtag_and_attribute_is_in_the_core_dictionary(
    mission: Mission, world: dict[str, Any], tmp_path: Path, shared_data: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.VIEWER), tmp_path)

    columns = assert_core_tags(path, shared_data, len(COLUMNS))
    # The examples are there.
    tags = {c.display_tag for c in columns}
    assert {"#org+impl+name", "#sector+code", "#adm1+code", "#adm2+code"} <= tags
    assert {"#activity+code", "#reached+f", "#reached+m"} <= tags


def test_row_values_and_reach_only_on_the_main_place_row(
    mission: Mission, world: dict[str, Any], tmp_path: Path
) -> None:
    rows = hxl_rows(_write(reader_for_role(mission=mission, role=Role.VIEWER), tmp_path))

    well_main, well_other, school = rows
    assert well_main["#activity+code"] == "QIP-001"
    assert well_main["#activity+name"] == "Kibati well"
    assert well_main["#org+impl+name"] == "Amani Water"
    assert well_main["#org+impl+code"] == "AMW"
    assert well_main["#org+impl+type"] == "nngo"
    assert well_main["#org+funder+name"] == "Peace Fund"
    assert well_main["#sector+code"] == "wash"
    assert (well_main["#adm1+code"], well_main["#adm1+name"]) == ("CD10", "Nord")
    assert (well_main["#adm2+code"], well_main["#adm3+code"]) == ("CD1001", "CD100101")
    assert well_main["#status+code"] == "ongoing"
    assert well_main["#date+start"] == "2026-03-01"
    assert (well_main["#value+budget"], well_main["#currency+code"]) == ("25000", "USD")
    assert well_main["#targeted"] == "185"
    assert well_main["#reached"] == "184"
    assert (well_main["#reached+f"], well_main["#reached+m"]) == ("120", "60")
    assert well_main["#reached+f+children"] == "120"
    assert well_main["#reached+elderly"] == "4"
    assert well_main["#targeted+m+adults"] == "80"
    # The second place: where, but no money and no people (sums are not doubled).
    assert (well_other["#activity+code"], well_other["#adm2+code"]) == ("QIP-001", "CD2001")
    assert well_other["#adm1+name"] == "Sud"
    assert well_other["#value+budget"] == well_other["#reached"] == ""
    assert well_other["#currency+code"] == ""
    assert school["#value+budget"] == "1234.5"
    assert school["#currency+code"] == "EUR"
    assert school["#reached"] == "0"
    assert sum(int(r["#reached"] or 0) for r in rows) == 184


def test_scoped_reader_gets_only_their_province(
    mission: Mission, world: dict[str, Any], tmp_path: Path
) -> None:
    places: Places = world["places"]
    south_reader = scoped_member(mission, Role.PARTNER, places.south)

    rows = hxl_rows(_write(south_reader, tmp_path))

    # The well's main place is in the north: invisible; only the school in the south.
    assert [(r["#activity+code"], r["#adm1+code"]) for r in rows] == [("QIP-002", "CD20")]


def test_scoped_reader_does_not_get_rows_of_other_places_outside_scope(
    mission: Mission, world: dict[str, Any], tmp_path: Path
) -> None:
    places: Places = world["places"]
    north_reader = scoped_member(mission, Role.VIEWER, places.north)

    rows = hxl_rows(_write(north_reader, tmp_path))

    assert [(r["#activity+code"], r["#adm1+code"]) for r in rows] == [("QIP-001", "CD10")]


def test_formula_like_title_is_neutralised(
    mission: Mission, world: dict[str, Any], tmp_path: Path
) -> None:
    places: Places = world["places"]
    project_make(mission, places.north, "QIP-003", title='=HYPERLINK("http://evil","x")')

    path = _write(reader_for_role(mission=mission, role=Role.VIEWER), tmp_path)

    titles = [r["#activity+name"] for r in hxl_rows(path)]
    assert '\'=HYPERLINK("http://evil","x")' in titles
    assert not any(t.startswith("=") for t in titles)


def test_xlsx_export_writes_the_formula_as_text(
    mission: Mission, world: dict[str, Any], tmp_path: Path
) -> None:
    import openpyxl

    places: Places = world["places"]
    project_make(mission, places.north, "QIP-003", title="=1+1")

    path = _write(reader_for_role(mission=mission, role=Role.VIEWER), tmp_path, "xlsx")

    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_organisation_above_the_readers_clearance_is_not_named(mission: Mission) -> None:
    places = places_make(mission)
    secret = partner_make(mission, "Hidden Org", "HO", sensitivity=3)
    project_make(mission, places.north, "QIP-009", partner=secret)
    reader = reader_for_role(mission=mission, role=Role.PARTNER)

    table = three_w_table(reader)
    rows = [list(r) for r in table.rows]

    assert len(rows) == 1
    assert "Hidden Org" not in rows[0]
    assert "HO" not in rows[0]


def test_csv_bytes_start_with_bom_and_header(
    mission: Mission, world: dict[str, Any], tmp_path: Path
) -> None:
    out = io.BytesIO()
    kind = export_kind_get("3w")
    assert kind is not None
    export_write(
        kind=kind, fmt="csv", reader=reader_for_role(mission=mission, role=Role.VIEWER), out=out
    )
    assert out.getvalue().startswith("\ufeffProject code".encode())
