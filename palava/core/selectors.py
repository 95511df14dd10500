"""Reads owned by core: a member's own long jobs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from palava.core.models import Job
from palava.missions.models import Mission


def jobs_of_user(*, mission: Mission, user: Any, kind: str) -> QuerySet[Job]:
    """The jobs of ``kind`` that ``user`` started in ``mission``, newest first."""
    return (
        Job.objects.select_related("mission")
        .filter(mission=mission, kind=kind, created_by=user)
        .order_by("-created_at")
    )


def job_of_user(*, mission: Mission, user: Any, kind: str, public_id: str) -> Job | None:
    """One of the user's own jobs; None for anyone else's (pages answer 404)."""
    return jobs_of_user(mission=mission, user=user, kind=kind).filter(public_id=public_id).first()
