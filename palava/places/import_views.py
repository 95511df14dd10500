"""Upload page for places imports, and the job's progress page (polled with htmx)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.vary import vary_on_headers

from palava.core.models import Job
from palava.core.services import job_create
from palava.missions.permissions import Perm, mission_view
from palava.places.importers.base import max_import_bytes
from palava.places.importers.service import FORMATS, JOB_KIND, import_job_get

FORMAT_LABELS = {
    "auto": gettext_lazy("Detect from the content"),
    "gazetteer": gettext_lazy("Gazetteer of admin units (OCHA P-code CSV)"),
    "settlements": gettext_lazy("Settlements and sites (CSV with latitude and longitude)"),
    "boundaries": gettext_lazy("Boundaries (GeoJSON)"),
    "population": gettext_lazy("Population by sex and age (COD-PS CSV)"),
}
SUFFIXES = {".csv", ".txt", ".geojson", ".json"}


class PlacesImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(key, FORMAT_LABELS[key]) for key in ("auto", *FORMATS)],
        initial="auto",
        required=False,
    )
    year = forms.IntegerField(
        label=gettext_lazy("Reference year (population files without a year column)"),
        required=False,
        min_value=1900,
        max_value=2100,
    )
    strict = forms.BooleanField(
        label=gettext_lazy("Treat P-code convention warnings as errors"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": upload.size, "limit": limit}
            )
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv, .geojson or .json file."))
        return upload


def import_dir() -> Path:
    """Where uploaded files wait for their job (``PALAVA_IMPORT_DIR``, else under the data dir)."""
    configured = getattr(settings, "PALAVA_IMPORT_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "imports"


def store_upload(upload: Any, mission_slug: str) -> Path:
    """Save an uploaded file under the import dir with a random name (jobs read it from there)."""
    folder = import_dir() / mission_slug
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return target


@mission_view(Perm.PLACE_IMPORT)
def places_import(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = request.mission  # type: ignore[attr-defined]
    form = PlacesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from palava.core.importers import import_kind_get

        upload = form.cleaned_data["file"]
        stored = store_upload(upload, mission.slug)
        params: dict[str, Any] = {
            "format": form.cleaned_data["format"] or "auto",
            "strict": form.cleaned_data["strict"],
            "source": Path(upload.name).name[:200],
        }
        if form.cleaned_data.get("year"):
            params["year"] = form.cleaned_data["year"]
        kind = import_kind_get("places")
        assert kind is not None
        with transaction.atomic():
            job = job_create(
                actor=request.user,
                mission=mission,
                kind=JOB_KIND,
                params=params,
                input_file=str(stored),
            )
            transaction.on_commit(lambda: kind.enqueue(job))
        return redirect("places_import:progress", mission_slug=mission.slug, job_id=job.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "places/import.html",
        {"mission": mission, "form": form, "max_bytes": max_import_bytes()},
        status=status,
    )


def _job(mission: Any, job_id: str) -> Job:
    job = import_job_get(mission=mission, public_id=job_id)
    if job is None:
        raise Http404(_("No such import."))
    return job


@vary_on_headers("HX-Request")
@mission_view(Perm.PLACE_IMPORT)
def places_import_progress(request: HttpRequest, mission_slug: str, job_id: str) -> HttpResponse:
    """The job's page; htmx polls it every 2 s and gets only the partial."""
    mission = request.mission  # type: ignore[attr-defined]
    job = _job(mission, job_id)
    context = {"mission": mission, "job": job, "finished": job.finished_at is not None}
    if request.headers.get("HX-Request") == "true":
        return render(request, "places/_partials/import_progress.html", context)
    return render(request, "places/import_progress.html", context)
