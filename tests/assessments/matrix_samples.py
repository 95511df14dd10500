"""Sample rows for the route-walking matrix test (``tests/missions/test_matrix.py``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from palava.assessments.models import (
    RankingExercise,
    RankingMethod,
    Round,
    Submission,
    SubmissionAttachment,
    SubmissionSource,
)
from palava.places.models import AdminUnit
from tests.assessments.helpers_forms import sample_form


def sample_unit(mission: Any) -> AdminUnit:
    found = AdminUnit.objects.filter(mission=mission, pcode="MX01").first()
    if found is not None:
        return found
    from palava.places.services import admin_unit_create

    return admin_unit_create(
        actor=None, mission=mission, pcode="MX01", level=1, name="Matrix Province"
    )


def sample_round(mission: Any) -> Round:
    found = Round.objects.filter(mission=mission, series="matrix").first()
    if found is not None:
        return found
    today = timezone.localdate()
    return Round.objects.create(
        mission=mission,
        form=sample_form(mission),
        series="matrix",
        number=1,
        name="Matrix round",
        starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=7),
    )


def sample_submission(mission: Any) -> Submission:
    """A submission without a place (every whole-mission member may see it), one attachment."""
    found = Submission.objects.filter(mission=mission, instance_id="uuid:matrix").first()
    if found is not None:
        return found
    form = sample_form(mission)
    submission = Submission.objects.create(
        mission=mission,
        form=form,
        form_version=form.current_version,
        instance_id="uuid:matrix",
        source=SubmissionSource.WEB,
        xml="<sample_form id='sample_form'><village>Matrix</village></sample_form>",
        data={"village": "Matrix", "age": "40"},
        received_at=timezone.now(),
    )
    content = b"pcode,name\nMX01,Matrix\n"
    SubmissionAttachment.objects.create(
        submission=submission,
        filename="villages.csv",
        content_type="text/csv",
        content=content,
        size=len(content),
        md5=hashlib.md5(content, usedforsecurity=False).hexdigest(),
    )
    return submission


def sample_exercise(mission: Any) -> RankingExercise:
    found = RankingExercise.objects.filter(mission=mission).first()
    if found is not None:
        return found
    return RankingExercise.objects.create(
        mission=mission,
        admin_unit=sample_unit(mission),
        held_on=timezone.localdate(),
        method=RankingMethod.PILING,
        items=["water", "health"],
        inputs={"water": 6, "health": 4},
        scores={"water": 0.6, "health": 0.4},
    )
