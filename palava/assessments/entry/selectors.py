"""Reads for web entry."""

from __future__ import annotations

from palava.assessments.models import Form, Submission


def already_received(*, form: Form, instance_id: str) -> bool:
    """Whether ``form`` already holds the instance (a resubmitted page is not stored twice)."""
    return Submission.objects.filter(form=form, instance_id=instance_id).exists()
