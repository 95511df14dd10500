"""Submission pages: the list (filters, 50 a page), a submission's answers as the form's question
tree with labels in the chosen language, its attachments, instance XML and edit history, and
the raw exports (XLSX with repeat sheets, zip of CSVs) of one form.

Submissions are found only through :mod:`palava.assessments.submission_selectors` (mission,
role, geographic scope): one the member may not see answers 404 like a missing one. Reading a
submission's answers, its XML or an attachment is audited by
:mod:`palava.assessments.submission_read`; an export by :mod:`palava.assessments.raw_export`.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from palava.assessments import form_selectors, raw_export, submission_read
from palava.assessments import submission_selectors as selectors
from palava.assessments.models import (
    Form,
    Submission,
    SubmissionAttachment,
    SubmissionSource,
    SubmissionStatus,
)
from palava.assessments.quality import QUALITY_FLAGS
from palava.assessments.submission_tree import AnswerTree, choose_language, form_languages
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, mission_view, role_has

PAGE_SIZE = 50
RESULTS_TARGET = "submission-results"
SAFE_INLINE_TYPES = ("image/", "audio/", "video/")
SAFE_TYPES = ("application/pdf", "text/csv", "text/plain")


def quality_flags() -> dict[str, Any]:
    """Flag codes and their labels."""
    return dict(QUALITY_FLAGS)


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _mission(request: HttpRequest) -> Mission:
    return request.mission  # type: ignore[attr-defined, no-any-return]


def _wants_partial(request: HttpRequest, target: str) -> bool:
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    pairs = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in names
        for value in values
        if value
    ]
    return urlencode(pairs)


# --- List ------------------------------------------------------------------------------------


STATUS_CHOICES = [
    ("", gettext_lazy("Current")),
    (SubmissionStatus.SUPERSEDED.value, gettext_lazy("Replaced by an edit")),
    (selectors.STATUS_ALL, gettext_lazy("All")),
]


class SubmissionFilterForm(forms.Form):
    form = forms.ChoiceField(label=gettext_lazy("Form"), required=False)
    round = forms.ChoiceField(label=gettext_lazy("Round"), required=False)
    place = forms.CharField(label=gettext_lazy("Place (P-code)"), required=False, max_length=32)
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        required=False,
        choices=[("", gettext_lazy("Any source")), *SubmissionSource.choices],
    )
    flag = forms.ChoiceField(label=gettext_lazy("Quality flag"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_CHOICES)
    since = forms.DateField(
        label=gettext_lazy("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("Received until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, mission: Mission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_form = ("", _("Any form"))
        self.fields["form"].choices = [  # type: ignore[attr-defined]
            any_form,
            *((str(f.public_id), f.title) for f in form_selectors.forms_for(mission=mission)),
        ]
        self.fields["round"].choices = [  # type: ignore[attr-defined]
            ("", _("Any round")),
            *((str(r.public_id), r.name) for r in selectors.rounds_of_mission(mission=mission)),
        ]
        self.fields["flag"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *((code, str(label)) for code, label in quality_flags().items()),
        ]

    def filters(self) -> selectors.SubmissionFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.SubmissionFilters()
        data = self.cleaned_data
        return selectors.SubmissionFilters(
            form=data.get("form") or "",
            round=data.get("round") or "",
            place=(data.get("place") or "").strip(),
            source=data.get("source") or "",
            flag=data.get("flag") or "",
            status=data.get("status") or "",
            since=data.get("since"),
            until=data.get("until"),
        )


@dataclass(frozen=True)
class Row:
    submission: Submission
    flags: list[str]


@never_cache
@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.SUBMISSION_VIEW)
def submission_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    mission = _mission(request)
    filter_form = SubmissionFilterForm(request.GET or None, mission=mission)
    filters = filter_form.filters()
    found = selectors.submission_list(membership=membership, filters=filters)
    export_form = None
    if filters.form and can_export(membership):
        export_form = (
            form_selectors.forms_for(mission=mission).filter(public_id=filters.form).first()
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = quality_flags()
    rows = [
        Row(submission=s, flags=[str(labels.get(code, code)) for code in s.quality_flags or []])
        for s in page.object_list
    ]
    context = {
        "mission": mission,
        "form": filter_form,
        "page": page,
        "rows": rows,
        "query": _query_without(request, "page"),
        "results_target": RESULTS_TARGET,
        "filtered": filter_form.is_bound,
        "export_form": export_form,
        "export_round": filters.round if export_form is not None else "",
    }
    if _wants_partial(request, RESULTS_TARGET):
        return render(request, "assessments/submission_results.html", context)
    return render(request, "assessments/submission_list.html", context)


# --- Detail ----------------------------------------------------------------------------------


def _submission_or_404(request: HttpRequest, submission_id: uuid.UUID) -> Submission:
    found = selectors.submission_get(
        mission=_mission(request), membership=_membership(request), public_id=submission_id
    )
    if found is None:
        raise Http404(_("No such submission."))
    return found


@never_cache
@mission_view(Perm.SUBMISSION_VIEW)
def submission_detail(
    request: HttpRequest, mission_slug: str, submission_id: uuid.UUID
) -> HttpResponse:
    membership = _membership(request)
    submission = _submission_or_404(request, submission_id)
    submission_read.submission_read(
        actor=request.user, membership=membership, submission=submission
    )
    version = submission.form_version or submission.form.current_version
    definition: dict[str, Any] = (
        version.definition if version is not None and isinstance(version.definition, dict) else {}
    )
    languages = form_languages(definition, list(version.languages) if version else [])
    default = (version.default_language if version else "") or str(
        definition.get("default_language") or ""
    )
    lang = choose_language(languages, request.GET.get("lang", ""), default)
    data = submission.data if isinstance(submission.data, dict) else {}
    tree, others = AnswerTree(definition, lang).build(data)
    labels = quality_flags()
    return render(
        request,
        "assessments/submission_detail.html",
        {
            "mission": membership.mission,
            "submission": submission,
            "form": submission.form,
            "version": version,
            "tree": tree,
            "others": others,
            "form_languages": languages,
            "form_lang": lang,
            "flags": [str(labels.get(code, code)) for code in submission.quality_flags or []],
            "attachments": list(
                submission.attachments.order_by("filename").only(
                    "filename", "content_type", "size", "submission_id", "public_id"
                )
            ),
            "history": selectors.submission_history(membership=membership, submission=submission),
        },
    )


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _attachment_type(attachment: SubmissionAttachment) -> str:
    kind = (attachment.content_type or "").split(";")[0].strip().lower()
    if kind.startswith(SAFE_INLINE_TYPES) or kind in SAFE_TYPES:
        return kind
    return "application/octet-stream"


@mission_view(Perm.SUBMISSION_VIEW)
def attachment_download(
    request: HttpRequest, mission_slug: str, submission_id: uuid.UUID, filename: str
) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    attachment = selectors.attachment_get(submission=submission, filename=filename)
    if attachment is None:
        raise Http404(_("No such attachment."))
    submission_read.attachment_read(
        actor=request.user, membership=_membership(request), attachment=attachment
    )
    response = HttpResponse(bytes(attachment.content), content_type=_attachment_type(attachment))
    return _download(response, attachment.filename)


@mission_view(Perm.SUBMISSION_VIEW)
def instance_xml(request: HttpRequest, mission_slug: str, submission_id: uuid.UUID) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    submission_read.submission_read(
        actor=request.user, membership=_membership(request), submission=submission, xml=True
    )
    response = HttpResponse(submission.xml, content_type="text/xml; charset=utf-8")
    return _download(response, f"{submission.form.form_id}-{submission.public_id}.xml")


# --- Raw exports -----------------------------------------------------------------------------


def _form_or_404(request: HttpRequest, form_id: uuid.UUID) -> Form:
    try:
        return form_selectors.form_get(mission=_mission(request), public_id=form_id)
    except Form.DoesNotExist:
        raise Http404(_("No such form.")) from None


def _export(request: HttpRequest, form_id: uuid.UUID, fmt: str) -> HttpResponseBase:
    form = _form_or_404(request, form_id)
    round_ = None
    if request.GET.get("round"):
        round_ = selectors.round_for_form(form=form, public_id=request.GET["round"])
        if round_ is None:
            raise Http404(_("No such round."))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        raw_export.raw_export(
            actor=request.user,
            membership=_membership(request),
            form=form,
            fmt=fmt,
            out=out,
            round=round_,
        )
    except raw_export.ExportTooLarge as error:
        out.close()
        return HttpResponse(str(error), status=413, content_type="text/plain; charset=utf-8")
    except BaseException:
        out.close()
        raise
    out.seek(0)
    name = raw_export.export_filename(form, fmt)
    response = FileResponse(
        out, as_attachment=True, filename=name, content_type=raw_export.CONTENT_TYPES[fmt]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@mission_view(Perm.SUBMISSION_EXPORT)
def export_xlsx(request: HttpRequest, mission_slug: str, form_id: uuid.UUID) -> HttpResponseBase:
    return _export(request, form_id, "xlsx")


@mission_view(Perm.SUBMISSION_EXPORT)
def export_zip(request: HttpRequest, mission_slug: str, form_id: uuid.UUID) -> HttpResponseBase:
    return _export(request, form_id, "zip")


def can_export(membership: Membership) -> bool:
    return role_has(membership.role, Perm.SUBMISSION_EXPORT)
