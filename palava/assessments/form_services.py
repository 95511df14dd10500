"""Writes for forms: uploading an XLSForm (a new form or a new version), media, closing."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from palava.assessments.models import MAX_MEDIA_BYTES, Form, FormMedia, FormVersion
from palava.assessments.xlsform import Problem, XLSFormError, convert
from palava.audit.services import audit_record
from palava.missions.models import Mission


@transaction.atomic
def form_upload(*, actor: Any, mission: Mission, filename: str, content: bytes) -> FormVersion:
    """Convert ``content`` and store it as version 1 of a new form or the next version of the
    form with the same form id; the new version becomes the current one."""
    result = convert(filename=filename, content=content)
    if not result.form_id:
        raise XLSFormError([Problem(_("The form has no form id."), sheet="settings")])
    form = Form.objects.select_for_update().filter(mission=mission, form_id=result.form_id).first()
    created = form is None
    if form is None:
        form = Form(mission=mission, form_id=result.form_id, title=result.title[:255])
        form.full_clean()
        form.save()
        number = 1
    else:
        if result.version and form.versions.filter(version=result.version).exists():
            raise XLSFormError(
                [
                    Problem(
                        _(
                            "This version (%(version)s) was already uploaded: change the "
                            "version in the settings sheet."
                        )
                        % {"version": result.version or "-"},
                        sheet="settings",
                        column="version",
                    )
                ]
            )
        current = form.current_version
        if current is not None and current.md5 == result.md5:
            raise XLSFormError(
                [Problem(_("This file is identical to the current version of the form."))]
            )
        number = (form.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        form.title = result.title[:255] or form.title
    version = FormVersion(
        form=form,
        number=number,
        # An XLSForm without a version in its settings sheet (most KoboToolbox exports) gets
        # a generated label; its XForm carries no version, so devices match it by hash.
        version=result.version or f"auto-{number}",
        source_name=filename[:255],
        source_format=result.source_format,
        source=content,
        xml=result.xml,
        md5=result.md5,
        definition=result.definition,
        languages=result.languages,
        default_language=result.default_language[:60],
        warnings=result.warnings,
    )
    version.full_clean(exclude=["source"])
    version.save()
    form.current_version = version
    form.save(update_fields=["current_version", "title", "updated_at"])
    audit_record(
        actor=actor,
        action="form.upload",
        mission=mission,
        obj=version,
        changes={"form_id": form.form_id, "number": number, "created": created},
    )
    return version


@transaction.atomic
def form_media_add(
    *, actor: Any, form_version: FormVersion, filename: str, content_type: str, content: bytes
) -> FormMedia:
    """Attach (or replace) a media file the form needs on the device."""
    if len(content) > MAX_MEDIA_BYTES:
        raise XLSFormError(
            [
                Problem(
                    _("The file is too large (limit %(mb)d MB).")
                    % {"mb": MAX_MEDIA_BYTES // (1024 * 1024)}
                )
            ]
        )
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:255]
    media = FormMedia.objects.filter(form_version=form_version, filename=name).first()
    if media is None:
        media = FormMedia(form_version=form_version, filename=name)
    media.content_type = (content_type or "application/octet-stream")[:100]
    media.content = content
    media.size = len(content)
    media.md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
    media.full_clean(exclude=["content"])
    media.save()
    audit_record(
        actor=actor,
        action="form.media_add",
        mission=form_version.form.mission,
        obj=media,
        changes={"filename": name, "size": media.size},
    )
    return media


@transaction.atomic
def form_set_accepting(*, actor: Any, form: Form, accepting: bool) -> Form:
    form.accepting_submissions = accepting
    form.save(update_fields=["accepting_submissions", "updated_at"])
    audit_record(
        actor=actor,
        action="form.accepting",
        mission=form.mission,
        obj=form,
        changes={"accepting_submissions": accepting},
    )
    return form
