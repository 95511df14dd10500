"""Reads for forms, always within one mission."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from palava.assessments.models import Form, FormVersion
from palava.missions.models import Mission


def forms_for(*, mission: Mission) -> QuerySet[Form]:
    return (
        Form.objects.filter(mission=mission)
        .select_related("current_version")
        .annotate(submission_count=Count("submissions"))
        .order_by("title", "form_id")
    )


def form_get(*, mission: Mission, public_id: Any) -> Form:
    """The mission's form; raises ``Form.DoesNotExist`` for another mission's id."""
    return Form.objects.select_related("current_version").get(mission=mission, public_id=public_id)


def form_versions(*, form: Form) -> QuerySet[FormVersion]:
    return form.versions.order_by("-number").prefetch_related("media")


def form_version_get(*, form: Form, number: int) -> FormVersion:
    return form.versions.get(number=number)
