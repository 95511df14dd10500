"""The ``activities`` export: valid HXL, core-dictionary tags only, no confidential values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from palava.core.exporters import export_kind_get, export_write, reader_for_role
from palava.engagement.activity_services import attendance_set, participant_add
from palava.engagement.export_activities import COLUMNS, activities_table
from palava.missions.models import Membership, Mission, Role
from palava.places.services import membership_scope_set
from tests.engagement.helpers_activities import make_activity, make_actor, make_geo
from tests.engagement.hxl_check import assert_core_tags, assert_valid_hxl, hxl_rows
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _write(reader: Membership, tmp_path: Path) -> Path:
    kind = export_kind_get("activities")
    assert kind is not None
    assert kind.table is activities_table
    path = tmp_path / "activities.csv"
    with path.open("wb") as handle:
        export_write(kind=kind, fmt="csv", reader=reader, out=handle)
    return path


@pytest.fixture
def forum(mission: Mission) -> dict[str, Any]:
    geo = make_geo(mission)
    activity = make_activity(
        mission, geo.north_town, title="=HYPERLINK(1)", minutes="Mama Zawadi spoke"
    )
    participant_add(
        actor=None,
        activity=activity,
        actor_record=make_actor(mission, geo.north_town, name="Chief Named"),
        note="private note",
    )
    attendance_set(
        actor=None,
        activity=activity,
        counts={
            ("f", "18-35", "idp"): 7,
            ("m", "0-17", "general"): 3,
            ("m", "60+", "returnee"): 2,
        },
    )
    make_activity(mission, geo.south, title="Southern council")
    return {"geo": geo, "activity": activity}


def test_export_validates_with_libhxl_and_uses_core_tags(
    mission: Mission, forum: dict[str, Any], tmp_path: Path, shared_data: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.OFFICER), tmp_path)
    assert_valid_hxl(path)
    assert_core_tags(path, shared_data, len(COLUMNS))


def test_export_counts_and_never_carries_confidential_values(
    mission: Mission, forum: dict[str, Any], tmp_path: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.MANAGER), tmp_path)
    text = path.read_text(encoding="utf-8-sig")
    for secret in ("Mama Zawadi", "Chief Named", "private note"):
        assert secret not in text
    rows = {r["#activity+id"]: r for r in hxl_rows(path)}
    row = rows[str(forum["activity"].public_id)]
    assert not row["#activity+name"].startswith("=")
    assert row["#adm1+code"] == "AC10"
    assert (row["#reached"], row["#reached+f"], row["#reached+m"]) == ("12", "7", "5")
    assert (row["#reached+children"], row["#reached+adults"], row["#reached+elderly"]) == (
        "3",
        "7",
        "2",
    )
    assert (row["#reached+idps"], row["#reached+returnees"], row["#reached+refugees"]) == (
        "7",
        "2",
        "0",
    )


def test_export_follows_the_readers_scope(
    mission: Mission, forum: dict[str, Any], tmp_path: Path
) -> None:
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    membership_scope_set(actor=None, membership=member, units=[forum["geo"].south])
    rows = hxl_rows(_write(member, tmp_path))
    assert [r["#activity+name"] for r in rows] == ["Southern council"]
