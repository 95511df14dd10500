"""The ``commitments`` export: valid HXL, core-dictionary tags only, no confidential values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from palava.actors.models import RecordSensitivity
from palava.core.exporters import export_kind_get, export_write, reader_for_role
from palava.engagement.commitment_services import commitment_verify
from palava.engagement.export_commitments import COLUMNS, commitments_table
from palava.engagement.models import PartyKind, Verification
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_commitments import make_commitment, unit_of
from tests.engagement.hxl_check import assert_core_tags, assert_valid_hxl, hxl_rows

pytestmark = pytest.mark.django_db


def _write(reader: Membership, tmp_path: Path) -> Path:
    kind = export_kind_get("commitments")  # registered when export_commitments is imported
    assert kind is not None
    assert kind.table is commitments_table
    path = tmp_path / "commitments.csv"
    with path.open("wb") as handle:
        export_write(kind=kind, fmt="csv", reader=reader, out=handle)
    return path


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
    assert_valid_hxl(path)
    assert_core_tags(path, shared_data, len(COLUMNS))


def test_export_never_carries_confidential_values(
    mission: Mission, ledger: dict[str, Any], tmp_path: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.MANAGER), tmp_path)
    text = path.read_text(encoding="utf-8-sig")
    assert "Mama Zawadi" not in text  # the verification note
    assert "Commander Secret" not in text  # a confidential record's names
    rows = {r["#meta+id"]: r for r in hxl_rows(path)}
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
    officer_rows = hxl_rows(_write(reader_for_role(mission=mission, role=Role.OFFICER), tmp_path))
    assert ledger["hidden"].reference not in {r["#meta+id"] for r in officer_rows}
    manager_rows = hxl_rows(_write(reader_for_role(mission=mission, role=Role.MANAGER), tmp_path))
    assert ledger["hidden"].reference in {r["#meta+id"] for r in manager_rows}
