"""Reading submissions, always within one mission."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from palava.assessments.models import Form, Submission


def submissions_for(*, mission: Any, form: Form | None = None) -> QuerySet[Submission]:
    qs = Submission.objects.filter(mission=mission).select_related("form", "app_user")
    if form is not None:
        qs = qs.filter(form=form)
    return qs.order_by("-received_at", "-pk")
