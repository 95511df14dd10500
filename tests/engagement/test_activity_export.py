"""The ``activities`` export: valid HXL, core-dictionary tags only, no confidential values."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import hxl
import pytest

from palava.core.exporters import export_kind_get, export_write, reader_for_role
from palava.engagement.activity_services import attendance_set, participant_add
from palava.engagement.export_activities import COLUMNS, activities_table
from palava.missions.models import Membership, Mission, Role
from palava.places.services import membership_scope_set
from tests.engagement.helpers_activities import make_activity, make_actor, make_geo
from tests.factories import MembershipFactory

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
    kind = export_kind_get("activities")
    assert kind is not None
    assert kind.table is activities_table
    path = tmp_path / "activities.csv"
    with path.open("wb") as handle:
        export_write(kind=kind, fmt="csv", reader=reader, out=handle)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    return [dict(zip(lines[1], line, strict=True)) for line in lines[2:]]


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


def test_export_counts_and_never_carries_confidential_values(
    mission: Mission, forum: dict[str, Any], tmp_path: Path
) -> None:
    path = _write(reader_for_role(mission=mission, role=Role.MANAGER), tmp_path)
    text = path.read_text(encoding="utf-8-sig")
    for secret in ("Mama Zawadi", "Chief Named", "private note"):
        assert secret not in text
    rows = {r["#activity+id"]: r for r in _rows(path)}
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
    rows = _rows(_write(member, tmp_path))
    assert [r["#activity+name"] for r in rows] == ["Southern council"]
