"""The ``commitments`` export: valid HXL, core-dictionary tags only, no confidential values."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import hxl
import pytest

from palava.actors.models import RecordSensitivity
from palava.core.exporters import export_kind_get, export_write, reader_for_role
from palava.engagement.commitment_services import commitment_verify
from palava.engagement.export_commitments import COLUMNS, commitments_table
from palava.engagement.models import PartyKind, Verification
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_commitments import make_commitment, unit_of

pytestmark = pytest.mark.django_db


def _dictionary(shared_data: Path) -> tuple[set[str], set[str]]:
    folder = shared_data / "hxl" / "hxl-core-schema"
    with (folder / "hashtag.hxl.csv").open(encoding="utf-8") as handle:
        hashtags = {row[0].strip() for row in csv.reader(handle) if row and row[0].startswith("#")}
    with (folder / "attribute.hxl.csv").open(encoding="utf-8") as handle:
        attributes = {
            row[0].strip() for row in csv.reader(handle) if row and row[0].startswith("+")
        }
    return hashtags - {"#valid_tag"}, attributes


def _write(reader: Membership, tmp_path: Path) -> Path:
    kind = export_kind_get("commitments")  # registered when export_commitments is imported
    assert kind is not None
    assert kind.table is commitments_table
    path = tmp_path / "commitments.csv"
    with path.open("wb") as handle:
        export_write(kind=kind, fmt="csv", reader=reader, out=handle)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    return [dict(zip(lines[1], line, strict=True)) for line in lines[2:]]


@pytest.fixture
def ledger(mission: Mission, member_of: Any) -> dict[str, Any]:
    officer: Membership = member_of(Role.OFFICER)
    unit = unit_of(mission, level=1)
    open_one = make_commitment(mission, admin_unit=unit, description="=HYPERLINK(1)")
    armed = make_commitment(
        mission,
        admin_unit=unit,
        made_by_kind=PartyKind.ARMED_GROUP,
        made_by_name="Commander Secret",
    )
    commitment_verify(
        actor=officer.user,
        commitment=open_one,
        verification=Verification.KEPT,
        note="Asked Mama Zawadi at the market",
    )
    hidden = make_commitment(
        mission, admin_unit=unit, sensitivity=int(RecordSensitivity.STRICTLY_CONFIDENTIAL)
    )
    return {"open": open_one, "armed": armed, "hidden": hidden, "unit": unit}


def test_export_validates_with_libhxl_and_uses_core_tags(
    mission: Mission, ledger: dict[str, Any], tmp_path: Path, shared_data: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.OFFICER), tmp_path)
    source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    errors: list[Any] = []
    assert hxl.schema(callback=errors.append).validate(source), [str(e) for e in errors]
    hashtags, attributes = _dictionary(shared_data)
    columns = hxl.data(str(path), hxl.InputOptions(allow_local=True)).columns
    assert len(columns) == len(COLUMNS)
    for column in columns:
        assert column.tag in hashtags, column.display_tag
        for attribute in column.attributes:
            assert f"+{attribute}" in attributes, column.display_tag


def test_export_never_carries_confidential_values(
    mission: Mission, ledger: dict[str, Any], tmp_path: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.MANAGER), tmp_path)
    text = path.read_text(encoding="utf-8-sig")
    assert "Mama Zawadi" not in text  # the verification note
    assert "Commander Secret" not in text  # a confidential record's names
    rows = {r["#meta+id"]: r for r in _rows(path)}
    armed = rows[ledger["armed"].reference]
    assert armed["#org+source+type"] == "armed_group"
    assert armed["#org+source+name"] == ""
    first = rows[ledger["open"].reference]
    assert first["#status+type"] == "kept"
    assert first["#adm1+code"] == ledger["unit"].pcode
    assert not first["#description"].startswith("=")  # formula neutralised


def test_export_follows_the_readers_clearance(
    mission: Mission, ledger: dict[str, Any], tmp_path: Path
) -> None:
    officer_rows = _rows(_write(reader_for_role(mission=mission, role=Role.OFFICER), tmp_path))
    assert ledger["hidden"].reference not in {r["#meta+id"] for r in officer_rows}
    manager_rows = _rows(_write(reader_for_role(mission=mission, role=Role.MANAGER), tmp_path))
    assert ledger["hidden"].reference in {r["#meta+id"] for r in manager_rows}
