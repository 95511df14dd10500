"""JSON API: briefing dossiers (mounted under /api/v1/ by palava.api).

Every operation needs ``Perm.DOSSIER_CREATE``. A dossier is its reader's own: another member's
dossier, an expired one or a malformed id answers 404 exactly like a missing one. Creating one
answers 202 with its status; poll ``dossiers_get`` until ``status`` is ``succeeded``, then
download the files (each download is audited).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.context import dossier_services as services
from palava.context.models import Dossier
from palava.context.schemas_dossiers import DossierIn, DossierOut
from palava.core.api_base import LazyList, Pagination, error_responses, permission, require
from palava.core.api_base import invalid_by_field as invalid
from palava.core.models import JobStatus
from palava.missions.models import Membership
from palava.missions.permissions import Perm

router = Router(tags=["context"])

_ERRORS = error_responses(401, 403, 404, 422)


def _dossier_or_404(membership: Membership, dossier_id: str) -> Dossier:
    found = services.dossier_get(membership=membership, public_id=dossier_id)
    if found is None:
        raise Http404
    return found


def _api_url(request: HttpRequest, name: str, slug: str, dossier: Dossier) -> str:
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    return reverse(
        f"{namespace}:{name}" if namespace else name,
        kwargs={"slug": slug, "dossier_id": str(dossier.public_id)},
    )


def _out(request: HttpRequest, slug: str, dossier: Dossier) -> dict[str, Any]:
    job = dossier.job
    ready = services.dossier_is_ready(dossier)
    return {
        "id": dossier.public_id,
        "kind": dossier.kind,
        "title": dossier.title,
        "places": list(dossier.places),
        "language": dossier.language,
        "clearance": dossier.clearance,
        "status": job.status if job is not None else JobStatus.FAILED,
        "progress": job.percent if job is not None else 0,
        "message": job.message if job is not None else "",
        "created_at": dossier.created_at,
        "expires_at": dossier.expires_at,
        "html_bytes": dossier.html_bytes,
        "pdf_bytes": dossier.pdf_bytes,
        "pdf_pages": dossier.pdf_pages,
        "links": {
            "html": _api_url(request, "dossiers_html", slug, dossier) if ready else None,
            "pdf": _api_url(request, "dossiers_pdf", slug, dossier) if ready else None,
        },
    }


@router.get(
    "/missions/{slug}/dossiers",
    response={200: list[DossierOut], **_ERRORS},
    operation_id="dossiers_list",
    summary="Your briefing dossiers",
    description="The caller's own dossiers that have not expired yet, newest first.",
    openapi_extra=permission(Perm.DOSSIER_CREATE),
)
@paginate(Pagination)
def dossiers_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.DOSSIER_CREATE)
    found = services.dossier_list(membership=membership)
    return LazyList(found, lambda dossier: _out(request, slug, dossier))  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/dossiers",
    response={202: DossierOut, **_ERRORS},
    operation_id="dossiers_create",
    summary="Ask for a briefing dossier of a place or a route",
    description=(
        "Generated in the background for the caller (their clearance, area and language); "
        "answers 202 at once. At most 3 of the caller's dossiers are generated at a time."
    ),
    openapi_extra=permission(Perm.DOSSIER_CREATE),
)
def dossiers_create(request: HttpRequest, slug: str, payload: DossierIn) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.DOSSIER_CREATE)
    language = payload.language or getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    try:
        dossier = services.dossier_request(
            actor=membership.user,
            membership=membership,
            kind=payload.kind,
            places=list(payload.places),
            language=language,
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Status(202, _out(request, slug, _dossier_or_404(membership, str(dossier.public_id))))


@router.get(
    "/missions/{slug}/dossiers/{dossier_id}",
    response={200: DossierOut, **_ERRORS},
    operation_id="dossiers_get",
    summary="One of your dossiers: status, progress, sizes and links",
    openapi_extra=permission(Perm.DOSSIER_CREATE),
)
def dossiers_get(request: HttpRequest, slug: str, dossier_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.DOSSIER_CREATE)
    return _out(request, slug, _dossier_or_404(membership, dossier_id))


def _file(request: HttpRequest, slug: str, dossier_id: str, fmt: str) -> HttpResponse:
    membership = require(request, slug, Perm.DOSSIER_CREATE)
    dossier = _dossier_or_404(membership, dossier_id)
    try:
        data = services.dossier_download(
            actor=membership.user, membership=membership, dossier=dossier, fmt=fmt
        )
    except ValidationError as exc:
        raise HttpError(409, " ".join(str(m) for m in exc.messages)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    response = HttpResponse(data, content_type=services.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, services.download_name(dossier, fmt)
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_docs(content_type: str) -> dict[str, Any]:
    return {
        **permission(Perm.DOSSIER_CREATE),
        "responses": {
            200: {
                "description": "The file, as an attachment.",
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    }


@router.get(
    "/missions/{slug}/dossiers/{dossier_id}/dossier.html",
    response=error_responses(401, 403, 404, 409, 422),
    operation_id="dossiers_html",
    url_name="dossiers_html",
    summary="Download a dossier as one offline HTML file",
    description="Self-contained (map included); works without a network. 409 until ready.",
    openapi_extra=_file_docs("text/html"),
)
def dossiers_html(request: HttpRequest, slug: str, dossier_id: str) -> HttpResponse:
    return _file(request, slug, dossier_id, "html")


@router.get(
    "/missions/{slug}/dossiers/{dossier_id}/dossier.pdf",
    response=error_responses(401, 403, 404, 409, 422),
    operation_id="dossiers_pdf",
    url_name="dossiers_pdf",
    summary="Download a dossier as a PDF",
    description="An A4 PDF of the same dossier. 409 until ready.",
    openapi_extra=_file_docs("application/pdf"),
)
def dossiers_pdf(request: HttpRequest, slug: str, dossier_id: str) -> HttpResponse:
    return _file(request, slug, dossier_id, "pdf")


@router.delete(
    "/missions/{slug}/dossiers/{dossier_id}",
    response={204: None, **_ERRORS},
    operation_id="dossiers_delete",
    summary="Delete one of your dossiers",
    openapi_extra=permission(Perm.DOSSIER_CREATE),
)
def dossiers_delete(request: HttpRequest, slug: str, dossier_id: str) -> Status[None]:
    membership = require(request, slug, Perm.DOSSIER_CREATE)
    dossier = _dossier_or_404(membership, dossier_id)
    services.dossier_delete(actor=membership.user, membership=membership, dossier=dossier)
    return Status(204, None)
