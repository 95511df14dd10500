"""OpenRosa endpoints for ODK Collect: formList, form XML, manifest, media, submission.

Authentication: HTTP Basic (app-user name + secret) or the secret in the path
(``key/<secret>/...``, for QR enrolment). An unknown mission answers like bad credentials (401)
so mission slugs do not leak.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from palava.assessments.app_users import app_user_authenticate
from palava.assessments.models import AppUser, Form, FormMedia, SubmissionSource
from palava.assessments.openrosa.instance import InstanceError
from palava.assessments.submission_services import (
    SubmissionConflict,
    SubmissionRejected,
    submission_receive,
)
from palava.missions.models import Mission
from palava.missions.permissions import public_view

ACCEPT_CONTENT_LENGTH = 20 * 1024 * 1024
XML = "text/xml; charset=utf-8"

View = Callable[..., HttpResponse]


def openrosa_headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
    return response


def openrosa_message(message: str, *, status: int, nature: str = "") -> HttpResponse:
    attr = f' nature="{escape(nature)}"' if nature else ""
    body = (
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f"<message{attr}>{escape(message)}</message></OpenRosaResponse>"
    )
    return openrosa_headers(HttpResponse(body, status=status, content_type=XML))


def unauthorized(slug: str) -> HttpResponse:
    response = openrosa_message(_("Authentication required."), status=401)
    response["WWW-Authenticate"] = f'Basic realm="Palava {slug}"'
    return response


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, secret = decoded.partition(":")
    return (username, secret) if sep else None


def device_view(view: View) -> View:
    """Resolve the mission and the app user; 401 otherwise. Passes ``mission`` and ``app_user``."""

    @wraps(view)
    def wrapper(
        request: HttpRequest, mission_slug: str, key: str | None = None, **kwargs: Any
    ) -> HttpResponse:
        mission = Mission.objects.filter(slug=mission_slug).first()
        app_user: AppUser | None = None
        if mission is not None:
            if key is not None:
                app_user = app_user_authenticate(mission=mission, username=None, secret=key)
            else:
                credentials = _basic(request)
                if credentials is not None:
                    app_user = app_user_authenticate(
                        mission=mission, username=credentials[0], secret=credentials[1]
                    )
        if mission is None or app_user is None:
            return unauthorized(mission_slug)
        request.openrosa_key = key  # type: ignore[attr-defined]
        return openrosa_headers(view(request, mission=mission, app_user=app_user, **kwargs))

    return public_view(csrf_exempt(wrapper))  # type: ignore[return-value]


def _url(request: HttpRequest, name: str, mission: Mission, **kwargs: str) -> str:
    key = getattr(request, "openrosa_key", None)
    if key is not None:
        return request.build_absolute_uri(
            reverse(
                f"openrosa:key-{name}", kwargs={"mission_slug": mission.slug, "key": key, **kwargs}
            )
        )
    return request.build_absolute_uri(
        reverse(f"openrosa:{name}", kwargs={"mission_slug": mission.slug, **kwargs})
    )


def visible_forms(mission: Mission, app_user: AppUser) -> list[Form]:
    qs = Form.objects.filter(
        mission=mission,
        accepting_submissions=True,
        archived_at__isnull=True,
        current_version__isnull=False,
    ).select_related("current_version")
    allowed = list(app_user.forms.values_list("pk", flat=True))
    if allowed:
        qs = qs.filter(pk__in=allowed)
    return list(qs.order_by("title"))


def _form_or_none(mission: Mission, app_user: AppUser, form_id: str) -> Form | None:
    for form in visible_forms(mission, app_user):
        if form.form_id == form_id:
            return form
    return None


def _media(form: Form) -> list[FormMedia]:
    return list(
        FormMedia.objects.filter(form_version_id=form.current_version_id).order_by("filename")
    )


@device_view
def form_list(request: HttpRequest, *, mission: Mission, app_user: AppUser) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    wanted = request.GET.get("formID")
    parts = ['<?xml version="1.0" encoding="utf-8"?>']
    parts.append('<xforms xmlns="http://openrosa.org/xforms/xformsList">')
    for form in visible_forms(mission, app_user):
        if wanted and form.form_id != wanted:
            continue
        version = form.current_version
        assert version is not None
        parts.append("<xform>")
        parts.append(f"<formID>{escape(form.form_id)}</formID>")
        parts.append(f"<name>{escape(form.title)}</name>")
        parts.append(f"<version>{escape(version.version)}</version>")
        parts.append(f"<hash>md5:{escape(version.md5)}</hash>")
        parts.append(f"<descriptionText>{escape(form.title)}</descriptionText>")
        url = _url(request, "form-xml", mission, form_id=form.form_id)
        parts.append(f"<downloadUrl>{escape(url)}</downloadUrl>")
        if FormMedia.objects.filter(form_version=version).exists():
            url = _url(request, "manifest", mission, form_id=form.form_id)
            parts.append(f"<manifestUrl>{escape(url)}</manifestUrl>")
        parts.append("</xform>")
    parts.append("</xforms>")
    return HttpResponse("".join(parts), content_type=XML)


@device_view
def form_xml(
    request: HttpRequest, *, mission: Mission, app_user: AppUser, form_id: str
) -> HttpResponse:
    form = _form_or_none(mission, app_user, form_id)
    if form is None or form.current_version is None:
        return openrosa_message(_("No such form."), status=404)
    return HttpResponse(form.current_version.xml, content_type=XML)


@device_view
def manifest(
    request: HttpRequest, *, mission: Mission, app_user: AppUser, form_id: str
) -> HttpResponse:
    form = _form_or_none(mission, app_user, form_id)
    if form is None:
        return openrosa_message(_("No such form."), status=404)
    parts = ['<?xml version="1.0" encoding="utf-8"?>']
    parts.append('<manifest xmlns="http://openrosa.org/xforms/xformsManifest">')
    for media in _media(form):
        url = _url(request, "media", mission, form_id=form.form_id, filename=media.filename)
        parts.append(
            f"<mediaFile><filename>{escape(media.filename)}</filename>"
            f"<hash>md5:{escape(media.md5)}</hash>"
            f"<downloadUrl>{escape(url)}</downloadUrl></mediaFile>"
        )
    parts.append("</manifest>")
    return HttpResponse("".join(parts), content_type=XML)


@device_view
def media_file(
    request: HttpRequest, *, mission: Mission, app_user: AppUser, form_id: str, filename: str
) -> HttpResponse:
    form = _form_or_none(mission, app_user, form_id)
    media = (
        FormMedia.objects.filter(form_version_id=form.current_version_id, filename=filename).first()
        if form is not None
        else None
    )
    if media is None:
        return openrosa_message(_("No such file."), status=404)
    response = HttpResponse(
        bytes(media.content), content_type=media.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f'attachment; filename="{media.filename}"'
    return response


@device_view
def submission(request: HttpRequest, *, mission: Mission, app_user: AppUser) -> HttpResponse:
    if request.method == "HEAD":
        return HttpResponse(status=204)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # pragma: no cover - RequestSizeLimitMiddleware refuses these first
        declared = -1
    if declared < 0 or declared > ACCEPT_CONTENT_LENGTH:
        return openrosa_message(
            _("The submission is larger than the limit of %(limit)s bytes.")
            % {"limit": ACCEPT_CONTENT_LENGTH},
            status=413,
        )
    if not (request.content_type or "").startswith("multipart/form-data"):
        return openrosa_message(_("The submission must be multipart/form-data."), status=400)
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return openrosa_message(_("The submission has no xml_submission_file part."), status=400)
    xml = upload.read()
    attachments = [
        (f.name or "", f.content_type or "", f.read())
        for name, files in request.FILES.lists()
        if name != "xml_submission_file"
        for f in files
    ]
    try:
        _submission, created = submission_receive(
            mission=mission,
            xml=xml,
            attachments=attachments,
            source=SubmissionSource.OPENROSA,
            app_user=app_user,
        )
    except InstanceError as error:
        return openrosa_message(str(error), status=400, nature="error")
    except SubmissionConflict as error:
        return openrosa_message(str(error), status=409, nature="error")
    except SubmissionRejected as error:
        return openrosa_message(str(error), status=error.status, nature="error")
    if not created:
        return openrosa_message(
            _("This submission was already received."), status=202, nature="submit_success"
        )
    return openrosa_message(
        _("Your submission was received. Thank you."), status=201, nature="submit_success"
    )
