"""The ``messages`` export: HXL hashtags on row 2, scope and the restricted queue respected,
never a phone number, name, pseudonym or coordinate, spreadsheet formulas defused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import hxl
import openpyxl
import pytest
from django.core.management import CommandError, call_command

from palava.audit.models import AuditEvent
from palava.core.exporters import export_kind_get, export_write
from palava.feedback.exchange import EXPORT_COLUMNS
from palava.feedback.models import Message
from palava.feedback.services import hotline_message_create
from palava.missions.models import Membership, Mission, Role
from tests.feedback.helpers_inbox import (
    PHONE,
    PHONE_DIGITS,
    RESTRICTED_BODY,
    Geo,
    categories,
    make_channel,
    make_cluster,
    make_geo,
    make_message,
    member_in,
)

pytestmark = pytest.mark.django_db
TAGS = [c.hashtag for c in EXPORT_COLUMNS]


@pytest.fixture
def geo(mission: Mission) -> Geo:
    return make_geo(mission)


@pytest.fixture
def seeded(geo: Geo) -> dict[str, Message]:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission, name="SMS")
    cluster = make_cluster(geo.mission)
    liaison = member_in(geo.mission, Role.LIAISON)
    return {
        "water": make_message(
            channel,
            "Le puits de Béni est cassé",
            unit=geo.north_town,
            category=cats["need_water"],
            urgency="urgent",
            language="fr",
            phone=PHONE,
            reporter=True,
            cluster=cluster,
            latitude=0.4912345,
            longitude=29.4712345,
        ),
        "formula": make_message(channel, '=HYPERLINK("http://evil","x")', unit=geo.south_town),
        "secret": make_message(channel, RESTRICTED_BODY, unit=geo.north_town, category=cats["sea"]),
        "call": hotline_message_create(
            actor=liaison.user,
            membership=liaison,
            body="Caller from Uvira",
            caller_phone=PHONE,
            caller_name="Amina Kasongo",
            admin_unit=geo.south_town,
        ),
    }


def _export(member: Membership, fmt: str, tmp_path: Path) -> Path:
    kind = export_kind_get("messages")
    assert kind is not None
    path = tmp_path / f"messages.{fmt}"
    with path.open("wb") as out:
        export_write(kind=kind, fmt=fmt, reader=member, out=out)
    return path


def _hxl(path: Path) -> tuple[list[str], list[Any]]:
    source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    return [column.display_tag for column in source.columns], list(source)


def _all_text(path: Path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return path.read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_hxl_and_holds_no_identity(
    geo: Geo, seeded: dict[str, Message], tmp_path: Path, fmt: str
) -> None:
    path = _export(member_in(geo.mission, Role.MANAGER), fmt, tmp_path)
    tags, rows = _hxl(path)
    assert tags == TAGS
    assert len(rows) == 4
    water = next(r for r in rows if r.get("#meta+id") == str(seeded["water"].public_id))
    assert water.get("#meta+category+code") == "need_water"
    assert water.get("#meta+category+parent") == "need"
    assert water.get("#severity") == "urgent"
    assert (water.get("#adm1+code"), water.get("#adm2+code")) == ("CD10", "CD1001")
    assert water.get("#meta+reporter") == str(seeded["water"].reporter.public_id)  # type: ignore[union-attr]
    assert water.get("#meta+restricted") == "no"
    text = _all_text(path)
    assert PHONE_DIGITS not in "".join(ch for ch in text if ch.isdigit())
    assert "Kasongo" not in text
    assert "0.4912" not in text
    assert "29.4712" not in text
    for message in Message.objects.all():
        assert message.sender_pseudonym == "" or message.sender_pseudonym not in text


def test_csv_defuses_formulas_and_xlsx_keeps_text(
    geo: Geo, seeded: dict[str, Message], tmp_path: Path
) -> None:
    manager = member_in(geo.mission, Role.MANAGER)
    csv_text = _export(manager, "csv", tmp_path).read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    book = openpyxl.load_workbook(_export(manager, "xlsx", tmp_path))
    sheet = book["data"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_scope_and_the_restricted_queue(
    geo: Geo, seeded: dict[str, Message], tmp_path: Path
) -> None:
    officer_north = member_in(geo.mission, Role.OFFICER, geo.north)
    _tags, rows = _hxl(_export(officer_north, "csv", tmp_path))
    assert [r.get("#meta+id") for r in rows] == [str(seeded["water"].public_id)]
    assert not AuditEvent.objects.filter(action="message.export").exists()
    manager = member_in(geo.mission, Role.MANAGER)
    _tags, rows = _hxl(_export(manager, "csv", tmp_path))
    secret = next(r for r in rows if r.get("#meta+id") == str(seeded["secret"].public_id))
    assert secret.get("#meta+restricted") == "yes"
    assert (
        AuditEvent.objects.filter(
            action="message.export", object_id=str(seeded["secret"].public_id)
        ).count()
        == 1
    )


def test_export_needs_message_view(geo: Geo, seeded: dict[str, Message], tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _export(member_in(geo.mission, Role.PARTNER), "csv", tmp_path)


def test_command_exports_with_a_role(geo: Geo, seeded: dict[str, Message]) -> None:
    out = io.StringIO()
    call_command(
        "export", "messages", "--mission", geo.mission.slug, "--role", "analyst", stdout=out
    )
    text = out.getvalue()
    assert "#description+message" in text.splitlines()[1]
    assert "Le puits de Béni" in text
    assert "peacekeeper abused" not in text
    managed = io.StringIO()
    call_command(
        "export", "messages", "--mission", geo.mission.slug, "--role", "manager", stdout=managed
    )
    assert "peacekeeper abused" in managed.getvalue()
    event = AuditEvent.objects.get(action="message.export")
    assert event.actor_label == "system:export"
    with pytest.raises(CommandError):
        call_command(
            "export",
            "messages",
            "--mission",
            geo.mission.slug,
            "--role",
            "viewer",
            stdout=io.StringIO(),
        )


def test_export_passes_the_default_hxl_schema(
    geo: Geo, seeded: dict[str, Message], tmp_path: Path, shared_data: Path
) -> None:
    problems: list[Any] = []
    schema = hxl.schema(
        hxl.data(
            str(shared_data / "hxl" / "hxl-default-schema.json"), hxl.InputOptions(allow_local=True)
        ),
        callback=problems.append,
    )
    path = _export(member_in(geo.mission, Role.MANAGER), "csv", tmp_path)
    schema.validate(hxl.data(str(path), hxl.InputOptions(allow_local=True)))
    assert [p.message for p in problems if p.rule.severity == "error"] == []
