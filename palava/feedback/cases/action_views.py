"""The case page's action forms (POST only): acknowledge, verify or grade, record a response,
resolve, inform the reporter, close, assign, add a note, link an incident, join a message, and
reply to the reporter.

Each view finds the case through the selectors (404 when the member may not see it), validates
its form and calls one service. A refused transition (``CaseTransitionError``) or an invalid
form re-renders the case page with the error and status 400; success redirects back to the
case (post/redirect/get).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palava.feedback import selectors as message_selectors
from palava.feedback.cases import display, services
from palava.feedback.cases.forms import (
    AssignForm,
    AttachForm,
    CommentForm,
    IncidentForm,
    NoteForm,
    ReplyForm,
    ResponseForm,
    VerifyForm,
)
from palava.feedback.cases.views import (
    case_or_404,
    case_url,
    membership_of,
    render_case,
    reply_templates,
)
from palava.feedback.models import Case, CaseMessageRole
from palava.missions.permissions import Perm, mission_view

Done = Callable[[Case, dict[str, Any]], str]


def _act(
    request: HttpRequest,
    case_id: uuid.UUID,
    form: django_forms.Form,
    key: str,
    run: Done,
) -> HttpResponse:
    """Validate ``form``, run the service; success message and redirect, or the page with the
    error (400)."""
    membership = membership_of(request)
    case = case_or_404(membership, case_id)
    if form.is_valid():
        try:
            message = run(case, form.cleaned_data)
        except ValidationError as exc:
            display.errors_into(form, exc)
        else:
            flash.success(request, message)
            return redirect(case_url(membership, case))
    case.refresh_from_db()
    return render_case(request, case, forms={key: form, "open_section": key}, status=400)


def _note(data: dict[str, Any]) -> str:
    return str(data.get("note") or "")


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_acknowledge(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_acknowledge(case=case, actor=request.user, note=_note(data))
        return _("Acknowledged: the acknowledgement clock stopped.")

    return _act(request, case_id, NoteForm(request.POST), "note", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_verify(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    """Decide verified / unfounded (with grades), or only grade the source and information."""

    def run(case: Case, data: dict[str, Any]) -> str:
        decision = data["decision"]
        if decision == "grade":
            services.case_grade(
                case=case,
                actor=request.user,
                source_reliability=data["source_reliability"],
                credibility=data["credibility"],
                note=_note(data),
            )
            return _("Grades saved.")
        services.case_verify(
            case=case,
            actor=request.user,
            verified=decision == "verified",
            source_reliability=data.get("source_reliability") or "",
            credibility=data.get("credibility") or "",
            note=_note(data),
        )
        return _("Marked verified.") if decision == "verified" else _("Marked unfounded.")

    return _act(request, case_id, VerifyForm(request.POST), "verify", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_response(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_response_record(
            case=case,
            actor=request.user,
            responder_type=data["responder_type"],
            responder_name=data.get("responder_name") or "",
            action=data["action"],
            responded_at=data.get("responded_at"),
            outcome=data["outcome"],
            notes=data.get("notes") or "",
        )
        return _("Response recorded.")

    return _act(request, case_id, ResponseForm(request.POST), "response", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_resolve(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_resolve(case=case, actor=request.user, note=_note(data))
        return _("Case resolved.")

    return _act(request, case_id, NoteForm(request.POST), "note", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_inform(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    """Record that the reporter was told the outcome by other means (a call, a visit)."""

    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_reporter_informed(case=case, actor=request.user, note=_note(data))
        return _("Recorded: the reporter was informed.")

    return _act(request, case_id, NoteForm(request.POST), "note", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_close(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_close(case=case, actor=request.user, note=_note(data))
        return _("Case closed.")

    return _act(request, case_id, NoteForm(request.POST), "note", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_assign(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    membership = membership_of(request)

    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_assign(
            case=case, actor=request.user, team=data.get("team"), assignee=data.get("assignee")
        )
        return _("Assignment saved.")

    form = AssignForm(request.POST, membership=membership)
    return _act(request, case_id, form, "assign", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_comment(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_comment(case=case, actor=request.user, note=data["note"])
        return _("Note added to the timeline.")

    return _act(request, case_id, CommentForm(request.POST), "comment", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_incident(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.case_incident_link(
            case=case,
            actor=request.user,
            source=data["source"],
            description=data["description"],
            reference=data.get("reference") or "",
            occurred_on=data.get("occurred_on"),
            url=data.get("url") or "",
        )
        return _("Incident linked.")

    return _act(request, case_id, IncidentForm(request.POST), "incident", run)


@require_POST
@mission_view(Perm.CASE_MANAGE)
def case_attach(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    """Join a message the member may see to the case (as a report or a corroboration)."""
    membership = membership_of(request)

    def run(case: Case, data: dict[str, Any]) -> str:
        message = message_selectors.message_get(membership=membership, public_id=data["message"])
        if message is None:
            raise ValidationError({"message": _("No message with this id that you can see.")})
        if hasattr(message, "case_link"):
            raise ValidationError({"message": _("This message is already in a case.")})
        role = CaseMessageRole(data["role"])
        services.case_attach_messages(case=case, messages=[message], actor=request.user, role=role)
        return _("Message joined to the case.")

    return _act(request, case_id, AttachForm(request.POST), "attach", run)


@require_POST
@mission_view(Perm.CASE_REPLY)
def case_reply(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    """Reply to the reporter on the channel they wrote on (queued; sent by the worker)."""
    membership = membership_of(request)
    case = case_or_404(membership, case_id)
    form = ReplyForm(request.POST, templates=reply_templates(case))

    def run(case: Case, data: dict[str, Any]) -> str:
        try:
            from palava.feedback.outbound.replies import reply_send
        except ImportError:  # pragma: no cover - outbound not installed yet
            raise ValidationError(_("Replies cannot be sent yet.")) from None
        reply_send(
            case=case,
            actor=request.user,
            body=(data.get("body") or "").strip(),
            template=data.get("template_obj"),
            language=case.language,
        )
        return _("Reply queued: it is sent on the reporter's channel within a minute.")

    return _act(request, case_id, form, "reply", run)
