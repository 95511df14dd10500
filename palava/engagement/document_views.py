"""Download of one file attached to an engagement record.

The owner record must be visible to the member (``documents.documents_visible``: mission, scope
and clearance), otherwise 404 as for a document that does not exist. File contents are
confidential, so the read needs clearance of at least confidential and is audited. The file is
served as an attachment that a browser must neither sniff nor run.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from palava.engagement import documents
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view

# A sandbox without "allow-scripts": nothing in the file runs even if a browser renders it.
# (script-src 'self' matches the site policy that every answer carries; sandbox overrides it.)
DOWNLOAD_CSP = (
    "sandbox; default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@never_cache
@require_safe
@mission_view(Perm.ACTIVITY_VIEW)
def document_download(request: HttpRequest, mission_slug: str, document_id: UUID) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    document = documents.document_get(membership=membership, public_id=document_id)
    if document is None:
        raise Http404(_("No such document."))
    if not documents.may_read_content(membership):
        raise PermissionDenied(_("Your role does not allow this."))
    content = documents.document_read(actor=request.user, membership=membership, document=document)
    response = HttpResponse(content, content_type=document.content_type)
    response.headers["Content-Disposition"] = _disposition(document.filename)
    response.headers["Content-Length"] = str(len(content))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _disposition(filename: str) -> str:
    header = content_disposition_header(as_attachment=True, filename=filename)
    return header or "attachment"
