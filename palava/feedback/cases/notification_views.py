"""The member's own notifications: the list, marking them read, and the unread count shown on
the bell in the navigation (an htmx fragment; without JavaScript the bell is a plain link).

A member only ever sees notifications addressed to them in this mission.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from palava.feedback.cases import routing_services, selectors
from palava.feedback.cases.views import membership_of
from palava.missions.permissions import Perm, mission_view

PAGE_SIZE = 30
LIST_LIMIT = 600  # the newest notices; older ones are not listed
RESULTS_TARGET = "notice-results"


@never_cache
@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.CASE_VIEW)
def notification_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    found = selectors.notifications_for(membership=membership, limit=LIST_LIMIT)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "mission": membership.mission,
        "page": page,
        "query": "",
        "results_target": RESULTS_TARGET,
        "unread": selectors.notification_unread_count(membership=membership),
    }
    if (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == RESULTS_TARGET
    ):
        return render(request, "feedback/cases/_partials/notice_results.html", context)
    return render(request, "feedback/cases/notifications.html", context)


@require_POST
@mission_view(Perm.CASE_VIEW)
def notification_read(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Mark one notification (``id``) or all of them (``all``) read, then go back (``next``)."""
    membership = membership_of(request)
    fallback = request.path.rsplit("read/", 1)[0]
    target = request.POST.get("next", "")
    if not (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = fallback
    one = request.POST.get("id", "")
    if request.POST.get("all"):
        count = routing_services.notification_mark_read(membership=membership, actor=request.user)
    elif one.isdigit() and len(one) < 19:
        count = routing_services.notification_mark_read(
            membership=membership, actor=request.user, ids=[int(one)]
        )
    else:
        flash.error(request, _("Choose a notification."))
        return redirect(target)
    if count:
        flash.success(request, _("Marked as read."))
    return redirect(target)


@never_cache
@mission_view(Perm.CASE_VIEW)
def notification_count(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The unread count for the bell (htmx, polled)."""
    membership = membership_of(request)
    return render(
        request,
        "feedback/cases/_partials/bell.html",
        {"unread": selectors.notification_unread_count(membership=membership)},
    )
