"""Upload page for actors imports (CSV or XLSX with HXL hashtags), and the job's progress page
(polled with htmx). The import runs as a core Job and its task (``palava.actors.exchange``): every
row is checked first, one bad row and nothing is written, each problem with its line number.

A member sees only the import jobs they started: a job's report names places and rows that
another member's scope may not cover.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.vary import vary_on_headers

from palava.actors.exchange import IMPORT_JOB_KIND
from palava.core.importers import import_kind_get
from palava.core.models import Job
from palava.core.selectors import job_of_user, jobs_of_user
from palava.core.services import job_create
from palava.missions.permissions import Perm, mission_view
from palava.places.import_views import store_upload
from palava.places.importers.base import max_import_bytes

SUFFIXES = {".csv", ".txt", ".xlsx"}
RECENT_JOBS = 10


class ActorsImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": upload.size, "limit": limit}
            )
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


@mission_view(Perm.ACTOR_MANAGE)
def actors_import(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = request.mission  # type: ignore[attr-defined]
    form = ActorsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = import_kind_get("actors")
        assert kind is not None, "palava.actors.importers registers the actors kind"
        upload = form.cleaned_data["file"]
        stored = store_upload(upload, mission.slug)
        with transaction.atomic():
            job = job_create(
                actor=request.user,
                mission=mission,
                kind=IMPORT_JOB_KIND,
                params={"source": Path(upload.name).name[:200]},
                input_file=str(stored),
            )
            transaction.on_commit(lambda: kind.enqueue(job))
        return redirect(
            "actors:import_progress", mission_slug=mission.slug, import_id=job.public_id
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "actors/import.html",
        {
            "mission": mission,
            "form": form,
            "max_bytes": max_import_bytes(),
            "jobs": list(
                jobs_of_user(mission=mission, user=request.user, kind=IMPORT_JOB_KIND)[:RECENT_JOBS]
            ),
        },
        status=status,
    )


def _job(request: HttpRequest, import_id: Any) -> Job:
    job = job_of_user(
        mission=request.mission,  # type: ignore[attr-defined]
        user=request.user,
        kind=IMPORT_JOB_KIND,
        public_id=str(import_id),
    )
    if job is None:
        raise Http404(_("No such import."))
    return job


@vary_on_headers("HX-Request")
@mission_view(Perm.ACTOR_MANAGE)
def actors_import_progress(request: HttpRequest, mission_slug: str, import_id: Any) -> HttpResponse:
    """The job's page; htmx polls it every 2 s and gets only the partial."""
    mission = request.mission  # type: ignore[attr-defined]
    job = _job(request, import_id)
    context = {
        "mission": mission,
        "job": job,
        "finished": job.finished_at is not None,
        "poll_url": reverse(
            "actors:import_progress",
            kwargs={"mission_slug": mission.slug, "import_id": job.public_id},
        ),
        "report_template": "actors/_partials/import_report.html",
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "core/_partials/import_progress.html", context)
    return render(request, "actors/import_progress.html", context)
