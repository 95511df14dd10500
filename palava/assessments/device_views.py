"""Pages for app users (ODK Collect device log-ins): list, create (secret shown once), revoke."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.assessments.app_users import app_user_create, app_user_revoke, app_users_for
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
        root = reverse("openrosa:form-list", kwargs={"mission_slug": mission.slug})
        server_url = request.build_absolute_uri(root.removesuffix("formList"))
        key_root = reverse(
            "openrosa:key-form-list", kwargs={"mission_slug": mission.slug, "key": secret}
        )
        key_url = request.build_absolute_uri(key_root.removesuffix("formList"))
        return render(
            request,
            "assessments/device_created.html",
            {
                "mission": mission,
                "app_user": app_user,
                "secret": secret,
                "server_url": server_url,
                "key_url": key_url,
            },
        )
    return render(request, "assessments/device_new.html", {"mission": mission, "form": form})


@require_POST
@mission_view(Perm.APP_USER_MANAGE)
def device_revoke(request: HttpRequest, mission_slug: str, app_user_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    app_user = AppUser.objects.filter(mission=mission, public_id=app_user_id).first()
    if app_user is None:
        raise Http404
    app_user_revoke(actor=request.user, app_user=app_user)
    flash.success(request, _("The device can no longer connect."))
    return redirect("devices:list", mission_slug=mission.slug)
