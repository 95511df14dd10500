"""Exports page: pick a kind and a format, watch the job's progress, download the file.

Each kind says which permission it needs; the export runs as the member (their geographic scope
and clearance) in a task. Only the member who asked may download the file, and each download is
audited.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from palava.audit.services import audit_record
from palava.core.exporters import JOB_KIND, export_kind_get, export_kinds, export_start
from palava.core.models import Job, JobStatus
from palava.core.selectors import job_of_user, jobs_of_user
from palava.missions.permissions import Perm, mission_view, role_has

RECENT_JOBS = 20
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


def _own_export_jobs(request: HttpRequest) -> list[Job]:
    mission = request.mission  # type: ignore[attr-defined]
    return list(jobs_of_user(mission=mission, user=request.user, kind=JOB_KIND)[:RECENT_JOBS])


def _own_export_job(request: HttpRequest, job_id: str) -> Job:
    mission = request.mission  # type: ignore[attr-defined]
    job = job_of_user(mission=mission, user=request.user, kind=JOB_KIND, public_id=job_id)
    if job is None:
        raise Http404(_("No such export."))
    return job


@mission_view(Perm.MISSION_VIEW)
def exports(request: HttpRequest, mission_slug: str) -> HttpResponse:
    role = request.membership.role  # type: ignore[attr-defined]
    kinds = [kind for kind in export_kinds().values() if role_has(role, kind.perm)]
    return render(
        request,
        "core/exports.html",
        {"mission": request.mission, "kinds": kinds, "jobs": _own_export_jobs(request)},  # type: ignore[attr-defined]
    )


@require_POST
@mission_view(Perm.MISSION_VIEW)
def export_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    kind = export_kind_get(request.POST.get("kind", ""))
    fmt = request.POST.get("format", "")
    membership = request.membership  # type: ignore[attr-defined]
    if kind is None or fmt not in kind.formats or not role_has(membership.role, kind.perm):
        return HttpResponseBadRequest(_("Choose one of the exports offered on the page."))
    job = export_start(actor=request.user, membership=membership, kind=kind.name, fmt=fmt)
    return redirect("exports:progress", mission_slug=mission_slug, export_id=job.public_id)


@vary_on_headers("HX-Request")
@mission_view(Perm.MISSION_VIEW)
def export_progress(request: HttpRequest, mission_slug: str, export_id: str) -> HttpResponse:
    job = _own_export_job(request, export_id)
    context = {"mission": request.mission, "job": job, "finished": job.finished_at is not None}  # type: ignore[attr-defined]
    if request.headers.get("HX-Request") == "true":
        return render(request, "core/_partials/export_progress.html", context)
    return render(request, "core/export_progress.html", context)


@mission_view(Perm.MISSION_VIEW)
def export_download(request: HttpRequest, mission_slug: str, export_id: str) -> HttpResponseBase:
    job = _own_export_job(request, export_id)
    if job.status != JobStatus.SUCCEEDED or not job.output_file:
        # not ready (or failed): the progress page says which
        return redirect("exports:progress", mission_slug=mission_slug, export_id=job.public_id)
    media = Path(settings.MEDIA_ROOT).resolve()
    path = (media / job.output_file).resolve()
    if not path.is_relative_to(media) or not path.is_file():
        raise Http404(_("This export has no file."))
    fmt = str(job.params.get("format", "csv"))
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="export.download",
            mission=job.mission,
            obj=job,
            changes={"kind": str(job.params.get("kind", "")), "status": job.status},
        )
    filename = f"palava-{job.mission.slug}-{job.params.get('kind', 'export')}.{fmt}"
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    return response
