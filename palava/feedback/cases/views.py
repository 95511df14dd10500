"""Case pages: the list (filters, pagination), a case (state, SLA clocks, verification,
responses, replies, timeline, joined messages, the action forms its state allows), and opening
a case by hand, usually from a message.

Cases are found only through :mod:`palava.feedback.cases.selectors` (mission, geographic scope,
the restricted rule): a case the member may not see answers 404 like a missing one. The bodies
of joined messages are shown only when the member may see that message (restricted ones are
audited as read). Actions are in :mod:`palava.feedback.cases.action_views`.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from palava.feedback import selectors as message_selectors
from palava.feedback import services as message_services
from palava.feedback.cases import display, selectors, services
from palava.feedback.cases.forms import (
    AssignForm,
    AttachForm,
    CaseFilterForm,
    CommentForm,
    IncidentForm,
    ListFilters,
    NoteForm,
    OpenCaseForm,
    ReplyForm,
    ResponseForm,
    VerifyForm,
)
from palava.feedback.forms import with_place_picker
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseMessageRole,
    CaseStatus,
    Message,
    OutboundMessage,
    OutboundPurpose,
    ReplyTemplate,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has

PAGE_SIZE = 25
RESULTS_TARGET = "case-results"


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def case_or_404(membership: Membership, case_id: Any) -> Case:
    found = selectors.case_get(membership=membership, public_id=case_id)
    if found is None:
        raise Http404(_("No such case."))
    return found


def case_url(membership: Membership, case: Case) -> str:
    return reverse(
        "cases:detail", kwargs={"mission_slug": membership.mission.slug, "case_id": case.public_id}
    )


def _picker_url(membership: Membership) -> str:
    return reverse("messages:place_options", kwargs={"mission_slug": membership.mission.slug})


def _query_without(request: HttpRequest, *names: str) -> str:
    pairs = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in names
        for value in values
        if value
    ]
    return urlencode(pairs)


def case_filters(filters: ListFilters) -> Any:
    """The selector's filter object from the form's."""
    return selectors.CaseFilters(
        status=filters.status,
        case_type=filters.case_type,
        place=filters.place,
        team=filters.team,
        assignee=filters.assignee,
        overdue=filters.overdue,
        open_only=filters.open_only,
    )


def perms_of(membership: Membership) -> dict[str, bool]:
    role = membership.role
    return {
        "can_manage": role_has(role, Perm.CASE_MANAGE),
        "can_reply": role_has(role, Perm.CASE_REPLY),
    }


# --- List ------------------------------------------------------------------------------------


@never_cache
@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.CASE_VIEW)
def case_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Cases the member may see, newest first, with filters and pages."""
    membership = membership_of(request)
    form = CaseFilterForm(request.GET or None, membership=membership)
    with_place_picker(form, _picker_url(membership))
    found = selectors.case_list(membership=membership, filters=case_filters(form.filters()))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "mission": membership.mission,
        "form": form,
        "page": page,
        "rows": [{"case": c, "deadline": display.next_deadline(c, now)} for c in page.object_list],
        "query": _query_without(request, "page"),
        "results_target": RESULTS_TARGET,
        "list_url": request.path,
        "nothing_yet": not _query_without(request, "page") and page.paginator.count == 0,
        **perms_of(membership),
    }
    if (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == RESULTS_TARGET
    ):
        return render(request, "feedback/cases/_partials/results.html", context)
    return render(request, "feedback/cases/list.html", context)


# --- Detail ----------------------------------------------------------------------------------


def _joined_messages(request: HttpRequest, membership: Membership, case: Case) -> list[Any]:
    """The case's messages; a body only for a message the member may see (audited if
    restricted)."""
    links = list(case.case_messages.select_related("message", "message__channel"))
    visible_ids = set(
        message_selectors.messages_visible(membership)
        .filter(pk__in=[link.message_id for link in links])
        .values_list("pk", flat=True)
    )
    shown: list[Message] = [link.message for link in links if link.message_id in visible_ids]
    if shown:
        message_services.messages_listed(actor=request.user, membership=membership, messages=shown)
    return [{"link": link, "visible": link.message_id in visible_ids} for link in links]


def reply_templates(case: Case) -> list[ReplyTemplate]:
    """Active templates offered for this case's type, in order."""
    rows = ReplyTemplate.objects.filter(mission_id=case.mission_id, is_active=True).order_by(
        "order", "name"
    )
    return [t for t in rows if not t.case_type or t.case_type == case.case_type]


def _template_rows(case: Case, templates: list[ReplyTemplate]) -> list[dict[str, Any]]:
    language = case.language or "en"
    rows = []
    for template in templates:
        texts = template.texts or {}
        text = texts.get(language) or texts.get("en") or next(iter(texts.values()), "")
        rows.append(
            {
                "template": template,
                "text": str(text).replace("{reference}", case.reference),
                "language": language if language in texts else ("en" if "en" in texts else ""),
                "fallback": language not in texts,
            }
        )
    return rows


def _timeline_rows(events: list[CaseEvent]) -> list[dict[str, Any]]:
    """Timeline lines, oldest first, with the statuses' labels and the actor's name."""
    labels = dict(CaseStatus.choices)
    return [
        {
            "event": e,
            "who": e.actor.get_username() if e.actor else (e.actor_label or _("System")),
            "from": labels.get(e.from_status, ""),
            "to": labels.get(e.to_status, ""),
            "level": (e.data or {}).get("level") if isinstance(e.data, dict) else None,
        }
        for e in events
    ]


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = membership_of(request)
    perms = perms_of(membership)
    now = timezone.now()
    ack, respond = display.clocks(case, now)
    templates = reply_templates(case)
    joined = _joined_messages(request, membership, case)
    given = forms or {}
    context = {
        "mission": membership.mission,
        "case": case,
        "category_label": message_selectors.full_label_of(case.category),
        "ack_clock": ack,
        "respond_clock": respond,
        "actions": display.actions_for(case),
        "joined": joined,
        "corroborating": [
            row for row in joined if row["link"].role == CaseMessageRole.CORROBORATION
        ],
        "incidents": list(case.incidents.all()),
        "responses": list(case.responses.all()),
        "timeline": _timeline_rows(selectors.case_timeline(membership=membership, case=case)),
        "replies": list(
            OutboundMessage.objects.filter(case=case, purpose=OutboundPurpose.REPLY)
            .only("status", "created_at", "delivered_at", "language", "attempts", "public_id")
            .order_by("created_at")
        ),
        "templates": _template_rows(case, templates),
        "note_form": given.get("note") or NoteForm(),
        "verify_form": given.get("verify") or VerifyForm(),
        "response_form": given.get("response") or ResponseForm(),
        "assign_form": given.get("assign")
        or AssignForm(
            membership=membership,
            initial={
                "team": str(case.team.public_id) if case.team else "",
                "assignee": str(case.assignee_id or ""),
            },
        ),
        "comment_form": given.get("comment") or CommentForm(),
        "incident_form": given.get("incident") or IncidentForm(),
        "attach_form": given.get("attach") or AttachForm(),
        "reply_form": given.get("reply") or ReplyForm(templates=templates),
        "open_section": given.get("open_section", ""),
        **perms,
    }
    return render(request, "feedback/cases/detail.html", context, status=status)


@never_cache
@mission_view(Perm.CASE_VIEW)
def case_detail(request: HttpRequest, mission_slug: str, case_id: uuid.UUID) -> HttpResponse:
    """One case: state, clocks, verification, responses, replies, timeline, messages."""
    case = case_or_404(membership_of(request), case_id)
    return render_case(request, case)


# --- Open a case by hand ---------------------------------------------------------------------


def _source_message(membership: Membership, value: Any) -> Message | None:
    if not value:
        return None
    found = message_selectors.message_get(membership=membership, public_id=value)
    if found is None:
        raise Http404(_("No such message."))
    return found


@never_cache
@mission_view(Perm.CASE_MANAGE)
def case_open(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Open a case: from a message (``?message=<id>``, its labels are copied) or from scratch."""
    membership = membership_of(request)
    source = _source_message(
        membership, request.POST.get("message") or request.GET.get("message") or ""
    )
    if source is not None and hasattr(source, "case_link"):
        flash.info(request, _("This message is already in a case."))
        return redirect(case_url(membership, source.case_link.case))
    status = 200
    if request.method == "POST":
        form = OpenCaseForm(request.POST, membership=membership)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if source is not None:
                    case = services.case_open_from_message(
                        message=source, actor=request.user, case_type=data["case_type"]
                    )
                else:
                    case = services.case_open(
                        mission=membership.mission,
                        actor=request.user,
                        case_type=data["case_type"],
                        title=data["title"],
                        urgency=data.get("urgency") or "",
                        admin_unit=data.get("place"),
                        summary=data.get("summary") or "",
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                flash.success(
                    request, _("Case %(reference)s opened.") % {"reference": case.reference}
                )
                if selectors.case_get(membership=membership, public_id=case.public_id):
                    return redirect(case_url(membership, case))
                return redirect("cases:list", mission_slug=mission_slug)
        status = 400
    else:
        initial: dict[str, Any] = {"case_type": "feedback"}
        if source is not None:
            initial.update(
                {
                    "message": source.public_id,
                    "urgency": source.urgency,
                    "place": source.admin_unit.pcode if source.admin_unit else "",
                    "title": message_selectors.full_label_of(source.category),
                }
            )
        form = OpenCaseForm(initial=initial, membership=membership)
    with_place_picker(form, _picker_url(membership))
    return render(
        request,
        "feedback/cases/open.html",
        {"mission": membership.mission, "form": form, "source": source},
        status=status,
    )
