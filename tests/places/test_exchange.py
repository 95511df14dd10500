"""Exports of places and sites: valid HXL (libhxl), scope-filtered, GeoJSON, jobs and command."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hxl
import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from palava.core.exporters import (
    export_kind_get,
    export_run,
    export_start,
    export_write,
    reader_for_role,
)
from palava.core.models import JobStatus
from palava.missions.models import Membership, Mission, Role
from palava.missions.services import membership_set
from palava.places.demo import load_places
from palava.places.models import AdminUnit, Site
from palava.places.services import membership_scope_set
from tests.factories import MembershipFactory, MissionFactory

PLACES_TAGS = [
    "#country+code",
    "#geo+admin_level",
    "#adm+code",
    "#adm+name",
    "#adm+code+parent",
    "#date+start",
    "#adm+name+alt",
    "#geo+lat",
    "#geo+lon",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm2+name",
    "#adm3+code",
    "#adm3+name",
]
SITES_TAGS = [
    "#loc+code",
    "#loc+name",
    "#loc+type",
    "#geo+lat",
    "#geo+lon",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm2+name",
    "#adm3+code",
    "#adm3+name",
    "#loc+name+alt",
]


@pytest.fixture
def demo_places(mission: Mission) -> Mission:
    load_places(mission, {}, io.StringIO())
    return mission


@pytest.fixture
def export_to(tmp_path: Path) -> Callable[..., Path]:
    """``export_to(kind, fmt, reader)`` -> the path of the written file."""

    def run(kind: str, fmt: str, reader: Membership) -> Path:
        found = export_kind_get(kind)
        assert found is not None
        path = tmp_path / f"{kind}.{fmt}"
        with path.open("wb") as out:
            export_write(kind=found, fmt=fmt, reader=reader, out=out)
        return path

    return run


def _hxl(path: Path) -> tuple[list[str], list[Any]]:
    source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    tags = [column.display_tag for column in source.columns]
    return tags, list(source)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_places_export_is_hxl_with_one_row_per_current_unit_below_the_country(
    demo_places: Mission, export_to: Callable[..., Path], fmt: str
) -> None:
    # when the admin units are exported for a whole-mission member
    path = export_to("places", fmt, MembershipFactory(mission=demo_places, role=Role.ANALYST))
    # then libhxl reads the hashtag row and every unit of admin 1..3
    tags, rows = _hxl(path)
    assert tags == PLACES_TAGS
    assert len(rows) == AdminUnit.objects.filter(mission=demo_places, level__gte=1).count() == 108
    by_code = {row.get("#adm+code"): row for row in rows}
    chiefdom = by_code["CDX10101"]
    assert chiefdom.get("#adm+code+parent") == "CDX101"
    assert chiefdom.get("#adm1+code") == "CDX1"
    assert chiefdom.get("#adm3+code") == "CDX10101"
    assert str(chiefdom.get("#geo+admin_level")) == "3"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sites_export_is_hxl_with_the_admin_chain_of_each_site(
    demo_places: Mission, export_to: Callable[..., Path], fmt: str
) -> None:
    # when the sites are exported
    path = export_to("sites", fmt, MembershipFactory(mission=demo_places, role=Role.VIEWER))
    # then every site is there with coordinates and its admin 1..3 codes
    tags, rows = _hxl(path)
    assert tags == SITES_TAGS
    assert len(rows) == Site.objects.filter(mission=demo_places).count() > 150
    site = Site.objects.filter(mission=demo_places).select_related("admin_unit").first()
    assert site is not None
    row = next(r for r in rows if r.get("#loc+code") == site.code)
    assert float(row.get("#geo+lat")) == pytest.approx(site.latitude)
    assert row.get("#adm3+code") == site.admin_unit.pcode
    assert row.get("#adm1+code") == site.admin_unit.pcode[:4]


def test_places_and_sites_exports_pass_the_default_hxl_schema(
    demo_places: Mission, export_to: Callable[..., Path], shared_data: Path
) -> None:
    # given libhxl's default validation schema (dates are dates, numbers numbers, no stray
    # whitespace ...)
    schema_path = shared_data / "hxl" / "hxl-default-schema.json"
    reader = MembershipFactory(mission=demo_places, role=Role.ANALYST)
    for kind in ("places", "sites"):
        problems: list[Any] = []
        schema = hxl.schema(
            hxl.data(str(schema_path), hxl.InputOptions(allow_local=True)),
            callback=problems.append,
        )
        # when an export is validated
        source = hxl.data(str(export_to(kind, "csv", reader)), hxl.InputOptions(allow_local=True))
        schema.validate(source)
        # then no rule of severity "error" fails
        errors = [p for p in problems if p.rule.severity == "error"]
        assert errors == [], (kind, [(p.message, p.value) for p in errors[:5]])


def test_a_scoped_member_exports_only_their_province(
    demo_places: Mission, export_to: Callable[..., Path]
) -> None:
    # given a member scoped to province CDX2
    member = MembershipFactory(mission=demo_places, role=Role.LIAISON)
    province = AdminUnit.objects.get(mission=demo_places, pcode="CDX2")
    membership_scope_set(actor=None, membership=member, units=[province])
    # when they export places, sites and boundaries
    _tags, units = _hxl(export_to("places", "csv", member))
    _tags, sites = _hxl(export_to("sites", "xlsx", member))
    features = json.loads(export_to("places", "geojson", member).read_text())["features"]
    # then everything is inside CDX2, and all of CDX2 is there
    assert {row.get("#adm1+code") for row in units} == {"CDX2"}
    assert len(units) == AdminUnit.objects.filter(path__startswith=province.path).count()
    assert {row.get("#adm1+code") for row in sites} == {"CDX2"}
    assert sites
    assert len(sites) == Site.objects.filter(admin_unit__path__startswith="/COD/CDX2/").count()
    assert {f["properties"]["pcode"][:4] for f in features} == {"CDX2"}


def test_boundaries_export_as_geojson_polygons_keyed_by_pcode(
    demo_places: Mission, export_to: Callable[..., Path]
) -> None:
    # when the boundaries are exported
    reader = MembershipFactory(mission=demo_places, role=Role.VIEWER)
    data = json.loads(export_to("places", "geojson", reader).read_text(encoding="utf-8"))
    # then it is a FeatureCollection with one valid polygon per unit with a boundary
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert len(features) == AdminUnit.objects.filter(boundary__isnull=False).count() == 108
    first = features[0]
    assert set(first["properties"]) == {"pcode", "name", "level", "parent_pcode"}
    assert all(shape(f["geometry"]).is_valid for f in features)
    # and sites export as points
    sites = json.loads(export_to("sites", "geojson", reader).read_text(encoding="utf-8"))
    assert {f["geometry"]["type"] for f in sites["features"]} == {"Point"}


def test_the_places_export_imports_back_into_another_mission(
    demo_places: Mission, export_to: Callable[..., Path]
) -> None:
    # given the gazetteer exported from one mission
    path = export_to("places", "csv", MembershipFactory(mission=demo_places, role=Role.VIEWER))
    other = MissionFactory(country="COD")
    # when it is imported into another with `palava import places`
    call_command("import", "places", str(path), "--mission", other.slug, stdout=io.StringIO())

    # then the same units with the same parents exist there
    def tree(mission: Mission) -> set[tuple[str, str, str]]:
        return {
            (u.pcode, u.name, u.parent.pcode if u.parent else "")
            for u in AdminUnit.objects.filter(mission=mission, level__gte=1).select_related(
                "parent"
            )
        }

    assert tree(other) == tree(demo_places)


def test_export_text_cells_that_look_like_formulas_are_neutralised(
    mission: Mission, export_to: Callable[..., Path]
) -> None:
    # given a unit whose name starts like a spreadsheet formula
    from palava.places.services import admin_unit_create

    admin_unit_create(actor=None, mission=mission, pcode="CDX9", level=1, name="=HYPERLINK(1)")
    reader = MembershipFactory(mission=mission, role=Role.VIEWER)
    # when it is exported as CSV and XLSX
    csv_text = export_to("places", "csv", reader).read_text(encoding="utf-8-sig")
    book = openpyxl.load_workbook(export_to("places", "xlsx", reader))
    # then the CSV cell is quoted text and the XLSX cell is a string, never a formula
    assert ",'=HYPERLINK(1)," in csv_text
    cell = book.active["D3"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_an_export_job_runs_as_a_task_with_progress_and_writes_the_file(
    demo_places: Mission, django_capture_on_commit_callbacks: Any
) -> None:
    # given an analyst of the mission
    member = MembershipFactory(mission=demo_places, role=Role.ANALYST)
    # when they start a sites export (the task runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(actor=member.user, membership=member, kind="sites", fmt="xlsx")
    job.refresh_from_db()
    # then the job succeeded with its progress complete and the file written under MEDIA_ROOT
    assert job.status == JobStatus.SUCCEEDED
    rows = Site.objects.filter(mission=demo_places).count()
    assert job.result["rows"] == rows
    assert job.progress_done == job.progress_total == rows
    path = Path(settings.MEDIA_ROOT) / job.output_file
    assert path.is_file()
    assert job.output_file.endswith(".xlsx")
    assert len(_hxl(path)[1]) == rows
    # and running it again does nothing
    assert export_run(job=job).pk == job.pk


def test_an_export_job_refuses_a_suspended_member_and_an_unknown_format(
    demo_places: Mission,
) -> None:
    # given a suspended member
    member = MembershipFactory(mission=demo_places, role=Role.ANALYST)
    suspended = membership_set(
        actor=None, mission=demo_places, user=member.user, role=Role.ANALYST, is_active=False
    )
    # then they cannot start an export, and nobody can ask for a format the kind lacks
    with pytest.raises(PermissionDenied):
        export_start(actor=member.user, membership=suspended, kind="places", fmt="csv")
    active = MembershipFactory(mission=demo_places, role=Role.ANALYST)
    with pytest.raises(ValueError, match="geojson"):
        export_start(actor=active.user, membership=active, kind="actors", fmt="geojson")


def test_the_export_command_writes_files_and_stdout_for_a_member_or_a_role(
    demo_places: Mission, tmp_path: Path
) -> None:
    # given a member scoped to CDX3
    member = MembershipFactory(mission=demo_places, role=Role.OFFICER)
    province = AdminUnit.objects.get(mission=demo_places, pcode="CDX3")
    membership_scope_set(actor=None, membership=member, units=[province])
    # when the command exports as that member to a file, and as a role to stdout
    target = tmp_path / "sites.xlsx"
    call_command(
        "export", "sites", "--mission", demo_places.slug, "--format", "xlsx",
        "--output", str(target), "--user", member.user.username, stderr=io.StringIO(),
    )  # fmt: skip
    out = io.StringIO()
    call_command("export", "places", "--mission", demo_places.slug, stdout=out)
    # then the file holds CDX3 only and stdout the whole gazetteer with its hashtag row
    _tags, rows = _hxl(target)
    assert rows
    assert {row.get("#adm1+code") for row in rows} == {"CDX3"}
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("#country+code,#geo+admin_level,#adm+code")
    assert len(lines) == 110
    # and bad requests are refused
    with pytest.raises(CommandError):
        call_command("export", "sites", "--mission", demo_places.slug, "--format", "xlsx")
    with pytest.raises(CommandError):
        call_command("export", "nothing", "--mission", demo_places.slug)
    with pytest.raises(CommandError):
        call_command("export", "places", "--mission", "no-such-mission")


def test_an_operator_reader_sees_the_whole_mission_with_the_roles_clearance(
    demo_places: Mission,
) -> None:
    # given an operator's reader with a viewer's clearance
    reader = reader_for_role(mission=demo_places)
    # then it reads the whole mission
    found = export_kind_get("places")
    assert found is not None
    assert found.table is not None
    assert found.table(reader).total == 108
