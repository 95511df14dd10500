"""Settlements CSV, boundary GeoJSON and population CSV imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from palava.core.models import JobStatus
from palava.missions.models import Mission
from palava.places.importers.settlements import site_kind
from palava.places.models import AdminUnit, PopulationFigure, Site, SiteKind
from tests.places.import_support import place_counts, run_import, small_gazetteer, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer(mission: Mission, tmp_path: Path) -> Mission:
    job = run_import(mission, small_gazetteer(tmp_path))
    assert job.status == JobStatus.SUCCEEDED
    return mission


def _square(lon: float, lat: float, size: float = 1.0) -> list[list[list[float]]]:
    return [
        [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    ]


def _collection(features: list[dict[str, Any]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def _feature(pcode: str, coordinates: Any, kind: str = "Polygon") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"ADM2_PCODE": pcode, "ADM1_PCODE": pcode[:4]},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


# --- Settlements ------------------------------------------------------------------------------


def test_settlements_with_admin_pcodes_are_upserted(gazetteer: Mission, tmp_path: Path) -> None:
    # given sites with a decimal comma, a semicolon separator and common kind words
    path = write(
        tmp_path / "sites.csv",
        "name;pcode;kind;latitude;longitude;adm2_pcode\n"
        "Matadi port;S1;Town;-5,8167;13,45;CD2001\n"
        "Kilomoko;S2;IDP site;-5,9;13,1;CD2001\n"
        "Marché central;;market;-4,3;15,3;CD1001\n",
    )

    # when imported twice
    first = run_import(gazetteer, path)
    second = run_import(gazetteer, path)

    # then three sites are added once, with kinds mapped and a stable code for the one without
    assert first.status == JobStatus.SUCCEEDED, first.errors
    assert first.result["format"] == "settlements"
    assert first.result["counts"] == {"added": 3, "updated": 0, "unchanged": 0}
    assert second.result["counts"] == {"added": 0, "updated": 0, "unchanged": 3}
    camp = Site.objects.get(code="S2")
    assert camp.kind == SiteKind.IDP_CAMP
    assert camp.latitude == -5.9
    assert camp.admin_unit.pcode == "CD2001"
    assert Site.objects.get(name="Marché central").code.startswith("S-")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Far;S9;village;95;13;CD2001", "Latitude '95'"),
        ("Far;S9;village;-5;181;CD2001", "Longitude '181'"),
        ("Far;S9;village;north;13;CD2001", "Latitude 'north'"),
        ("Far;S9;village;-5;13;CD9999", "not in the gazetteer"),
        ("=cmd|' /C calc'!A0;S9;village;-5;13;CD2001", "formula"),
    ],
)
def test_a_bad_settlement_row_rejects_the_file(
    gazetteer: Mission, tmp_path: Path, row: str, reason: str
) -> None:
    path = write(
        tmp_path / "s.csv",
        "name;code;kind;lat;lon;adm2_pcode\nOk;S1;village;-5;13;CD2001\n" + row + "\n",
    )
    before = place_counts()
    job = run_import(gazetteer, path)
    assert job.status == JobStatus.FAILED
    assert place_counts() == before
    assert job.errors[0]["line"] == 3, job.errors
    assert reason in job.errors[0]["reason"], job.errors


def test_settlements_without_admin_column_are_located_in_boundaries(
    gazetteer: Mission, tmp_path: Path
) -> None:
    # given boundaries for two admin-2 units
    geo = write(
        tmp_path / "b.geojson",
        _collection(
            [_feature("CD2001", _square(13.0, -6.0)), _feature("CD1001", _square(15.0, -5.0))]
        ),
    )
    assert run_import(gazetteer, geo).status == JobStatus.SUCCEEDED
    path = write(tmp_path / "s.csv", "name,lat,lon\nMatadi,-5.5,13.5\nKinshasa,-4.5,15.5\n")

    # when sites without an admin column are imported
    job = run_import(gazetteer, path)

    # then each lands in the polygon that contains it
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert Site.objects.get(name="Matadi").admin_unit.pcode == "CD2001"
    assert Site.objects.get(name="Kinshasa").admin_unit.pcode == "CD1001"


def test_settlements_without_admin_column_nor_boundaries_are_refused(
    gazetteer: Mission, tmp_path: Path
) -> None:
    job = run_import(gazetteer, write(tmp_path / "s.csv", "name,lat,lon\nMatadi,-5.5,13.5\n"))
    assert job.status == JobStatus.FAILED
    assert "import boundaries first" in job.errors[0]["reason"]


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("Village", "village"),
        ("IDP camp", "idp_camp"),
        ("Site de déplacés", "idp_camp"),
        ("Marché", "market"),
        ("COB", "base"),
        ("", "other"),
        ("spaceport", None),
    ],
)
def test_site_kinds_are_mapped_from_common_words(word: str, kind: str | None) -> None:
    assert site_kind(word) == kind


# --- Boundaries -------------------------------------------------------------------------------


def test_boundaries_are_stored_with_centroids_and_repaired(
    gazetteer: Mission, tmp_path: Path
) -> None:
    # given a square and a self-intersecting bow-tie
    bowtie = [[[13.0, -6.0], [14.0, -5.0], [14.0, -6.0], [13.0, -5.0], [13.0, -6.0]]]
    path = write(
        tmp_path / "b.geojson",
        _collection([_feature("CD1001", _square(15.0, -5.0)), _feature("CD2001", bowtie)]),
    )

    # when imported twice
    job = run_import(gazetteer, path)
    again = run_import(gazetteer, path)

    # then both are stored, the bow-tie repaired with a warning, the centroid computed
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.result["format"] == "boundaries"
    assert job.result["counts"] == {"updated": 2, "unchanged": 0}
    assert "repaired" in job.result["warnings"][0]["reason"]
    funa = AdminUnit.objects.get(pcode="CD1001")
    assert funa.boundary is not None
    assert funa.boundary["type"] == "Polygon"
    assert (funa.centroid_lat, funa.centroid_lon) == (-4.5, 15.5)
    assert (AdminUnit.objects.get(pcode="CD2001").boundary or {}).get("type") == "MultiPolygon"
    assert again.result["counts"] == {"updated": 0, "unchanged": 2}


@pytest.mark.parametrize(
    ("feature", "reason"),
    [
        (_feature("XX99", _square(1, 1)), "feature 2: P-code XX99 not in the gazetteer"),
        (_feature("CD2001", _square(179.5, 1)), "outside longitude"),
        (_feature("CD2001", [1, 2], "Point"), "not a Polygon"),
        (_feature("CD2001", [[[1, 2]]]), "malformed"),
        ({"type": "Feature", "properties": {"ADM2_PCODE": ""}, "geometry": None}, "no P-code"),
    ],
)
def test_a_bad_feature_rejects_the_file(
    gazetteer: Mission, tmp_path: Path, feature: dict[str, Any], reason: str
) -> None:
    path = write(
        tmp_path / "b.geojson", _collection([_feature("CD1001", _square(15, -5)), feature])
    )
    job = run_import(gazetteer, path)
    assert job.status == JobStatus.FAILED
    assert reason in job.errors[0]["reason"], job.errors
    assert AdminUnit.objects.filter(boundary__isnull=False).count() == 0


def test_features_without_a_pcode_property_are_refused(gazetteer: Mission, tmp_path: Path) -> None:
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": None}
    job = run_import(gazetteer, write(tmp_path / "b.geojson", _collection([feature])))
    assert job.status == JobStatus.FAILED
    assert "No P-code property" in job.errors[0]["reason"]


# --- Population -------------------------------------------------------------------------------


def test_population_wide_cod_ps_format_is_upserted(gazetteer: Mission, tmp_path: Path) -> None:
    # given a COD-PS-like wide table
    path = write(
        tmp_path / "pop.csv",
        "ADM2_PCODE,ADM2_FR,year,T_TL,F_TL,M_TL,F_00_04,M_00_04,F_80plus,M_80plus\n"
        "CD2001,Matadi,2024,1000,520,480,60,58,4,3\n"
        "CD1001,Funa,2024,2000,1010,990,,,8,\n",
    )

    # when imported, then re-imported with one figure changed
    job = run_import(gazetteer, path)
    path.write_text(path.read_text().replace(",520,", ",530,"))
    again = run_import(gazetteer, path)

    # then figures per sex and band are stored (totals of T_ skipped, empty cells skipped)
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.result["format"] == "population"
    assert job.result["counts"]["added"] == 9
    figure = PopulationFigure.objects.get(admin_unit__pcode="CD2001", sex="f", age_band="total")
    assert figure.count == 530
    assert figure.year == 2024
    assert PopulationFigure.objects.filter(age_band="80+").count() == 3
    assert again.result["counts"] == {"added": 0, "updated": 1, "unchanged": 8}


def test_population_long_format_and_year_option(gazetteer: Mission, tmp_path: Path) -> None:
    path = write(
        tmp_path / "pop.csv",
        'pcode,sex,age_band,count\nCD2001,F,0-4,"1,234"\nCD2001,male,0-4,1200\n',
    )
    job = run_import(gazetteer, path, year=2023)
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert PopulationFigure.objects.get(sex="f").count == 1234


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("CD9999,F,0-4,10", "not in the gazetteer"),
        ("CD2001,X,0-4,10", "is not f or m"),
        ("CD2001,F,0-4,-3", "not a number of people"),
        ("CD2001,F,0-4,10", "already on line 2"),
    ],
)
def test_a_bad_population_row_rejects_the_file(
    gazetteer: Mission, tmp_path: Path, row: str, reason: str
) -> None:
    path = write(
        tmp_path / "pop.csv",
        "pcode,year,sex,age_band,count\nCD2001,2024,F,0-4,10\n"
        + row.replace(",", ",2024,", 1)
        + "\n",
    )
    job = run_import(gazetteer, path)
    assert job.status == JobStatus.FAILED
    assert PopulationFigure.objects.count() == 0
    assert job.errors[0]["line"] == 3, job.errors
    assert reason in job.errors[0]["reason"], job.errors


def test_population_without_year_is_refused(gazetteer: Mission, tmp_path: Path) -> None:
    job = run_import(gazetteer, write(tmp_path / "p.csv", "pcode,F_TL\nCD2001,5\n"))
    assert job.status == JobStatus.FAILED
    assert "no year column" in job.errors[0]["reason"]
