"""Pages for app users (ODK Collect device log-ins): list, create, the once-only page, revoke.

Post/Redirect/Get: creating a device keeps its secret in the session under the device's public
id and redirects to the "created" page, which pops it: the secret (and the configuration QR
code that carries it) is shown once, and a reload neither shows it again nor creates a second
device. The secret is never logged, stored in the database or put in a URL we redirect to."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from palava.assessments.app_users import app_user_create, app_user_revoke, app_users_for
from palava.assessments.device_qr import collect_settings_payload, qr_svg
from palava.assessments.models import AppUser, Form
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, mission_view


class AppUserForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        help_text=gettext_lazy("Which device or team, e.g. “Tablet 3, Kalemie team”."),
    )
    forms = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Forms"),
        queryset=Form.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for every open form of the mission."),
    )

    def __init__(self, *args: object, mission: Mission, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["forms"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Form.objects.filter(mission=mission, archived_at__isnull=True).order_by(
            "title"
        )


def _mission(request: HttpRequest) -> Mission:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return membership.mission


@mission_view(Perm.APP_USER_MANAGE)
def device_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    return render(
        request,
        "assessments/device_list.html",
        {"mission": mission, "app_users": app_users_for(mission=mission)},
    )


SESSION_KEY = "devices:secret:{}"


def _device(mission: Mission, app_user_id: uuid.UUID) -> AppUser:
    app_user = AppUser.objects.filter(mission=mission, public_id=app_user_id).first()
    if app_user is None:
        raise Http404
    return app_user


@never_cache
@mission_view(Perm.APP_USER_MANAGE)
def device_new(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    form = AppUserForm(request.POST or None, mission=mission)
    if request.method == "POST" and form.is_valid():
        app_user, secret = app_user_create(
            actor=request.user,
            mission=mission,
            name=form.cleaned_data["name"],
            forms=list(form.cleaned_data["forms"]),
        )
        request.session[SESSION_KEY.format(app_user.public_id)] = secret
        return redirect(
            "devices:created", mission_slug=mission.slug, app_user_id=app_user.public_id
        )
    return render(request, "assessments/device_new.html", {"mission": mission, "form": form})


@never_cache  # Cache-Control: no-store (with no-cache, must-revalidate, private, max-age=0)
@mission_view(Perm.APP_USER_MANAGE)
def device_created(request: HttpRequest, mission_slug: str, app_user_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    app_user = _device(mission, app_user_id)
    secret = request.session.pop(SESSION_KEY.format(app_user.public_id), None)
    context: dict[str, object] = {"mission": mission, "app_user": app_user, "secret": None}
    if isinstance(secret, str) and app_user.revoked_at is None:
        root = reverse("openrosa:form-list", kwargs={"mission_slug": mission.slug})
        server_url = request.build_absolute_uri(root.removesuffix("formList"))
        key_root = reverse(
            "openrosa:key-form-list", kwargs={"mission_slug": mission.slug, "key": secret}
        )
        payload = collect_settings_payload(
            server_url=server_url,
            username=app_user.username,
            password=secret,
            project_name=f"{mission.name} \N{EN DASH} {app_user.name}",
        )
        context |= {
            "secret": secret,
            "server_url": server_url,
            "key_url": request.build_absolute_uri(key_root.removesuffix("formList")),
            "qr_svg": mark_safe(  # noqa: S308 - module coordinates and an escaped label
                qr_svg(payload, label=_("Configuration QR code for ODK Collect"))
            ),
        }
    return render(request, "assessments/device_created.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@mission_view(Perm.APP_USER_MANAGE)
def device_revoke(request: HttpRequest, mission_slug: str, app_user_id: uuid.UUID) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    mission = _mission(request)
    app_user = _device(mission, app_user_id)
    if request.method == "POST":
        app_user_revoke(actor=request.user, app_user=app_user)
        flash.success(request, _("The device can no longer connect."))
        return redirect("devices:list", mission_slug=mission.slug)
    return render(
        request, "assessments/device_revoke.html", {"mission": mission, "app_user": app_user}
    )
