"""Sample rows for the route-walking matrix test (``tests/missions/test_matrix.py``).

Every sample lies in the whole-mission sample unit ``MX01`` and is of internal sensitivity, so
every role whose permission allows the route may see it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from palava.actors.models import Actor, ActorKind, ActorType
from palava.engagement.models import (
    Activity,
    ActivityType,
    Agreement,
    AgreementKind,
    Commitment,
    Deliverable,
    Document,
    Partner,
    PartnerType,
    PartyKind,
    Project,
    ProjectType,
    Sector,
)
from tests.assessments.matrix_samples import sample_unit


def sample_activity(mission: Any) -> Activity:
    found = Activity.objects.filter(mission=mission, title="Matrix forum").first()
    if found is not None:
        return found
    return Activity.objects.create(
        mission=mission,
        activity_type=ActivityType.DIALOGUE_FORUM,
        title="Matrix forum",
        admin_unit=sample_unit(mission),
        starts_at=timezone.now() - dt.timedelta(days=3),
    )


def sample_commitment(mission: Any) -> Commitment:
    found = Commitment.objects.filter(mission=mission, number=9001).first()
    if found is not None:
        return found
    today = timezone.localdate()
    return Commitment.objects.create(
        mission=mission,
        number=9001,
        made_by_kind=PartyKind.MISSION,
        made_by_name="Civil Affairs",
        made_to_kind=PartyKind.COMMUNITY,
        made_to_name="Matrix village",
        description="Repair the matrix well",
        admin_unit=sample_unit(mission),
        activity=sample_activity(mission),
        made_on=today - dt.timedelta(days=3),
        due_date=today + dt.timedelta(days=30),
    )


def sample_partner(mission: Any) -> Partner:
    found = Partner.objects.filter(mission=mission, acronym="MXP").first()
    if found is not None:
        return found
    actor = Actor.objects.create(
        mission=mission,
        kind=ActorKind.ORGANISATION,
        actor_type=ActorType.CIVIL_SOCIETY,
        name="Matrix Partner Organisation",
        admin_unit=sample_unit(mission),
    )
    return Partner.objects.create(
        mission=mission, actor=actor, acronym="MXP", partner_type=PartnerType.NNGO
    )


def sample_agreement(mission: Any) -> Agreement:
    partner = sample_partner(mission)
    found = Agreement.objects.filter(partner=partner).first()
    if found is not None:
        return found
    return Agreement.objects.create(
        partner=partner,
        kind=AgreementKind.MOU,
        title="Matrix MoU",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )


def sample_project(mission: Any) -> Project:
    found = Project.objects.filter(mission=mission, code="MX-QIP-1").first()
    if found is not None:
        return found
    return Project.objects.create(
        mission=mission,
        code="MX-QIP-1",
        title="Matrix well",
        project_type=ProjectType.QIP,
        sector=Sector.WASH,
        partner=sample_partner(mission),
        admin_unit=sample_unit(mission),
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )


def sample_deliverable(mission: Any) -> Deliverable:
    project = sample_project(mission)
    found = Deliverable.objects.filter(project=project).first()
    if found is not None:
        return found
    return Deliverable.objects.create(project=project, description="Matrix pump installed")


def sample_document(mission: Any) -> Document:
    """A small text file attached to the sample activity."""
    activity = sample_activity(mission)
    found = Document.objects.filter(activity=activity).first()
    if found is not None:
        return found
    content = b"attendance sheet\n"
    return Document.objects.create(
        mission=mission,
        activity=activity,
        filename="attendance.txt",
        content_type="text/plain",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
