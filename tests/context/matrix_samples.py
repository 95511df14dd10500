"""Sample rows for the route-walking matrix test (``tests/missions/test_matrix.py``).

Every sample lies in the whole-mission sample unit ``MX01``, is reviewed and of internal
sensitivity, so every role whose permission allows the route may see it. A dossier belongs to
the requesting member (only its reader may open it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from palava.context.models import (
    CalendarEvent,
    Dossier,
    DossierKind,
    EntryStatus,
    EventCategory,
    KnowledgeEntry,
    Topic,
)
from palava.core.models import Job, JobStatus
from tests.assessments.matrix_samples import sample_unit


def sample_entry(mission: Any) -> KnowledgeEntry:
    found = KnowledgeEntry.objects.filter(mission=mission, title="Matrix greetings").first()
    if found is not None:
        return found
    return KnowledgeEntry.objects.create(
        mission=mission,
        admin_unit=sample_unit(mission),
        topic=Topic.LANGUAGES,
        title="Matrix greetings",
        body="Greet the elders first.",
        language="en",
        sensitivity=1,
        source="Matrix liaison assistant",
        status=EntryStatus.REVIEWED,
        reviewed_at=timezone.now(),
    )


def sample_event(mission: Any) -> CalendarEvent:
    found = CalendarEvent.objects.filter(mission=mission, key="matrix-market").first()
    if found is not None:
        return found
    return CalendarEvent.objects.create(
        mission=mission,
        admin_unit=sample_unit(mission),
        key="matrix-market",
        category=EventCategory.MARKET,
        title="Matrix market day",
        rule_kind="weekly",
        rule={"weekdays": [3]},
    )


def sample_dossier(mission: Any, user: Any) -> Dossier:
    found = Dossier.objects.filter(mission=mission, created_by=user).first()
    if found is not None:
        return found
    now = timezone.now()
    job = Job.objects.create(
        mission=mission,
        kind="dossier",
        status=JobStatus.SUCCEEDED,
        created_by=user,
        started_at=now,
        finished_at=now,
    )
    html = b"<!doctype html><title>Matrix</title><p>Matrix dossier</p>"
    pdf = b"%PDF-1.4\n%matrix\n"
    return Dossier.objects.create(
        mission=mission,
        job=job,
        kind=DossierKind.PLACE,
        title="Matrix Province",
        places=[sample_unit(mission).pcode],
        language="en",
        clearance=1,
        html=html,
        pdf=pdf,
        html_bytes=len(html),
        pdf_bytes=len(pdf),
        pdf_pages=1,
        expires_at=now + dt.timedelta(days=30),
        created_by=user,
    )


def sample_site_code(mission: Any) -> str:
    from palava.places.models import Site, SiteKind
    from palava.places.services import site_create

    found = Site.objects.filter(mission=mission, code="MX01S1").first()
    if found is None:
        found = site_create(
            actor=None,
            mission=mission,
            admin_unit=sample_unit(mission),
            code="MX01S1",
            name="Matrix village",
            kind=SiteKind.VILLAGE,
            latitude=-1.68,
            longitude=29.22,
        )
    return found.code
