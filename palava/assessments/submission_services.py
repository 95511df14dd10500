"""Receiving submissions (OpenRosa now; web entry and imports later)."""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.assessments.models import (
    MAX_ATTACHMENT_BYTES,
    AppUser,
    Form,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionStatus,
)
from palava.assessments.openrosa.instance import parse_instance, repeat_paths_of
from palava.audit.services import audit_record


class SubmissionRejected(ValueError):
    """Unknown or closed form, or an attachment that is too large. ``status`` is the HTTP code."""

    def __init__(self, message: str, *, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class SubmissionConflict(ValueError):
    """The same instanceID arrived again with different content."""


def safe_filename(name: str) -> str:
    base = posixpath.basename(name.replace("\\", "/")).strip().replace("\x00", "")
    return base[:255] or "attachment"


def _add_attachments(submission: Submission, attachments: Sequence[tuple[str, str, bytes]]) -> None:
    existing = set(submission.attachments.values_list("filename", flat=True))
    for name, content_type, content in attachments:
        filename = safe_filename(name)
        if filename in existing:
            continue
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise SubmissionRejected(
                _("The attachment “%(name)s” is larger than the limit of %(limit)s bytes.")
                % {"name": filename, "limit": MAX_ATTACHMENT_BYTES},
                status=413,
            )
        SubmissionAttachment.objects.create(
            submission=submission,
            filename=filename,
            content_type=(content_type or mimetypes.guess_type(filename)[0] or "")[:100],
            content=content,
            size=len(content),
            md5=hashlib.md5(content, usedforsecurity=False).hexdigest(),
        )
        existing.add(filename)


@transaction.atomic
def submission_receive(
    *,
    mission: Any,
    xml: bytes,
    attachments: Sequence[tuple[str, str, bytes]],
    source: str,
    app_user: AppUser | None = None,
    actor: Any = None,
) -> tuple[Submission, bool]:
    """Store one instance; returns (submission, created). Raises InstanceError (bad XML),
    SubmissionRejected (unknown/closed form) or SubmissionConflict (same instanceID, other
    content)."""
    first = parse_instance(xml)
    form = Form.objects.filter(mission=mission, form_id=first.form_id).first()
    if form is None:
        raise SubmissionRejected(
            _("The form “%(form_id)s” is not known here.") % {"form_id": first.form_id},
            status=404,
        )
    if app_user is not None:
        allowed = set(app_user.forms.values_list("pk", flat=True))
        if allowed and form.pk not in allowed:
            raise SubmissionRejected(
                _("This device may not send the form “%(form_id)s”.") % {"form_id": form.form_id}
            )
    version: FormVersion | None = None
    if first.version:
        version = FormVersion.objects.filter(form=form, version=first.version).first()
    if version is None and form.current_version_id is not None:
        version = FormVersion.objects.filter(pk=form.current_version_id).first()
    parsed = (
        parse_instance(xml, repeat_paths=repeat_paths_of(version.definition))
        if (version is not None and version.definition)
        else first
    )
    sha = hashlib.sha256(xml).hexdigest()
    existing = (
        Submission.objects.select_for_update()
        .filter(form=form, instance_id=parsed.instance_id)
        .first()
    )
    if existing is not None:
        if existing.xml_sha256 != sha:
            raise SubmissionConflict(
                _("A different submission with the instance ID “%(id)s” was already received.")
                % {"id": parsed.instance_id}
            )
        _add_attachments(existing, attachments)
        return existing, False
    if not form.accepting_submissions or form.archived_at is not None:
        raise SubmissionRejected(_("The form “%(form_id)s” is closed.") % {"form_id": form.form_id})
    supersedes = None
    if parsed.deprecated_id:
        supersedes = (
            Submission.objects.select_for_update()
            .filter(form=form, instance_id=parsed.deprecated_id)
            .first()
        )
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                mission=mission,
                form=form,
                form_version=version,
                instance_id=parsed.instance_id,
                deprecated_id=parsed.deprecated_id,
                supersedes=supersedes,
                source=source,
                xml=xml.decode("utf-8", errors="replace"),
                xml_sha256=sha,
                data=parsed.data,
                app_user=app_user,
                received_at=timezone.now(),
                started_at=parsed.started_at,
                ended_at=parsed.ended_at,
            )
    except IntegrityError:  # pragma: no cover - two devices sending the same instance at once
        raise SubmissionConflict(
            _("A submission with the instance ID “%(id)s” is being received.")
            % {"id": parsed.instance_id}
        ) from None
    if supersedes is not None:
        supersedes.status = SubmissionStatus.SUPERSEDED
        supersedes.save(update_fields=["status", "updated_at"])
    # Round, place, respondent cells, enumerator and quality flags (imported here: rounds
    # import this module's models and services).
    from palava.assessments.round_services import submission_classify

    submission_classify(submission, actor=actor)
    _add_attachments(submission, attachments)
    audit_record(
        actor=actor,
        action="submission.receive",
        mission=mission,
        obj=submission,
        changes={"form": form.form_id, "source": source, "supersedes": parsed.deprecated_id},
    )
    return submission, True
