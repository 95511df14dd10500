"""Briefing dossier pages: the member's dossiers with the "new dossier" form, a dossier's page
with its progress (polled with htmx until the job finishes), the downloads, deleting.

Every page needs ``Perm.DOSSIER_CREATE``; dossiers are found through
:func:`palava.context.dossier_services.dossier_get`, which returns only the member's own (any
other answers 404, like a missing one). Writes and downloads go through the services (audited).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from palava.context import dossier_services as services
from palava.context.dossier_forms import DossierForm
from palava.context.models import Dossier, DossierKind
from palava.engagement.view_support import membership_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view
from palava.places.search import place_search

PLACE_OPTIONS = 15


def _dossier_or_404(membership: Membership, dossier_id: Any) -> Dossier:
    found = services.dossier_get(membership=membership, public_id=dossier_id)
    if found is None:
        raise Http404(_("No such dossier."))
    return found


def _default_language(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    return language if language in codes else settings.LANGUAGE_CODE


def _form(request: HttpRequest, data: Any = None) -> DossierForm:
    slug = membership_of(request).mission.slug
    options_url = reverse("dossiers:place_options", kwargs={"mission_slug": slug})
    initial = {"language": _default_language(request), "kind": DossierKind.PLACE}
    place = request.GET.get("place", "")[:60]
    if place:
        initial["place"] = place
    return DossierForm(data, initial=initial, options_url=options_url)


def _list_page(request: HttpRequest, form: DossierForm, *, status: int = 200) -> HttpResponse:
    membership = membership_of(request)
    dossiers = list(services.dossier_list(membership=membership)[:100])
    return render(
        request,
        "context/dossiers/list.html",
        {
            "mission": membership.mission,
            "form": form,
            "dossiers": [(d, services.dossier_is_ready(d)) for d in dossiers],
            "route_max": services.ROUTE_MAX_STOPS,
        },
        status=status,
    )


@require_GET
@mission_view(Perm.DOSSIER_CREATE)
def dossier_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    return _list_page(request, _form(request))


@require_POST
@mission_view(Perm.DOSSIER_CREATE)
def dossier_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = _form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            dossier = services.dossier_request(
                actor=request.user,
                membership=membership,
                kind=data["kind"],
                places=data["codes"],
                language=data["language"],
            )
        except ValidationError as error:
            _apply_errors(form, error, kind=data["kind"])
        else:
            messages.success(request, _("Your dossier is being generated."))
            return redirect(
                "dossiers:detail", mission_slug=mission_slug, dossier_id=dossier.public_id
            )
    return _list_page(request, form, status=400)


def _apply_errors(form: DossierForm, error: ValidationError, *, kind: str) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        if name == "places":
            form.add_error("place" if kind == DossierKind.PLACE else None, errors)
        else:
            form.add_error(name if name in form.fields else None, errors)


def _progress_context(membership: Membership, dossier: Dossier) -> dict[str, Any]:
    job = dossier.job
    return {
        "mission": membership.mission,
        "dossier": dossier,
        "job": job,
        "finished": job is None or job.finished_at is not None,
        "ready": services.dossier_is_ready(dossier),
    }


@require_GET
@mission_view(Perm.DOSSIER_CREATE)
def dossier_detail(request: HttpRequest, mission_slug: str, dossier_id: Any) -> HttpResponse:
    membership = membership_of(request)
    dossier = _dossier_or_404(membership, dossier_id)
    return render(request, "context/dossiers/detail.html", _progress_context(membership, dossier))


@require_GET
@mission_view(Perm.DOSSIER_CREATE)
def dossier_progress(request: HttpRequest, mission_slug: str, dossier_id: Any) -> HttpResponse:
    """The progress panel alone (htmx polls it every 2 s until the job finishes)."""
    membership = membership_of(request)
    dossier = _dossier_or_404(membership, dossier_id)
    response = render(
        request, "context/dossiers/_progress.html", _progress_context(membership, dossier)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _download(request: HttpRequest, dossier_id: Any, fmt: str) -> HttpResponse:
    membership = membership_of(request)
    dossier = _dossier_or_404(membership, dossier_id)
    try:
        data = services.dossier_download(
            actor=request.user, membership=membership, dossier=dossier, fmt=fmt
        )
    except ValidationError as error:
        raise Http404(_("The dossier is not ready yet.")) from error
    response = HttpResponse(data, content_type=services.CONTENT_TYPES[fmt])
    # An attachment for offline use: no sandbox CSP on the file itself (see the module note).
    response["Content-Disposition"] = content_disposition_header(
        True, services.download_name(dossier, fmt)
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@mission_view(Perm.DOSSIER_CREATE)
def dossier_html(request: HttpRequest, mission_slug: str, dossier_id: Any) -> HttpResponse:
    return _download(request, dossier_id, "html")


@require_GET
@mission_view(Perm.DOSSIER_CREATE)
def dossier_pdf(request: HttpRequest, mission_slug: str, dossier_id: Any) -> HttpResponse:
    return _download(request, dossier_id, "pdf")


@require_POST
@mission_view(Perm.DOSSIER_CREATE)
def dossier_delete(request: HttpRequest, mission_slug: str, dossier_id: Any) -> HttpResponse:
    membership = membership_of(request)
    dossier = _dossier_or_404(membership, dossier_id)
    services.dossier_delete(actor=request.user, membership=membership, dossier=dossier)
    messages.success(request, _("Dossier deleted."))
    return redirect("dossiers:list", mission_slug=mission_slug)


@require_GET
@mission_view(Perm.DOSSIER_CREATE)
def place_options(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """``<option>``s of units and sites in the member's area matching what was typed (htmx)."""
    membership = membership_of(request)
    text = ""
    for key in ("q", "place", "stops"):
        text = (request.GET.get(key) or "")[:100]
        if text.strip():
            break
    hits = place_search(membership=membership, query=text, limit=PLACE_OPTIONS) if text else []
    response = render(request, "context/dossiers/_place_options.html", {"hits": hits})
    response["Cache-Control"] = "private, max-age=60"
    return response
