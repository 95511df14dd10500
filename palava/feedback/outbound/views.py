"""Outbound pages: the log (filters by status and purpose, never a number or a text), the dead
letters with retry and cancel, reply templates (a text per language), and a channel's sending
settings. Rows are read through :mod:`palava.feedback.outbound.selectors` (a row of a case the
member may not see answers 404 like a missing one); writes go through the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.feedback.channel_selectors import channel_get
from palava.feedback.models import OutboundStatus, ReplyTemplate
from palava.feedback.outbound import selectors
from palava.feedback.outbound.channel_settings import can_send, channel_outbound_set
from palava.feedback.outbound.forms import (
    TEMPLATE_LANGUAGES,
    OutboundFilterForm,
    ReplyTemplateForm,
    SendingForm,
)
from palava.feedback.outbound.replies import (
    reply_template_delete,
    reply_template_save,
    reply_templates_ensure,
)
from palava.feedback.outbound.services import outbound_cancel, outbound_retry
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has

PAGE_SIZE = 50
DEAD_STATUSES = (OutboundStatus.DEAD, OutboundStatus.UNDELIVERED)


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@never_cache
@mission_view(Perm.OUTBOUND_VIEW)
def outbound_log(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = OutboundFilterForm(request.GET or None)
    filters = selectors.OutboundFilters()
    if form.is_valid():
        filters = selectors.OutboundFilters(
            status=form.cleaned_data["status"], purpose=form.cleaned_data["purpose"]
        )
    page = _page(request, selectors.outbound_list(membership=membership, filters=filters))
    query = urlencode(
        {k: v for k, v in (("status", filters.status), ("purpose", filters.purpose)) if v}
    )
    context = {
        "mission": membership.mission,
        "form": form,
        "page": page,
        "query": query,
        "filtered": bool(filters.status or filters.purpose),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "feedback/outbound/_partials/rows.html", context)
    context["counts"] = selectors.outbound_counts(membership)
    return render(request, "feedback/outbound/log.html", context)


@never_cache
@mission_view(Perm.OUTBOUND_VIEW)
def dead_letters(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    rows = selectors.outbound_visible(membership).filter(status__in=DEAD_STATUSES)
    return render(
        request,
        "feedback/outbound/dead.html",
        {
            "mission": membership.mission,
            "page": _page(request, rows.order_by("-failed_at", "-id")),
            "can_manage": role_has(membership.role, Perm.OUTBOUND_MANAGE),
        },
    )


def _row_or_404(membership: Membership, outbound_id: Any) -> Any:
    row = selectors.outbound_get(membership=membership, public_id=outbound_id)
    if row is None:
        raise Http404(_("No such message."))
    return row


@require_POST
@mission_view(Perm.OUTBOUND_MANAGE)
def retry(request: HttpRequest, mission_slug: str, outbound_id: Any) -> HttpResponse:
    membership = _membership(request)
    row = _row_or_404(membership, outbound_id)
    try:
        outbound_retry(outbound=row, actor=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, _("The message is queued again."))
    return redirect("outbound:dead", mission_slug=mission_slug)


@require_POST
@mission_view(Perm.OUTBOUND_MANAGE)
def cancel(request: HttpRequest, mission_slug: str, outbound_id: Any) -> HttpResponse:
    membership = _membership(request)
    row = _row_or_404(membership, outbound_id)
    try:
        outbound_cancel(outbound=row, actor=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, _("The message will not be sent."))
    return redirect("outbound:dead", mission_slug=mission_slug)


@never_cache
@mission_view(Perm.OUTBOUND_VIEW)
def templates(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    return render(
        request,
        "feedback/outbound/templates.html",
        {
            "mission": membership.mission,
            "templates": list(selectors.templates_list(membership)),
            "languages": list(TEMPLATE_LANGUAGES),
            "can_manage": role_has(membership.role, Perm.OUTBOUND_MANAGE),
        },
    )


@require_POST
@mission_view(Perm.OUTBOUND_MANAGE)
def templates_defaults(request: HttpRequest, mission_slug: str) -> HttpResponse:
    created = reply_templates_ensure(_membership(request).mission, actor=request.user)
    flash.success(request, _("Default templates added: %(n)d.") % {"n": created})
    return redirect("outbound:templates", mission_slug=mission_slug)


def _template_initial(template: ReplyTemplate) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": template.name,
        "code": template.code,
        "case_type": template.case_type,
        "order": template.order,
        "is_active": template.is_active,
    }
    for code, text in (template.texts or {}).items():
        initial[f"text_{code}"] = text
    return initial


@never_cache
@mission_view(Perm.OUTBOUND_MANAGE)
def template_edit(request: HttpRequest, mission_slug: str, template_id: Any = None) -> HttpResponse:
    membership = _membership(request)
    template = None
    if template_id is not None:
        template = selectors.template_get(membership=membership, public_id=template_id)
        if template is None:
            raise Http404(_("No such template."))
    initial = _template_initial(template) if template is not None else None
    form = ReplyTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reply_template_save(
                mission=membership.mission,
                actor=request.user,
                template=template,
                code=data["code"],
                name=data["name"],
                texts=form.texts(),
                case_type=data["case_type"],
                is_active=data["is_active"],
                order=data["order"] or 0,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            flash.success(request, _("Template saved."))
            return redirect("outbound:templates", mission_slug=mission_slug)
    return render(
        request,
        "feedback/outbound/template_form.html",
        {"mission": membership.mission, "form": form, "template": template},
    )


@require_POST
@mission_view(Perm.OUTBOUND_MANAGE)
def template_delete(request: HttpRequest, mission_slug: str, template_id: Any) -> HttpResponse:
    template = selectors.template_get(membership=_membership(request), public_id=template_id)
    if template is None:
        raise Http404(_("No such template."))
    reply_template_delete(template=template, actor=request.user)
    flash.success(request, _("Template deleted."))
    return redirect("outbound:templates", mission_slug=mission_slug)


@never_cache
@mission_view(Perm.CHANNEL_MANAGE)
def channel_sending(request: HttpRequest, mission_slug: str, channel_id: Any) -> HttpResponse:
    membership = _membership(request)
    channel = channel_get(membership=membership, public_id=channel_id)
    if channel is None or not can_send(channel):
        raise Http404(_("No such channel."))
    initial = {
        "mode": channel.outbound_mode,
        "url": channel.outbound_url,
        "account": channel.outbound_account,
        "sender": channel.outbound_sender,
    }
    form = SendingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret: str | None = data["secret"] or None
        if data["remove_secret"]:
            secret = ""
        try:
            channel_outbound_set(
                actor=request.user,
                channel=channel,
                mode=data["mode"],
                url=data["url"],
                account=data["account"],
                sender=data["sender"],
                secret=secret,
            )
        except ValidationError as exc:
            names = {"mode": "mode", "url": "url", "account": "account", "secret": "secret"}
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(names.get(field), errors)
            else:
                form.add_error(None, exc.messages)
        else:
            flash.success(request, _("Sending settings saved."))
            return redirect(
                reverse(
                    "channels:detail",
                    kwargs={"mission_slug": mission_slug, "channel_id": channel.public_id},
                )
            )
    return render(
        request,
        "feedback/outbound/sending.html",
        {
            "mission": membership.mission,
            "channel": channel,
            "form": form,
            "has_secret": bool(channel.outbound_secret),
        },
    )
