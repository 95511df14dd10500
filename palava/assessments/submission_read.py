"""Audited reads of raw answers: a submission's page, its instance XML and its attachments.

Answers may name respondents (``Submission.data`` is confidential), so every read of one
submission's answers leaves an audit row ``submission.read``: "who has seen this submission" is
one lookup by its id. The instance XML download is recorded with the ``xml`` key, an
attachment against the attachment itself with its file name.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from palava.assessments.models import Submission, SubmissionAttachment
from palava.assessments.submission_selectors import may_view, submissions_visible
from palava.audit.services import audit_record
from palava.missions.models import Membership

READ = "submission.read"


def _require_visible(membership: Membership, submission: Submission) -> None:
    if (
        not may_view(membership)
        or submission.mission_id != membership.mission_id
        or not submissions_visible(membership).filter(pk=submission.pk).exists()
    ):
        raise PermissionDenied(_("Your role does not allow this."))


@transaction.atomic
def submission_read(
    *, actor: Any, membership: Membership, submission: Submission, xml: bool = False
) -> Submission:
    """Record that ``actor`` read ``submission``'s answers (its page, or its XML when ``xml``)."""
    _require_visible(membership, submission)
    audit_record(
        actor=actor,
        action=READ,
        mission=membership.mission,
        obj=submission,
        changes={"xml": "download"} if xml else None,
    )
    return submission


@transaction.atomic
def attachment_read(
    *, actor: Any, membership: Membership, attachment: SubmissionAttachment
) -> SubmissionAttachment:
    """Record that ``actor`` downloaded ``attachment`` (a photo or recording of a submission)."""
    _require_visible(membership, attachment.submission)
    audit_record(
        actor=actor,
        action=READ,
        mission=membership.mission,
        obj=attachment,
        changes={
            "filename": attachment.filename,
            "submission": str(attachment.submission.public_id),
        },
    )
    return attachment
