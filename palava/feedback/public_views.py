"""Public pages under ``/p/<mission-slug>/``: the report form, its thank-you page and the
outline map its optional location picker draws on.

The form works with no JavaScript on a feature-phone browser: one small page, a CSRF-protected
POST, a redirect to the thank-you page (which never repeats the message). What authenticates a
submission: Django's CSRF check, the honeypot field and a per-address rate limit
(``PALAVA_WEBFORM_RATE_LIMIT`` per ``PALAVA_WEBFORM_RATE_WINDOW`` seconds, answered with 429).
A mission without an active web-form channel has no form (404).

Nothing received is shown on any public page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from palava.feedback.ack import ack_text_in
from palava.feedback.channel_selectors import webform_channel
from palava.feedback.channel_services import webform_throttle_hit
from palava.feedback.channels import RECEIVES_NOTHING, Inbound, client_ip, inbound
from palava.feedback.hooks import store
from palava.feedback.models import Channel, ChannelType
from palava.feedback.public_forms import ReportForm, new_submission_id
from palava.missions.permissions import public_view
from palava.places.models import AdminUnit

MAP_MAX_UNITS = 400
MAP_TOLERANCE = {1: 0.02, 2: 0.01}


def _channel_or_404(mission_slug: str) -> Channel:
    channel = webform_channel(mission_slug=mission_slug)
    if channel is None:
        raise Http404(_("There is no report form here."))
    return channel


def _render_form(
    request: HttpRequest, channel: Channel, form: ReportForm, status: int
) -> HttpResponse:
    return render(
        request,
        "feedback/public/report.html",
        {"mission": channel.mission, "form": form, "has_map": _has_boundaries(channel)},
        status=status,
    )


def _has_boundaries(channel: Channel) -> bool:
    return AdminUnit.objects.filter(
        mission_id=channel.mission_id, level__in=(1, 2), boundary__isnull=False
    ).exists()


@public_view
@inbound(ChannelType.WEBFORM)
@sensitive_post_parameters("message", "phone", "place", "latitude", "longitude")
@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The public report form; a valid POST stores one message and redirects to thanks."""
    channel = _channel_or_404(mission_slug)
    if request.method != "POST":
        form = ReportForm(initial={"submission": new_submission_id()})
        return _render_form(request, channel, form, 200)
    if not webform_throttle_hit(channel=channel, address=client_ip(request)):
        response = render(
            request, "feedback/public/limited.html", {"mission": channel.mission}, status=429
        )
        response["Retry-After"] = "600"
        return response
    form = ReportForm(request.POST)
    if not form.is_valid():
        if "submission" in form.errors:  # a stale or missing id: the next try gets a new one
            fresh = request.POST.copy()
            fresh["submission"] = new_submission_id()
            form.data = fresh
        return _render_form(request, channel, form, 400)
    data: dict[str, Any] = form.cleaned_data
    message = Inbound(
        provider_message_id=f"web-{data['submission']}",
        body=data["message"],
        sender_phone=data["phone"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        given_place=data["place"].strip(),
        given_language=data["language"] or "",
        extra={
            "page_language": get_language() or "",
            "located_on_map": "yes" if data["latitude"] is not None else "no",
        },
    )
    try:
        # the acknowledgement is the one the thank-you page shows: in the page's language
        store(channel, message, ack_language=get_language() or "")
    except ValidationError as exc:
        for text in exc.messages:
            form.add_error(None, text)
        return _render_form(request, channel, form, 400)
    return redirect("public:thanks", mission_slug=channel.mission.slug)


@public_view
@inbound(RECEIVES_NOTHING)
@require_GET
def thanks(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The acknowledgement, in the page's language. Never the message itself."""
    channel = _channel_or_404(mission_slug)
    return render(
        request,
        "feedback/public/thanks.html",
        {"mission": channel.mission, "ack": ack_text_in(channel, get_language() or "")},
    )


def _outline(boundary: Any, tolerance: float) -> dict[str, Any] | None:
    from shapely.geometry import mapping

    from palava.places.locate import geometry_from_geojson

    geometry = geometry_from_geojson(boundary)
    if geometry is None:
        return None
    simple = geometry.simplify(tolerance, preserve_topology=True)
    if simple.is_empty:
        return None
    data: dict[str, Any] = _rounded(mapping(simple))
    return data


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


@public_view
@inbound(RECEIVES_NOTHING)
@require_GET
def report_map(request: HttpRequest, mission_slug: str) -> JsonResponse:
    """Simplified outlines of the mission's provinces and districts (public gazetteer data,
    nothing received) for the location picker; only where the mission has a report form."""
    channel = _channel_or_404(mission_slug)
    rows = AdminUnit.objects.filter(
        mission_id=channel.mission_id,
        level__in=(1, 2),
        retired_at__isnull=True,
        boundary__isnull=False,
    ).values_list("level", "name", "boundary")[:MAP_MAX_UNITS]
    features = []
    for level, name, boundary in rows:
        outline = _outline(boundary, MAP_TOLERANCE.get(level, 0.01))
        if outline is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": outline,
                    "properties": {"name": name, "level": level},
                }
            )
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response
