"""The engagement settings page (managers): inclusion targets, youth ages, coverage, reminders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from palava.engagement.selectors import engagement_settings_get
from palava.engagement.settings_forms import EngagementSettingsForm
from palava.engagement.settings_services import engagement_settings_update
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view


@require_http_methods(["GET", "HEAD", "POST"])
@mission_view(Perm.ENGAGEMENT_SETTINGS)
def settings_page(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    mission = membership.mission
    current = engagement_settings_get(mission)
    status = 200
    if request.method == "POST":
        form = EngagementSettingsForm(request.POST)
        if form.is_valid():
            try:
                engagement_settings_update(actor=request.user, mission=mission, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Engagement settings saved."))
                return redirect("engagement:settings", mission_slug=mission.slug)
        status = 400
    else:
        form = EngagementSettingsForm(initial=EngagementSettingsForm.initial_from(current))
    return render(
        request,
        "engagement/settings.html",
        {"mission": mission, "form": form, "saved": current.pk is not None},
        status=status,
    )
