"""Acceptance: a dossier for a reader without clearance holds no confidential or strictly
confidential field. The generated HTML file and the text of the PDF are scanned for unique marker
strings planted in every classified field; a manager's dossier shows the classified ones (so the
scan can fail), and nobody's shows contact details, message text or case text. The PDF renders:
one page is drawn to PNG and must not be blank."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image

from palava.actors.models import ActorKind, ActorType, RecordSensitivity
from palava.context.dossier.content import DossierContent
from palava.context.dossier.gather import dossier_content
from palava.context.dossier.render import render_html, render_pdf
from palava.context.models import (
    CalendarEvent,
    EntryStatus,
    EventCategory,
    KnowledgeEntry,
    KnowledgeTranslation,
    Topic,
)
from palava.engagement.models import Commitment
from palava.engagement.models.commitments import PartyKind
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AccessLevel, AdminUnit, Site
from palava.places.services import access_status_record
from tests.factories import ActorFactory, AdminUnitFactory, MissionFactory, SiteFactory
from tests.feedback.helpers_cases import make_case
from tests.feedback.helpers_inbox import categories, make_channel, make_message, member_in

pytestmark = pytest.mark.django_db

# pypdfium2 ships no type information: imported as a module object, its API is ``Any``.
pdfium: Any = importlib.import_module("pypdfium2")

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

# Markers: short (no soft break), no Markdown punctuation, unique.
CONFIDENTIAL_MARKERS = {
    "entry_confidential": "QXCONFENTRYQX",
    "entry_confidential_fr": "QXCONFTRADQX",
    "entry_source": "QXSOURCEQX",
    "actor_confidential": "QXCONFACTORQX",
    "actor_notes": "QXACTORNOTESQX",
    "commitment_confidential": "QXCONFPROMISEQX",
}
STRICT_MARKERS = {
    "entry_strict": "QXSTRICTENTRYQX",
    "actor_strict": "QXSTRICTACTORQX",
    "commitment_strict": "QXSTRICTPROMISEQX",
}
# Never in any dossier, whatever the clearance.
NEVER_MARKERS = {
    "actor_phone": "+243990071234",
    "actor_email": "qxmailqx@example.org",
    "actor_contact": "QXCONTACTQX",
    "message_body": "QXMSGBODYQX",
    "message_phone": "+243990075678",
    "case_title": "QXCASETITLEQX",
    "case_summary": "QXCASESUMMARYQX",
    "verification_note": "QXVERIFNOTEQX",
    "draft_entry": "QXDRAFTQX",
    "other_mission": "QXOTHERMISSIONQX",
}
# Internal data a partner does see (the dossier is not just empty).
VISIBLE_MARKERS = {
    "entry_internal": "QXGREETINGSQX",
    "actor_internal": "QXCHIEFQX",
    "event": "QXMARKETQX",
}


def _square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class World:
    mission: Mission
    province: AdminUnit
    territory: AdminUnit
    site: Site


def _entry(
    world: World,
    title: str,
    *,
    sensitivity: int = RecordSensitivity.INTERNAL,
    status: str = EntryStatus.REVIEWED,
    topic: str = Topic.CUSTOMS,
    source: str = "Liaison assistant",
    unit: AdminUnit | None = None,
    site: Site | None = None,
    body: str = "",
) -> KnowledgeEntry:
    return KnowledgeEntry.objects.create(
        mission=world.mission,
        admin_unit=None if site is not None else (unit or world.territory),
        site=site,
        topic=topic,
        title=title,
        body=body or f"Text of {title}.",
        language="en",
        sensitivity=sensitivity,
        source=source,
        status=status,
        reviewed_at=NOW - dt.timedelta(days=10) if status == EntryStatus.REVIEWED else None,
    )


def _commitment(world: World, number: int, description: str, sensitivity: int) -> Commitment:
    return Commitment.objects.create(
        mission=world.mission,
        number=number,
        made_by_kind=PartyKind.ARMED_GROUP,
        made_by_name="Group spokesperson",
        made_to_kind=PartyKind.COMMUNITY,
        made_to_name="Village council",
        description=description,
        admin_unit=world.territory,
        made_on=NOW.date() - dt.timedelta(days=20),
        due_date=NOW.date() + dt.timedelta(days=10),
        sensitivity=sensitivity,
        verification_note=NEVER_MARKERS["verification_note"],
    )


def build_world() -> World:
    """A province, a territory with boundaries, a site, and classified records of every kind."""
    mission = MissionFactory()
    province = AdminUnitFactory(
        mission=mission,
        level=1,
        pcode="CDW1",
        name="Kivu Test",
        boundary=_square(28.8, -1.9, 0.8),
        centroid_lat=-1.5,
        centroid_lon=29.2,
    )
    territory = AdminUnitFactory(
        parent=province,
        pcode="CDW101",
        name="Nyira Test",
        names={"fr": "Nyira (fr)"},
        boundary=_square(29.0, -1.7, 0.3),
        centroid_lat=-1.55,
        centroid_lon=29.15,
    )
    site = SiteFactory(admin_unit=territory, code="CDW101S1", name="Kibu Test")
    world = World(mission, province, territory, site)

    _entry(world, VISIBLE_MARKERS["entry_internal"], topic=Topic.LANGUAGES, unit=province)
    confidential = _entry(
        world,
        CONFIDENTIAL_MARKERS["entry_confidential"],
        sensitivity=RecordSensitivity.CONFIDENTIAL,
    )
    KnowledgeTranslation.objects.create(
        entry=confidential,
        language="fr",
        title=CONFIDENTIAL_MARKERS["entry_confidential_fr"],
        body="Texte.",
        source_version=1,
    )
    _entry(
        world,
        STRICT_MARKERS["entry_strict"],
        sensitivity=RecordSensitivity.STRICTLY_CONFIDENTIAL,
        topic=Topic.SECURITY,
    )
    _entry(world, "Market etiquette", source=CONFIDENTIAL_MARKERS["entry_source"])
    _entry(world, "Site greeting", site=site, topic=Topic.LANGUAGES)
    _entry(world, NEVER_MARKERS["draft_entry"], status=EntryStatus.DRAFT)

    chief = ActorFactory(
        mission=mission,
        name=VISIBLE_MARKERS["actor_internal"],
        admin_unit=territory,
        influence=5,
        notes=CONFIDENTIAL_MARKERS["actor_notes"],
    )
    chief.phone = NEVER_MARKERS["actor_phone"]
    chief.email = NEVER_MARKERS["actor_email"]
    chief.contact_other = NEVER_MARKERS["actor_contact"]
    chief.save(update_fields=["phone", "email", "contact_other"])
    ActorFactory(
        mission=mission,
        kind=ActorKind.ORGANISATION,
        actor_type=ActorType.CIVIL_SOCIETY,
        name=CONFIDENTIAL_MARKERS["actor_confidential"],
        admin_unit=territory,
        sensitivity=RecordSensitivity.CONFIDENTIAL,
    )
    ActorFactory(
        mission=mission,
        actor_type=ActorType.ARMED_GROUP_FIGURE,
        name=STRICT_MARKERS["actor_strict"],
        admin_unit=territory,
    )

    _commitment(
        world, 1, CONFIDENTIAL_MARKERS["commitment_confidential"], RecordSensitivity.CONFIDENTIAL
    )
    _commitment(
        world, 2, STRICT_MARKERS["commitment_strict"], RecordSensitivity.STRICTLY_CONFIDENTIAL
    )

    labels = categories(mission)
    channel = make_channel(mission)
    category = next(c for c in labels.values() if not c.is_restricted and c.parent is None)
    for n in range(6):
        make_message(
            channel,
            f"{NEVER_MARKERS['message_body']} {n}",
            phone=NEVER_MARKERS["message_phone"],
            unit=territory,
            category=category,
            received_at=NOW - dt.timedelta(days=3 + n),
            reporter=True,
        )
    case = make_case(mission, opened_at=NOW - dt.timedelta(days=4), unit=territory)
    case.title = NEVER_MARKERS["case_title"]
    case.summary = NEVER_MARKERS["case_summary"]
    case.save(update_fields=["title", "summary"])

    CalendarEvent.objects.create(
        mission=mission,
        admin_unit=territory,
        key="market",
        category=EventCategory.MARKET,
        title=VISIBLE_MARKERS["event"],
        rule_kind="weekly",
        rule={"weekdays": [3]},
    )
    access_status_record(
        actor=None,
        place=territory,
        level=AccessLevel.RESTRICTED,
        effective_from=NOW.date() - dt.timedelta(days=30),
        reason="Road cut at the bridge",
    )

    other = MissionFactory()
    other_unit = AdminUnitFactory(mission=other, pcode="CDW101", name="Elsewhere")
    KnowledgeEntry.objects.create(
        mission=other,
        admin_unit=other_unit,
        topic=Topic.CUSTOMS,
        title=NEVER_MARKERS["other_mission"],
        body="Other mission.",
        language="en",
        source="x",
        status=EntryStatus.REVIEWED,
        reviewed_at=NOW,
    )
    return world


def gather(world: World, member: Membership, *, language: str = "en") -> DossierContent:
    return dossier_content(
        membership=member, places=[world.territory], kind="place", language=language, now=NOW
    )


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    # Wrapped lines and soft hyphens must not hide a marker from the scan.
    return re.sub(r"[\s\u00ad\u200b-]+", "", text)


def _html_text(html: bytes) -> str:
    return re.sub(r"[\s\u200b]+", " ", html.decode("utf-8"))


def _found(markers: dict[str, str], *texts: str) -> set[str]:
    return {
        key
        for key, marker in markers.items()
        if any(marker.replace(" ", "") in text or marker in text for text in texts)
    }


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_reader_without_clearance_gets_no_classified_field(world: World, role: str) -> None:
    member = member_in(world.mission, role)
    html = render_html(gather(world, member, language="fr"))
    html_en = render_html(gather(world, member))
    pdf = render_pdf(html_en)
    text = pdf_text(pdf)

    classified = {**CONFIDENTIAL_MARKERS, **STRICT_MARKERS, **NEVER_MARKERS}
    assert _found(classified, _html_text(html), _html_text(html_en), text) == set()
    # Not an empty dossier: what an internal reader may see is there, in both files.
    assert _found(VISIBLE_MARKERS, _html_text(html_en)) == set(VISIBLE_MARKERS)
    assert _found(VISIBLE_MARKERS, text) == set(VISIBLE_MARKERS)
    assert b"Road cut at the bridge" in html_en  # access reason is an internal field


def test_manager_gets_classified_fields_but_never_contacts_or_texts(world: World) -> None:
    member = member_in(world.mission, Role.MANAGER)
    html_en = render_html(gather(world, member))
    html_fr = render_html(gather(world, member, language="fr"))
    text = pdf_text(render_pdf(html_en))
    html = _html_text(html_en) + _html_text(html_fr)

    expected = {**CONFIDENTIAL_MARKERS, **STRICT_MARKERS}
    assert _found(expected, html) == set(expected)
    english_only = {k: v for k, v in expected.items() if k != "entry_confidential_fr"}
    assert _found(english_only, text) == set(english_only)
    assert _found(NEVER_MARKERS, html, text) == set()


def test_officer_gets_confidential_but_not_strictly_confidential(world: World) -> None:
    member = member_in(world.mission, Role.OFFICER)
    html = _html_text(render_html(gather(world, member)))
    assert _found(CONFIDENTIAL_MARKERS, html) == set(CONFIDENTIAL_MARKERS) - {
        "entry_confidential_fr"
    }
    assert _found({**STRICT_MARKERS, **NEVER_MARKERS}, html) == set()


def test_pdf_page_renders_to_png(world: World) -> None:
    member = member_in(world.mission, Role.PARTNER)
    pdf = render_pdf(render_html(gather(world, member)))
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    try:
        assert len(document) >= 2
        image = document[0].render(scale=1).to_pil()
    finally:
        document.close()
    # A4 at 72 dpi is 595 x 842 points.
    assert abs(image.width - 595) <= 2
    assert abs(image.height - 842) <= 2
    png = io.BytesIO()
    image.save(png, format="PNG")
    assert png.getvalue().startswith(b"\x89PNG")
    pixels = np.asarray(Image.open(io.BytesIO(png.getvalue())).convert("L"))
    dark = int((pixels < 128).sum())
    assert dark > 2000  # text and the map, not a blank page
    assert pixels.std() > 10


def test_generated_at_is_used(world: World) -> None:
    member = member_in(world.mission, Role.PARTNER)
    content = gather(world, member)
    assert content.generated_at == NOW
    assert timezone.is_aware(content.generated_at)
