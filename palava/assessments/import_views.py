"""Importing submissions exported from KoboToolbox or ODK Central: the upload page (choose the
form and the file) and the job's page with its progress (polled with htmx) and its report.

A member sees only the import jobs they started (a report quotes rows of the file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.vary import vary_on_headers

from palava.assessments import form_selectors
from palava.assessments.import_services import JOB_KIND, survey_import_start
from palava.assessments.imports import MAX_BYTES
from palava.assessments.models import Form
from palava.core.models import Job, JobStatus
from palava.core.selectors import job_of_user, jobs_of_user
from palava.missions.models import Mission
from palava.missions.permissions import Perm, mission_view
from palava.places.import_views import store_upload

SUFFIXES = {".xlsx", ".csv", ".txt", ".zip"}
RECENT_JOBS = 10


class SurveyImportForm(forms.Form):
    form: forms.ModelChoiceField[Form] = forms.ModelChoiceField(
        label=gettext_lazy("Form"), queryset=None, to_field_name="public_id", empty_label=None
    )
    file = forms.FileField(label=gettext_lazy("Exported file"))

    def __init__(self, *args: Any, mission: Mission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["form"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = form_selectors.forms_for(mission=mission).filter(
            archived_at__isnull=True, current_version__isnull=False
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": upload.size, "limit": MAX_BYTES}
            )
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Upload a .xlsx, .csv or .zip file."))
        return upload


@mission_view(Perm.FORM_MANAGE)
def survey_import_upload(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission: Mission = request.mission  # type: ignore[attr-defined]
    initial = {"form": request.GET.get("form", "")[:40]}
    form = SurveyImportForm(
        request.POST or None, request.FILES or None, mission=mission, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = store_upload(upload, mission.slug)
        job = survey_import_start(
            actor=request.user,
            mission=mission,
            form=form.cleaned_data["form"],
            input_file=str(stored),
            source=Path(upload.name).name,
        )
        return redirect("survey_import:job", mission_slug=mission.slug, survey_job_id=job.public_id)
    return render(
        request,
        "assessments/import_upload.html",
        {
            "mission": mission,
            "form": form,
            "has_forms": form.fields["form"].queryset.exists(),  # type: ignore[attr-defined]
            "max_bytes": MAX_BYTES,
            "jobs": list(
                jobs_of_user(mission=mission, user=request.user, kind=JOB_KIND)[:RECENT_JOBS]
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def _job(request: HttpRequest, survey_job_id: Any) -> Job:
    job = job_of_user(
        mission=request.mission,  # type: ignore[attr-defined]
        user=request.user,
        kind=JOB_KIND,
        public_id=str(survey_job_id),
    )
    if job is None:
        raise Http404(_("No such import."))
    return job


def job_message(job: Job) -> str:
    """The job's message in the reader's language: the worker wrote it in its own (the
    messages it writes are fixed texts, except the summary, rebuilt here from the counts)."""
    result = job.result if isinstance(job.result, dict) else {}
    if job.status == JobStatus.SUCCEEDED and "created" in result:
        return _(
            "Imported: %(created)s; already present: %(duplicates)s; rows skipped: %(skipped)s."
        ) % {
            "created": result.get("created", 0),
            "duplicates": int(result.get("duplicates") or 0) + int(result.get("conflicts") or 0),
            "skipped": result.get("skipped", 0),
        }
    return _(job.message) if job.message else ""


@vary_on_headers("HX-Request")
@mission_view(Perm.FORM_MANAGE)
def survey_import_job(request: HttpRequest, mission_slug: str, survey_job_id: Any) -> HttpResponse:
    """The job's page; htmx polls it every 2 s and gets only the status part."""
    mission: Mission = request.mission  # type: ignore[attr-defined]
    job = _job(request, survey_job_id)
    context = {
        "mission": mission,
        "job": job,
        "message": job_message(job),
        "finished": job.finished_at is not None,
        "poll_url": reverse(
            "survey_import:job",
            kwargs={"mission_slug": mission.slug, "survey_job_id": job.public_id},
        ),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "assessments/import_status.html", context)
    return render(request, "assessments/import_job.html", context)
