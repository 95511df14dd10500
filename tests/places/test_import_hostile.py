"""Hostile files: size, junk, encodings, NUL bytes, huge fields; the database never changes,
and the CSV reader never raises anything but ImportFileError (hypothesis)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palava.core.importers import ImportFileError
from palava.core.models import JobStatus
from palava.missions.models import Mission
from palava.places.importers.base import decode_text, read_table
from palava.places.importers.service import detect_format
from tests.places.import_support import (
    GAZ_HEADER,
    HXL_ROW,
    place_counts,
    run_import,
    small_gazetteer,
)

pytestmark = pytest.mark.django_db


def _refused(mission: Mission, path: Path, **params: Any) -> str:
    before = place_counts()
    job = run_import(mission, path, **params)
    assert job.status == JobStatus.FAILED
    assert place_counts() == before
    assert job.errors
    assert job.errors[0]["reason"]
    return str(job.errors[0]["reason"])


def test_fifty_megabytes_of_junk_is_refused_early(
    mission: Mission, tmp_path: Path, settings: Any
) -> None:
    # given a file one byte over the 50 MB limit
    settings.PALAVA_IMPORT_MAX_BYTES = 50 * 1024 * 1024
    path = tmp_path / "junk.csv"
    with path.open("wb") as handle:
        handle.write(os.urandom(1024 * 1024) * 50 + b"x")

    # when imported / then refused on its size, nothing written
    assert "the limit is 52428800 bytes" in _refused(mission, path)


def test_junk_under_the_limit_is_refused_with_a_clear_error(
    mission: Mission, tmp_path: Path
) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(os.urandom(2 * 1024 * 1024))
    reason = _refused(mission, path)
    assert "NUL" in reason or "neither UTF-8" in reason or "match no places format" in reason


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"Location,Admin Level\x00,P-Code\n", "NUL bytes"),
        (b"\x81\x8d\x8f\x90\x9d\xff\xfe\xfd", "neither UTF-8 nor Windows-1252"),
        (b"\xfe\xff\xd8\x00", "UTF-16"),
        (b'"unterminated,' + b"x" * 300_000, "cannot be read"),
        (b"not,a,gazetteer\n1,2,3\n", "match no places format"),
        (b"{not json", "not valid JSON"),
        (b'{"type": "Feature"}', "not a FeatureCollection"),
    ],
    ids=[
        "empty",
        "nul",
        "undecodable",
        "bad-utf16",
        "huge-field",
        "wrong-columns",
        "bad-json",
        "not-fc",
    ],
)
def test_hostile_files_are_refused_and_change_nothing(
    mission: Mission, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    assert expected in _refused(mission, path)


def test_a_huge_single_field_is_a_row_error(mission: Mission, tmp_path: Path) -> None:
    body = "COD,1,CD10," + "K" * 20_000 + ",COD,\n"
    assert "longer than 200" in _refused(mission, small_gazetteer(tmp_path, body=body))


def test_windows_1252_text_is_read_with_a_warning(mission: Mission, tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes((GAZ_HEADER + HXL_ROW + "CIV,1,CI01,Lagunes Région,CIV,\n").encode("cp1252"))
    job = run_import(mission, path)
    assert job.status == JobStatus.SUCCEEDED
    assert "Windows-1252" in job.result["warnings"][0]["reason"]


def test_utf8_with_bom_and_semicolons_is_read(mission: Mission, tmp_path: Path) -> None:
    text = (GAZ_HEADER + "CIV,1,CI01,Lagunes Région,CIV,\n").replace(",", ";")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    job = run_import(mission, path)
    assert job.status == JobStatus.SUCCEEDED, job.errors


def test_utf16_with_a_bom_is_read(mission: Mission, tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes((GAZ_HEADER + "CIV,1,CI01,Lagunes,CIV,\n").encode("utf-16"))
    assert run_import(mission, path).status == JobStatus.SUCCEEDED


def test_double_encoded_text_gets_a_warning(mission: Mission, tmp_path: Path) -> None:
    mojibake = "Lagunes Région".encode().decode("latin-1")
    path = small_gazetteer(tmp_path, body=f"CIV,1,CI01,{mojibake},CIV,\n")
    job = run_import(mission, path)
    assert any("double-encoded" in w["reason"] for w in job.result["warnings"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_the_reader_never_raises_anything_but_its_own_error_on_bytes(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        read_table(decode_text(data))


CSVISH = st.text(alphabet=st.sampled_from(list(',;\t"\n\r#+ abcAZ09é\x00\x1b=-@')), max_size=400)


@settings(max_examples=300, deadline=None)
@given(CSVISH)
def test_format_detection_never_raises_anything_but_its_own_error(text: str) -> None:
    with contextlib.suppress(ImportFileError):
        detect_format(decode_text(text.encode("utf-8")))


GAZ_CELLS = st.sampled_from(
    [
        "COD",
        "CD10",
        "CD1001",
        "cd10",
        "1",
        "2",
        "3",
        "x",
        "",
        "=1+1",
        "2020-01-01",
        "31/12/20",
        "SS00",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(GAZ_CELLS, min_size=0, max_size=7), max_size=12), st.booleans())
def test_gazetteer_validation_never_raises_anything_but_its_own_error(
    rows: list[list[str]], strict: bool
) -> None:
    from palava.places.importers.gazetteer import plan_gazetteer

    lines = [GAZ_HEADER.strip(), *(",".join(row) for row in rows)]
    try:
        plan = plan_gazetteer(read_table("\n".join(lines)), existing={}, strict=strict)
    except ImportFileError:
        return
    # every P-code kept has a parent that is kept too (or none, for countries)
    for unit in plan.desired.values():
        assert unit.parent is None or unit.parent in plan.desired
