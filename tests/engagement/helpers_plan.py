"""Fixtures of the documents, calendar, plan and settings tests: a small place tree, activities,
commitments and projects created directly (the areas' services are written concurrently)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from palava.accounts.tokens import token_create
from palava.actors.models import Actor, ActorKind, ActorType
from palava.engagement.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Commitment,
    CommitmentStatus,
    Deliverable,
    Partner,
    PartnerType,
    PartyKind,
    Project,
    ProjectType,
    Sector,
)
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit
from palava.places.services import admin_unit_create, membership_scope_set


def unit(mission: Mission, pcode: str, name: str, parent: AdminUnit | None = None) -> AdminUnit:
    level = 0 if parent is None else parent.level + 1
    return admin_unit_create(
        actor=None, mission=mission, pcode=pcode, level=level, name=name, parent=parent
    )


def tree(mission: Mission) -> dict[str, AdminUnit]:
    """Country XC; provinces P1, P2; territories T11, T12 (in P1), T21 (in P2); village V111."""
    c = unit(mission, "XC", "Country")
    p1 = unit(mission, "P1", "North", c)
    p2 = unit(mission, "P2", "South", c)
    t11 = unit(mission, "T11", "Alpha", p1)
    t12 = unit(mission, "T12", "Beta", p1)
    t21 = unit(mission, "T21", "Gamma", p2)
    v111 = unit(mission, "V111", "Alpha village", t11)
    return {"XC": c, "P1": p1, "P2": p2, "T11": t11, "T12": t12, "T21": t21, "V111": v111}


def scope(membership: Membership, *units: AdminUnit) -> Membership:
    membership_scope_set(actor=None, membership=membership, units=units)
    if hasattr(membership, "_palava_scope"):
        del membership._palava_scope
    return membership


def activity(
    mission: Mission,
    place: AdminUnit,
    starts_at: dt.datetime,
    *,
    title: str = "Forum",
    status: str = ActivityStatus.HELD,
    activity_type: str = ActivityType.DIALOGUE_FORUM,
) -> Activity:
    return Activity.objects.create(
        mission=mission,
        activity_type=activity_type,
        title=title,
        status=status,
        admin_unit=place,
        starts_at=starts_at,
    )


_numbers: dict[int, int] = {}


def commitment(
    mission: Mission,
    place: AdminUnit,
    due: dt.date | None,
    *,
    status: str = CommitmentStatus.PENDING,
    sensitivity: int = 1,
    description: str = "Repair the well",
    made_on: dt.date | None = None,
) -> Commitment:
    number = Commitment.objects.filter(mission=mission).count() + 1
    made = made_on or (due - dt.timedelta(days=10) if due else timezone.localdate())
    return Commitment.objects.create(
        mission=mission,
        number=number,
        made_by_kind=PartyKind.MISSION,
        made_by_name="Civil Affairs",
        made_to_kind=PartyKind.COMMUNITY,
        made_to_name="Chief Kabila Mwamba",
        description=description,
        admin_unit=place,
        made_on=made,
        due_date=due,
        status=status,
        sensitivity=sensitivity,
    )


def project(mission: Mission, place: AdminUnit, code: str = "QIP-1") -> Project:
    actor = Actor.objects.create(
        mission=mission,
        kind=ActorKind.ORGANISATION,
        actor_type=ActorType.CIVIL_SOCIETY,
        name=f"Org {code}",
        admin_unit=place,
    )
    partner = Partner.objects.create(
        mission=mission, actor=actor, acronym=f"O{code}", partner_type=PartnerType.NNGO
    )
    return Project.objects.create(
        mission=mission,
        code=code,
        title=f"Well {code}",
        project_type=ProjectType.QIP,
        sector=Sector.WASH,
        partner=partner,
        admin_unit=place,
        starts_on=timezone.localdate() - dt.timedelta(days=60),
    )


def deliverable(project_: Project, due: dt.date | None, description: str = "Pump") -> Deliverable:
    return Deliverable.objects.create(project=project_, description=description, due_on=due)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


# --- Files -----------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP_BYTES = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odf_bytes(kind: str) -> bytes:
    return zip_bytes(
        {"mimetype": kind.encode(), "content.xml": b"<office:document-content/>"},
        compression=zipfile.ZIP_STORED,
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def month_last(day: dt.date) -> dt.date:
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def api(membership: Membership) -> Client:
    """A test client sending a bearer token of ``membership``."""
    raw = token_create(
        actor=membership.user,
        user=membership.user,
        mission=membership.mission,
        name="test",
        days=30,
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})
