"""Form pages: the list, uploading an XLSForm (errors with sheet, row and column), a form's page
with its versions, downloads and a preview of the question tree, media and closing a form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages as flash
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.assessments import form_selectors, form_services
from palava.assessments.forms import MediaUploadForm, XLSFormUploadForm
from palava.assessments.models import MAX_MEDIA_BYTES, MAX_XLSFORM_BYTES, Form, FormVersion
from palava.assessments.xlsform import Problem, XLSFormError
from palava.missions.models import Mission
from palava.missions.permissions import Perm, mission_view, role_has

CONTAINERS = {"group", "repeat", "survey"}
HIDDEN = {"calculate", "start", "end", "today", "deviceid", "username", "phonenumber"}


def _mission(request: HttpRequest) -> Mission:
    return request.mission  # type: ignore[attr-defined, no-any-return]


def _form_or_404(request: HttpRequest, form_id: uuid.UUID) -> Form:
    try:
        return form_selectors.form_get(mission=_mission(request), public_id=form_id)
    except Form.DoesNotExist:
        raise Http404(_("No such form.")) from None


def _version_or_404(form: Form, number: int) -> FormVersion:
    try:
        return form_selectors.form_version_get(form=form, number=number)
    except FormVersion.DoesNotExist:
        raise Http404(_("No such form version.")) from None


def _detail_url(form: Form, slug: str) -> str:
    return reverse("assessments:detail", kwargs={"mission_slug": slug, "form_id": form.public_id})


def _read(upload: UploadedFile[bytes], limit: int) -> bytes | None:
    if upload.size is not None and upload.size > limit:
        return None
    data = upload.read(limit + 1)
    return None if len(data) > limit else data


def _too_large(limit: int) -> str:
    return _("The file is too large (limit %(mb)d MB).") % {"mb": limit // (1024 * 1024)}


@dataclass
class Node:
    """One question or group of the preview, with its text in the chosen language."""

    name: str
    kind: str
    label: str = ""
    hint: str = ""
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: str = ""
    calculation: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def is_container(self) -> bool:
        return self.kind in ("group", "repeat")


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        for key in (lang, "default"):
            if key in value:
                return str(value[key])
        return str(next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _node(item: dict[str, Any], lang: str, choices: dict[str, Any]) -> Node:
    kind = str(item.get("type", ""))
    bind = item.get("bind") or {}
    node = Node(
        name=str(item.get("name", "")),
        kind=kind,
        label=_text(item.get("label"), lang),
        hint=_text(item.get("hint"), lang),
        required=str(bind.get("required", "")).lower() in ("true()", "yes", "true"),
        relevant=str(bind.get("relevant", "")),
        constraint=str(bind.get("constraint", "")),
        constraint_message=_text(bind.get("jr:constraintMsg"), lang),
        calculation=str(bind.get("calculate", "")),
    )
    if kind.startswith("select") or kind in ("rank", "select one", "select all that apply"):
        options = (
            item.get("children")
            or (item.get("choices") if isinstance(item.get("choices"), list) else None)
            or choices.get(str(item.get("itemset", "")))
            or []
        )
        node.choices = [
            (str(o.get("name", "")), _text(o.get("label"), lang))
            for o in options
            if isinstance(o, dict)
        ]
    elif kind in CONTAINERS:
        node.children = [
            _node(child, lang, choices)
            for child in item.get("children") or []
            if isinstance(child, dict) and not (child.get("control") or {}).get("bodyless")
        ]
    return node


def preview_tree(definition: dict[str, Any], lang: str) -> list[Node]:
    choices = definition.get("choices") if isinstance(definition.get("choices"), dict) else {}
    return _node(definition, lang, choices or {}).children


@never_cache
@mission_view(Perm.FORM_VIEW)
def form_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    return render(
        request,
        "assessments/form_list.html",
        {
            "mission": mission,
            "forms": form_selectors.forms_for(mission=mission),
            "can_manage": role_has(request.membership.role, Perm.FORM_MANAGE),  # type: ignore[attr-defined]
        },
    )


@never_cache
@mission_view(Perm.FORM_MANAGE)
def form_upload(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    problems: list[Problem] = []
    upload_form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload_form.is_valid():
        upload: UploadedFile[bytes] = upload_form.cleaned_data["file"]
        content = _read(upload, MAX_XLSFORM_BYTES)
        if content is None:
            problems = [Problem(_too_large(MAX_XLSFORM_BYTES))]
        else:
            try:
                version = form_services.form_upload(
                    actor=request.user,
                    mission=mission,
                    filename=upload.name or "",
                    content=content,
                )
            except XLSFormError as exc:
                problems = exc.problems
            else:
                flash.success(
                    request,
                    _("Form uploaded as version %(number)d.") % {"number": version.number},
                )
                return redirect(_detail_url(version.form, mission.slug))
    status = 400 if problems or (request.method == "POST" and not upload_form.is_valid()) else 200
    return render(
        request,
        "assessments/form_upload.html",
        {
            "mission": mission,
            "upload_form": upload_form,
            "problems": problems,
            "max_mb": MAX_XLSFORM_BYTES // (1024 * 1024),
        },
        status=status,
    )


@never_cache
@mission_view(Perm.FORM_VIEW)
def form_detail(request: HttpRequest, mission_slug: str, form_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    form = _form_or_404(request, form_id)
    current = form.current_version
    languages: list[str] = list(current.languages) if current else []
    lang = request.GET.get("lang", "")
    if lang not in languages:
        lang = (current.default_language if current else "") or (languages[0] if languages else "")
    tree = preview_tree(current.definition, lang) if current else []
    return render(
        request,
        "assessments/form_detail.html",
        {
            "mission": mission,
            "form": form,
            "current": current,
            "versions": form_selectors.form_versions(form=form),
            "form_languages": languages,
            "form_lang": lang,
            "tree": tree,
            "can_manage": role_has(request.membership.role, Perm.FORM_MANAGE),  # type: ignore[attr-defined]
            "media_form": MediaUploadForm(),
        },
    )


_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "csv": "text/csv",
    "md": "text/markdown",
}


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "") or "form"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@mission_view(Perm.FORM_VIEW)
def download_source(
    request: HttpRequest, mission_slug: str, form_id: uuid.UUID, number: int
) -> HttpResponse:
    version = _version_or_404(_form_or_404(request, form_id), number)
    content_type = _CONTENT_TYPES.get(version.source_format, "application/octet-stream")
    return _attachment(
        HttpResponse(bytes(version.source), content_type=content_type), version.source_name
    )


@mission_view(Perm.FORM_VIEW)
def download_xform(
    request: HttpRequest, mission_slug: str, form_id: uuid.UUID, number: int
) -> HttpResponse:
    form = _form_or_404(request, form_id)
    version = _version_or_404(form, number)
    return _attachment(
        HttpResponse(version.xml, content_type="text/xml; charset=utf-8"),
        f"{form.form_id}-v{version.number}.xml",
    )


@require_POST
@mission_view(Perm.FORM_MANAGE)
def media_upload(request: HttpRequest, mission_slug: str, form_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    form = _form_or_404(request, form_id)
    media_form = MediaUploadForm(request.POST, request.FILES)
    if form.current_version is None:
        raise Http404(_("No such form version."))
    if media_form.is_valid():
        upload: UploadedFile[bytes] = media_form.cleaned_data["file"]
        content = _read(upload, MAX_MEDIA_BYTES)
        if content is None:
            flash.error(request, _too_large(MAX_MEDIA_BYTES))
        else:
            form_services.form_media_add(
                actor=request.user,
                form_version=form.current_version,
                filename=upload.name or "media",
                content_type=upload.content_type or "",
                content=content,
            )
            flash.success(request, _("Media file added."))
    else:
        flash.error(request, _("Choose a file to upload."))
    return redirect(_detail_url(form, mission.slug))


@require_POST
@mission_view(Perm.FORM_MANAGE)
def form_accepting(request: HttpRequest, mission_slug: str, form_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    form = _form_or_404(request, form_id)
    accepting = request.POST.get("accepting") == "1"
    form_services.form_set_accepting(actor=request.user, form=form, accepting=accepting)
    if accepting:
        flash.success(request, _("The form accepts submissions again."))
    else:
        flash.success(request, _("The form is closed: new submissions are refused."))
    return redirect(_detail_url(form, mission.slug))
