"""Channel pages: list, detail, create, edit, rotate the secret, deactivate and reactivate.

Viewing needs ``channel.view``; every change ``channel.manage`` (administrators). A new secret is
rendered once, directly in the POST response, with ``Cache-Control: no-store`` (never in a
redirect, a session message or a later page), like personal API tokens.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from palava.feedback import channel_selectors as selectors
from palava.feedback import channel_services as services
from palava.feedback.channel_forms import ChannelCreateForm, ChannelEditForm, ChannelRotateForm
from palava.feedback.channels import (
    callback_url,
    handler_for,
    public_base_url,
    webhook_url,
)
from palava.feedback.models import Channel, ChannelType
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places.models import AdminUnit

NO_STORE = "no-store, no-cache, must-revalidate, private"


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _channel_or_404(membership: Membership, channel_id: Any) -> Channel:
    found = selectors.channel_get(membership=membership, public_id=channel_id)
    if found is None:
        raise Http404(_("No such channel."))
    return found


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    response["Pragma"] = "no-cache"
    return response


def _apply_errors(form: Any, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    mapping = fields or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = mapping.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


def _secret_page(
    request: HttpRequest, channel: Channel, secret: str | None, *, created: bool
) -> HttpResponse:
    base = public_base_url(request)
    response = render(
        request,
        "feedback/channels/secret.html",
        {
            "mission": channel.mission,
            "channel": channel,
            "secret": secret,
            "created": created,
            "webhook_url": webhook_url(channel, base=base),
            "callback_url": callback_url(channel, base=base, secret=secret),
        },
        status=201 if created else 200,
    )
    return _no_store(response)


@mission_view(Perm.CHANNEL_VIEW)
@require_http_methods(["GET"])
def channel_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    return render(
        request,
        "feedback/channels/list.html",
        {
            "mission": membership.mission,
            "channels": list(selectors.channel_list(membership=membership)),
            "can_manage": role_has(membership.role, Perm.CHANNEL_MANAGE),
        },
    )


@mission_view(Perm.CHANNEL_VIEW)
@require_http_methods(["GET"])
def channel_detail(request: HttpRequest, mission_slug: str, channel_id: Any) -> HttpResponse:
    membership = _membership(request)
    channel = _channel_or_404(membership, channel_id)
    base = public_base_url(request)
    return render(
        request,
        "feedback/channels/detail.html",
        {
            "mission": membership.mission,
            "channel": channel,
            "webhook_url": webhook_url(channel, base=base),
            "has_secret": handler_for(channel.channel_type).needs_secret,
            "authenticator": handler_for(channel.channel_type).authenticator,
            "can_manage": role_has(membership.role, Perm.CHANNEL_MANAGE),
            "ack_texts": sorted((channel.ack_texts or {}).items()),
        },
    )


@mission_view(Perm.CHANNEL_MANAGE)
@sensitive_post_parameters("secret")
@require_http_methods(["GET", "POST"])
def channel_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = ChannelCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.channel_create(
                actor=request.user,
                mission=membership.mission,
                name=data["name"],
                channel_type=data["channel_type"],
                secret=data["secret"] or None,
                address=data["address"],
                ack_enabled=data["ack_enabled"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _secret_page(request, created.channel, created.secret, created=True)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/channels/form.html",
        {"mission": membership.mission, "form": form, "channel": None},
        status=status,
    )


def _edit_initial(channel: Channel) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": channel.name,
        "address": channel.address,
        "default_area": channel.default_admin_unit.pcode if channel.default_admin_unit else "",
        "ip_allowlist": "\n".join(channel.ip_allowlist or []),
        "ack_enabled": channel.ack_enabled,
    }
    for code, text in (channel.ack_texts or {}).items():
        initial[f"ack_{code}"] = text
    return initial


@mission_view(Perm.CHANNEL_MANAGE)
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, mission_slug: str, channel_id: Any) -> HttpResponse:
    membership = _membership(request)
    channel = _channel_or_404(membership, channel_id)
    form = ChannelEditForm(request.POST or None, initial=_edit_initial(channel))
    if channel.channel_type != ChannelType.AFRICASTALKING:
        del form.fields["ip_allowlist"]  # only Africa's Talking checks addresses
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area: AdminUnit | None = None
        pcode = data["default_area"].strip()
        if pcode:
            area = AdminUnit.objects.filter(mission=membership.mission, pcode=pcode).first()
            if area is None:
                form.add_error("default_area", _("No place with this P-code in the mission."))
        if form.is_valid():
            try:
                services.channel_update(
                    actor=request.user,
                    channel=channel,
                    data={
                        "name": data["name"],
                        "address": data["address"],
                        "default_admin_unit": area,
                        "ack_enabled": data["ack_enabled"],
                        "ack_texts": form.ack_texts(),
                        **(
                            {"ip_allowlist": data["ip_allowlist"].split()}
                            if "ip_allowlist" in data
                            else {}
                        ),
                    },
                )
            except ValidationError as exc:
                _apply_errors(form, exc, {"default_admin_unit": "default_area"})
            else:
                messages.success(request, _("The channel is saved."))
                return redirect(
                    "channels:detail", mission_slug=mission_slug, channel_id=channel.public_id
                )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/channels/form.html",
        {"mission": membership.mission, "form": form, "channel": channel},
        status=status,
    )


@mission_view(Perm.CHANNEL_MANAGE)
@sensitive_post_parameters("secret")
@require_http_methods(["GET", "POST"])
def channel_rotate(request: HttpRequest, mission_slug: str, channel_id: Any) -> HttpResponse:
    membership = _membership(request)
    channel = _channel_or_404(membership, channel_id)
    if not handler_for(channel.channel_type).needs_secret:
        raise Http404(_("This channel has no secret."))
    form = ChannelRotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hours = form.cleaned_data["grace_hours"]
        try:
            rotated = services.channel_rotate_secret(
                actor=request.user,
                channel=channel,
                secret=form.cleaned_data["secret"] or None,
                grace=timedelta(hours=24 if hours is None else hours),
            )
        except ValidationError as exc:
            _apply_errors(form, exc, {"grace": "grace_hours"})
        else:
            return _secret_page(request, rotated.channel, rotated.secret, created=False)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/channels/rotate.html",
        {
            "mission": membership.mission,
            "channel": channel,
            "form": form,
            "is_twilio": channel.channel_type == ChannelType.TWILIO,
        },
        status=status,
    )


@mission_view(Perm.CHANNEL_MANAGE)
@require_POST
def channel_deactivate(request: HttpRequest, mission_slug: str, channel_id: Any) -> HttpResponse:
    channel = _channel_or_404(_membership(request), channel_id)
    services.channel_deactivate(actor=request.user, channel=channel)
    messages.success(request, _("The channel is switched off: it refuses new messages."))
    return redirect("channels:detail", mission_slug=mission_slug, channel_id=channel.public_id)


@mission_view(Perm.CHANNEL_MANAGE)
@require_POST
def channel_activate(request: HttpRequest, mission_slug: str, channel_id: Any) -> HttpResponse:
    channel = _channel_or_404(_membership(request), channel_id)
    try:
        services.channel_activate(actor=request.user, channel=channel)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The channel is switched on again."))
    return redirect("channels:detail", mission_slug=mission_slug, channel_id=channel.public_id)
