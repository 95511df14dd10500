"""Small helpers the engagement page views share (no view of their own)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from palava.engagement.document_forms import DocumentUploadForm
from palava.engagement.documents import document_add
from palava.missions.models import Membership


def membership_of(request: HttpRequest) -> Membership:
    """The reader's membership, set on the request by `mission_view`."""
    return request.membership  # type: ignore[attr-defined, no-any-return]


def query_without_page(request: HttpRequest) -> str:
    """The query string of the request without its `page` (and empty) parameters."""
    pairs = [
        (key, value)
        for key, values in request.GET.lists()
        if key != "page"
        for value in values
        if value
    ]
    return urlencode(pairs)


def apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's validation errors on the form's fields (others on the form itself)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def attach_document(
    request: HttpRequest, membership: Membership, form: DocumentUploadForm, **target: Any
) -> bool:
    """Attach the form's upload to `target` (e.g. `project=...`); False with errors on the form.

    `target` is the one keyword `document_add` takes for the owner of the file.
    """
    if not form.is_valid():
        return False
    try:
        document_add(
            actor=request.user,
            mission=membership.mission,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data.get("description") or "",
            **target,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return False
    return True


def flash_form_errors(request: HttpRequest, form: Any) -> None:
    """Show every error of the form as one error message (for views that redirect)."""
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    messages.error(request, " ".join(errors))
