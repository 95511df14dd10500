"""The gazetteer importer on small hand-written files: columns, HXL row, validation rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from palava.core.models import JobStatus
from palava.missions.models import Mission
from palava.places.models import AdminUnit
from tests.places.import_support import (
    GAZ_HEADER,
    HXL_ROW,
    place_counts,
    run_import,
    small_gazetteer,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("hxl", [True, False], ids=["with-hxl-row", "without-hxl-row"])
def test_a_gazetteer_imports_with_or_without_its_hxl_row(
    mission: Mission, tmp_path: Path, hxl: bool
) -> None:
    # given a small gazetteer
    path = small_gazetteer(tmp_path, hxl=hxl)

    # when imported
    job = run_import(mission, path)

    # then the country and its five units are there, with paths and search text
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.result["format"] == "gazetteer"
    assert job.result["counts"]["added"] == 6
    matadi = AdminUnit.objects.get(mission=mission, pcode="CD2001")
    assert matadi.path == "/COD/CD20/CD2001/"
    assert matadi.search_text == "matadi"
    assert str(matadi.valid_from) == "2020-01-01"
    assert AdminUnit.objects.get(mission=mission, pcode="COD").name == "COD"


def test_columns_are_found_by_hxl_hashtags_when_names_differ(
    mission: Mission, tmp_path: Path
) -> None:
    # given French column names over the standard hashtags, in another order
    text = (
        "Nom,Code,Pays,Niveau,Code parent\n"
        "#adm+name,#adm+code,#country+code,#geo+admin_level,#adm+code+parent\n"
        "Kinshasa,CD10,COD,1,COD\n"
        "Funa,CD1001,COD,2,CD10\n"
    )
    path = write(tmp_path / "fr.csv", text)

    # when imported
    job = run_import(mission, path)

    # then the columns were matched by hashtag
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert AdminUnit.objects.get(mission=mission, pcode="CD1001").name == "Funa"


def test_a_level_zero_row_names_the_country(mission: Mission, tmp_path: Path) -> None:
    path = small_gazetteer(tmp_path, body="COD,0,COD,RD Congo,,\nCOD,1,CD10,Kinshasa,COD,\n")
    job = run_import(mission, path)
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert AdminUnit.objects.get(mission=mission, pcode="COD").name == "RD Congo"


BAD_ROWS = [
    ("COD,2,CD2009,Matadi,XX99,2020-01-01", "Unknown parent"),
    ("COD,3,CD200901,Quartier,CD2009,2020-01-01", "Unknown parent"),
    ("COD,1,CD10,Again,COD,2020-01-01", "already on line 3"),
    ("COD,7,CD70,Seven,COD,2020-01-01", "is not 0, 1, 2 or 3"),
    ("COD,2,CD2003,,CD20,2020-01-01", "Name is empty"),
    ("COD,2,CD2003,Boma,CD20,31/12/2020", "is not a date"),
    ("COD,2,cd2003,Boma,CD20,2020-01-01", "upper-case letters"),
    ("COD,2,CD 2003,Boma,CD20,2020-01-01", "upper-case letters"),
    ('COD,2,CD2003,=HYPERLINK("x"),CD20,2020-01-01', "formula"),
    ("COD,2,CD2003,@SUM(A1),CD20,2020-01-01", "formula"),
    ("COD,2,CD2003,Bo\x07ma,CD20,2020-01-01", "control characters"),
    ("COD,3,CD200101,Quartier,CD20,2020-01-01", "needs an admin-2 parent"),
    ("SSD,2,SS0101,Juba,CD20,2020-01-01", "is in COD, not in SSD"),
    ("COD,1,CD30,Kwango,SSD,2020-01-01", "differs from the country"),
    ("CONGO,1,CD30,Kwango,CONGO,2020-01-01", "three-letter"),
    ("COD,2,CD2003," + "x" * 201 + ",CD20,2020-01-01", "longer than 200"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_a_bad_row_rejects_the_whole_file_with_its_line_and_reason(
    mission: Mission, tmp_path: Path, row: str, reason: str
) -> None:
    # given a good gazetteer plus one bad row at line 8 (header, HXL row, five rows)
    path = small_gazetteer(
        tmp_path,
        body="COD,1,CD10,Kinshasa,COD,2020-01-01\n"
        + "\n".join(
            [
                "COD,1,CD20,Kongo-Central,COD,2020-01-01",
                "COD,2,CD2001,Matadi,CD20,2020-01-01",
                "COD,2,CD2002,Boma,CD20,2020-01-01",
                "COD,2,CD1001,Funa,CD10,2020-01-01",
                row,
            ]
        )
        + "\n",
    )
    before = place_counts()

    # when imported
    job = run_import(mission, path)

    # then nothing is written and the row is named with a clear reason
    assert job.status == JobStatus.FAILED
    assert place_counts() == before
    assert any(e["line"] == 8 and reason in e["reason"] for e in job.errors), job.errors
    assert "nothing was imported" in job.message


def test_every_bad_row_is_counted_and_at_most_a_thousand_listed(
    mission: Mission, tmp_path: Path
) -> None:
    body = "".join(f"COD,1,cd{i},Name,COD,\n" for i in range(1500))
    job = run_import(mission, small_gazetteer(tmp_path, body=body))
    assert job.status == JobStatus.FAILED
    assert job.result["errors_total"] == 1500
    assert len(job.errors) == 1000
    assert AdminUnit.objects.count() == 0


def test_pcode_conventions_warn_by_default_and_fail_in_strict_mode(
    mission: Mission, tmp_path: Path
) -> None:
    # given a child whose P-code does not start with its parent's and an odd length
    body = SMALL = (
        "COD,1,CD10,Kinshasa,COD,\nCOD,1,CD20,Kongo-Central,COD,\nCOD,1,CD30,Kwango,COD,\n"
        "COD,2,CD1001,Funa,CD10,\nCOD,2,CD2001,Matadi,CD20,\nCOD,2,CD1099,Boma,CD20,\n"
        "COD,2,CD30011,Kenge,CD30,\n"
    )
    path = small_gazetteer(tmp_path, body=SMALL)
    assert body

    # when imported strictly
    strict = run_import(mission, path, strict=True)

    # then the conventions are errors
    assert strict.status == JobStatus.FAILED
    reasons = " ".join(e["reason"] for e in strict.errors)
    assert "does not start with its parent" in reasons
    assert "has 7 characters" in reasons
    assert AdminUnit.objects.count() == 0

    # when imported by default
    lenient = run_import(mission, path)

    # then they are warnings and the file is imported
    assert lenient.status == JobStatus.SUCCEEDED
    assert lenient.result["warnings_total"] == 2


def test_a_missing_admin1_parent_with_the_country_prefix_gets_a_placeholder(
    mission: Mission, tmp_path: Path
) -> None:
    body = "SSD,1,SS01,Central Equatoria,SSD,\nSSD,2,SS0101,Juba,SS01,\nSSD,2,SS0001,Abyei,SS00,\n"
    job = run_import(mission, small_gazetteer(tmp_path, body=body))
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.result["placeholders"] == ["SS00"]
    abyei = AdminUnit.objects.get(mission=mission, pcode="SS0001")
    assert abyei.path == "/SSD/SS00/SS0001/"


def test_a_missing_parent_is_an_error_in_strict_mode(mission: Mission, tmp_path: Path) -> None:
    body = "SSD,1,SS01,Central Equatoria,SSD,\nSSD,2,SS0001,Abyei,SS00,\n"
    job = run_import(mission, small_gazetteer(tmp_path, body=body), strict=True)
    assert job.status == JobStatus.FAILED
    assert job.errors == [
        {"line": 4, "reason": "Unknown parent P-code SS00 (not in the file nor in the mission)."}
    ]


def test_a_parent_already_in_the_mission_is_accepted(mission: Mission, tmp_path: Path) -> None:
    # given admin 1-2 imported, then an admin-3 file
    run_import(mission, small_gazetteer(tmp_path))
    path = write(
        tmp_path / "adm3.csv", GAZ_HEADER + HXL_ROW + "COD,3,CD200101,Quartier 1,CD2001,\n"
    )

    # when imported
    job = run_import(mission, path)

    # then the admin-3 unit hangs under the existing admin-2, and admin 1-2 are not retired
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.result["counts"]["retired"] == 0
    assert AdminUnit.objects.get(pcode="CD200101").path == "/COD/CD20/CD2001/CD200101/"


def test_a_moved_unit_moves_its_descendants_paths(mission: Mission, tmp_path: Path) -> None:
    run_import(mission, small_gazetteer(tmp_path))
    run_import(mission, write(tmp_path / "a3.csv", GAZ_HEADER + "COD,3,CD200201,Q,CD2002,\n"))
    moved = small_gazetteer(
        tmp_path,
        body=(
            "COD,1,CD10,Kinshasa,COD,2020-01-01\nCOD,1,CD20,Kongo-Central,COD,2020-01-01\n"
            "COD,2,CD1001,Funa,CD10,2020-01-01\nCOD,2,CD2001,Matadi,CD20,2020-01-01\n"
            "COD,2,CD2002,Boma,CD10,2020-01-01\n"
        ),
    )
    job = run_import(mission, moved)
    assert job.result["moved"] == [{"pcode": "CD2002", "old": "CD20", "new": "CD10"}]
    assert AdminUnit.objects.get(pcode="CD200201").path == "/COD/CD10/CD2002/CD200201/"


def test_units_of_other_countries_are_not_retired(mission: Mission, tmp_path: Path) -> None:
    run_import(mission, small_gazetteer(tmp_path, body="SSD,1,SS01,Central Equatoria,SSD,\n"))
    job = run_import(mission, small_gazetteer(tmp_path))
    assert job.result["counts"]["retired"] == 0
    assert AdminUnit.objects.get(pcode="SS01").retired_at is None


def test_a_file_with_unknown_columns_is_refused(mission: Mission, tmp_path: Path) -> None:
    job = run_import(mission, write(tmp_path / "x.csv", "a,b,c\n1,2,3\n"))
    assert job.status == JobStatus.FAILED
    assert "match no places format" in job.errors[0]["reason"]


def test_an_explicit_format_that_does_not_fit_says_which_columns_are_missing(
    mission: Mission, tmp_path: Path
) -> None:
    job = run_import(mission, write(tmp_path / "x.csv", "pcode,name\nCD10,K\n"), format="gazetteer")
    assert job.status == JobStatus.FAILED
    assert "no column for: level, parent" in job.errors[0]["reason"]


def test_a_job_that_succeeded_is_not_run_again(mission: Mission, tmp_path: Path) -> None:
    from palava.places.tasks import places_import_run

    job = run_import(mission, small_gazetteer(tmp_path))
    Path(job.input_file).unlink()
    result = places_import_run.enqueue(str(job.public_id)).return_value
    assert result == {"status": "succeeded", "skipped": True}
