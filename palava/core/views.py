"""Home, mission switcher, health check and error pages."""

from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from palava.missions.permissions import login_view, public_view
from palava.missions.selectors import memberships_for_user


@login_view
def home(request: HttpRequest) -> HttpResponse:
    """The user's missions; a user with exactly one goes straight to it."""
    memberships = list(memberships_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("missions:overview", mission_slug=memberships[0].mission.slug)
    return render(request, "core/home.html", {"memberships": memberships})


@login_view
def switch_mission(request: HttpRequest) -> HttpResponse:
    """Target of the mission switcher (a GET form, so it works without JavaScript)."""
    slug = request.GET.get("mission", "")
    if not slug:
        return redirect("core:home")
    try:
        target = reverse("missions:overview", kwargs={"mission_slug": slug})
    except NoReverseMatch:
        raise Http404 from None
    # The overview itself answers 404 to a non-member; no mission data is read here.
    return redirect(target)


@public_view
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        # API clients get the API's error shape, not an HTML page
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request and context processors: the database may be the problem."""
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render({"bare": True}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form with a missing or stale CSRF token (e.g. a page left open overnight)."""
    return render(request, "errors/403.html", {"csrf_failure": True}, status=403)
