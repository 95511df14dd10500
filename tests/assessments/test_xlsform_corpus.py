"""Every XLSForm of the shared corpus either converts or fails with pyxform's own message."""

from __future__ import annotations

from pathlib import Path

import pytest

from palava.assessments.xlsform import FORMATS, XLSFormError, convert

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "xlsforms"

# Files pyxform 4.5 refuses, with the start of its message.
EXPECTED_FAILURES = {
    "enumerator_weekly.xls": "Duplicate column header: label",
}


def _corpus() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared XLSForm corpus not found at {CORPUS}")
    return sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower().lstrip(".") in FORMATS
    )


def _outcomes() -> dict[str, tuple[bool, str]]:
    found: dict[str, tuple[bool, str]] = {}
    for path in _corpus():
        try:
            result = convert(filename=path.name, content=path.read_bytes())
        except XLSFormError as exc:
            found[str(path.relative_to(CORPUS))] = (False, exc.problems[0].message)
        else:
            assert result.xml.startswith("<?xml")
            assert result.form_id
            assert len(result.md5) == 32
            assert result.definition["type"] == "survey"
            found[str(path.relative_to(CORPUS))] = (True, "")
    return found


def test_every_form_converts_or_fails_with_pyxform_message() -> None:
    outcomes = _outcomes()

    failures = {Path(k).name: msg for k, (ok, msg) in outcomes.items() if not ok}
    assert set(failures) == set(EXPECTED_FAILURES)
    for name, start in EXPECTED_FAILURES.items():
        assert start in failures[name]


def test_counts_per_set() -> None:
    outcomes = _outcomes()

    def count(folder: str) -> tuple[int, int]:
        mine = [ok for k, (ok, _) in outcomes.items() if k.startswith(folder + "/")]
        return sum(mine), len(mine)

    assert count("kobo-kpi-fixtures") == (11, 12)
    assert count("pyxform-tests") == (16, 16)


def test_duplicate_header_message_unchanged() -> None:
    path = next((p for p in _corpus() if p.name == "enumerator_weekly.xls"), None)
    if path is None:
        pytest.skip("enumerator_weekly.xls not in the corpus")

    with pytest.raises(XLSFormError) as caught:
        convert(filename=path.name, content=path.read_bytes())

    assert caught.value.problems[0].message == "Duplicate column header: label"


def test_arabic_labels_detected() -> None:
    path = next((p for p in _corpus() if p.name == "tutorial_arabic_labels.xls"), None)
    if path is None:
        pytest.skip("tutorial_arabic_labels.xls not in the corpus")

    result = convert(filename=path.name, content=path.read_bytes())

    assert result.languages == ["English", "Arabic"]
