"""Rumour log pages: the list with filters, recording a rumour, its detail (claim, spread
over time as an SVG chart, places, channels, linked messages, counter-message, status), and
linking messages found by a search of the inbox.

Linked messages and every count are limited to the messages the member may see (a restricted
message never appears for a role without ``message.restricted_view``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.feedback import selectors as message_selectors
from palava.feedback import services as message_services
from palava.feedback.models import Rumour
from palava.feedback.rumours import selectors, services
from palava.feedback.rumours.charts import spread_svg
from palava.feedback.rumours.forms import CounterForm, RumourFilterForm, RumourForm, StatusForm
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has

PAGE_SIZE = 25
MESSAGES_SHOWN = 10
PLACE_CHARTS = 4
LINK_TARGET = "link-results"


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _get_or_404(membership: Membership, rumour_id: Any) -> Rumour:
    found = selectors.rumour_get(membership=membership, public_id=rumour_id)
    if found is None:
        raise Http404(_("No such rumour."))
    return found


def _detail_url(obj: Rumour, slug: str) -> str:
    return reverse("rumours:detail", kwargs={"mission_slug": slug, "rumour_id": obj.public_id})


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@never_cache
@mission_view(Perm.RUMOUR_VIEW)
def rumour_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = RumourFilterForm(request.GET or None, membership=membership)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.RumourFilters(
        status=data.get("status", ""),
        risk=data.get("risk", ""),
        place=data.get("place", ""),
        query=data.get("q", ""),
    )
    found = selectors.rumour_list(membership=membership, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in data.items() if v)
    return render(
        request,
        "feedback/rumours/list.html",
        {
            "mission": membership.mission,
            "form": form,
            "page": page,
            "query": query,
            "filtered": bool(query),
            "can_manage": role_has(membership.role, Perm.RUMOUR_MANAGE),
        },
    )


@never_cache
@mission_view(Perm.RUMOUR_MANAGE)
def rumour_new(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = RumourForm(request.POST or None, membership=membership, initial={"risk": "medium"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = services.rumour_create(
                mission=membership.mission,
                actor=request.user,
                membership=membership,
                claim=data["claim"],
                first_seen_at=form.moment(),
                risk=data["risk"],
                admin_unit=data["admin_unit"],
                places=list(data["places"]),
                category=data["category"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            flash.success(request, _("Rumour recorded. Link the messages that repeat it."))
            return redirect(_detail_url(obj, mission_slug))
    return render(
        request,
        "feedback/rumours/form.html",
        {"mission": membership.mission, "form": form, "rumour": None},
    )


@never_cache
@mission_view(Perm.RUMOUR_MANAGE)
def rumour_edit(request: HttpRequest, mission_slug: str, rumour_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, rumour_id)
    initial = {
        "claim": obj.claim,
        "risk": obj.risk,
        "admin_unit": obj.admin_unit_id,
        "places": [p.pk for p in obj.places.all()],
        "category": obj.category_id,
        "notes": obj.notes,
    }
    form = RumourForm(request.POST or None, membership=membership, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rumour_update(
                rumour=obj,
                actor=request.user,
                membership=membership,
                claim=data["claim"],
                first_seen_at=form.moment(),
                risk=data["risk"],
                admin_unit=data["admin_unit"],
                places=list(data["places"]),
                category=data["category"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            flash.success(request, _("Rumour saved."))
            return redirect(_detail_url(obj, mission_slug))
    return render(
        request,
        "feedback/rumours/form.html",
        {"mission": membership.mission, "form": form, "rumour": obj},
    )


def _charts(obj: Rumour, spread: selectors.Spread) -> dict[str, Any]:
    main = spread_svg(
        spread.days,
        title=_("Messages repeating %(reference)s per day") % {"reference": obj.reference},
        description=ngettext(
            "%(n)d linked message over %(days)d days.",
            "%(n)d linked messages over %(days)d days.",
            spread.total,
        )
        % {"n": spread.total, "days": len(spread.days)},
        chart_id="spread-all",
    )
    by_place = []
    for index, (name, days) in enumerate(list(spread.by_place_days.items())[:PLACE_CHARTS]):
        by_place.append(
            {
                "name": name,
                "svg": spread_svg(
                    days,
                    title=_("Messages per day in %(place)s") % {"place": name},
                    description=_("Same days as the chart above."),
                    chart_id=f"spread-place-{index}",
                    height=90.0,
                ),
            }
        )
    return {"chart": main, "place_charts": by_place}


@never_cache
@mission_view(Perm.RUMOUR_VIEW)
def rumour_detail(request: HttpRequest, mission_slug: str, rumour_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, rumour_id)
    can_manage = role_has(membership.role, Perm.RUMOUR_MANAGE)
    can_broadcast = role_has(membership.role, Perm.BROADCAST_MANAGE)
    spread = selectors.rumour_spread(membership=membership, rumour=obj)
    linked = list(selectors.rumour_messages(membership=membership, rumour=obj)[:MESSAGES_SHOWN])
    # Restricted messages shown here are audited like a page of the restricted queue.
    message_services.messages_listed(actor=request.user, membership=membership, messages=linked)
    labels = dict(services.COUNTER_CHANNELS)
    return render(
        request,
        "feedback/rumours/detail.html",
        {
            "mission": membership.mission,
            "rumour": obj,
            "spread": spread,
            "linked": [
                {"message": m, "category_label": message_selectors.full_label_of(m.category)}
                for m in linked
            ],
            "more_linked": max(spread.total - len(linked), 0),
            "counter_labels": [str(labels.get(code, code)) for code in obj.counter_channels],
            "category_label": message_selectors.full_label_of(obj.category),
            "can_manage": can_manage,
            "can_see_messages": role_has(membership.role, Perm.MESSAGE_VIEW),
            "status_form": StatusForm(initial={"status": obj.status}),
            "counter_form": CounterForm(
                membership=membership,
                can_broadcast=can_broadcast,
                initial={
                    "counter_message": obj.counter_message,
                    "channels": obj.counter_channels,
                },
            ),
            "link_target": LINK_TARGET,
            **_charts(obj, spread),
        },
    )


@never_cache
@mission_view(Perm.RUMOUR_MANAGE)
def rumour_link(request: HttpRequest, mission_slug: str, rumour_id: Any) -> HttpResponse:
    """GET: search the visible messages (htmx fills the results; without JavaScript, a page).
    POST: link the ticked messages."""
    membership = _membership(request)
    obj = _get_or_404(membership, rumour_id)
    if request.method == "POST":
        ids = request.POST.getlist("ids")[: services.MAX_LINK]
        found = list(
            message_selectors.messages_visible(membership).filter(public_id__in=_uuids(ids))
        )
        if len(found) != len(set(ids)) or not found:
            flash.error(request, _("Tick messages you may see."))
        else:
            try:
                added = services.rumour_link_messages(
                    rumour=obj, actor=request.user, membership=membership, messages=found
                )
            except ValidationError as exc:
                flash.error(request, " ".join(exc.messages))
            else:
                flash.success(
                    request,
                    ngettext("%(n)d message linked.", "%(n)d messages linked.", added)
                    % {"n": added},
                )
        return redirect(_detail_url(obj, mission_slug))
    query = request.GET.get("q", "")[:200]
    results = list(selectors.linkable_messages(membership=membership, rumour=obj, query=query))
    message_services.messages_listed(actor=request.user, membership=membership, messages=results)
    context = {
        "mission": membership.mission,
        "rumour": obj,
        "q": query,
        "results": [
            {"message": m, "category_label": message_selectors.full_label_of(m.category)}
            for m in results
        ],
        "link_target": LINK_TARGET,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "feedback/rumours/_partials/link_results.html", context)
    return render(request, "feedback/rumours/link.html", context)


def _uuids(values: list[str]) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return out


@require_POST
@mission_view(Perm.RUMOUR_MANAGE)
def rumour_unlink(
    request: HttpRequest, mission_slug: str, rumour_id: Any, message_id: Any
) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, rumour_id)
    message = message_selectors.message_get(membership=membership, public_id=message_id)
    if message is None:
        raise Http404(_("No such message."))
    services.rumour_unlink_message(
        rumour=obj, actor=request.user, membership=membership, message=message
    )
    flash.success(request, _("Message unlinked."))
    return redirect(_detail_url(obj, mission_slug))


@require_POST
@mission_view(Perm.RUMOUR_MANAGE)
def rumour_status(request: HttpRequest, mission_slug: str, rumour_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, rumour_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.rumour_set_status(
            rumour=obj,
            actor=request.user,
            membership=membership,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        flash.success(request, _("Status changed."))
    else:
        flash.error(request, _("Choose a status."))
    return redirect(_detail_url(obj, mission_slug))


@require_POST
@mission_view(Perm.RUMOUR_MANAGE)
def rumour_counter(request: HttpRequest, mission_slug: str, rumour_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, rumour_id)
    form = CounterForm(
        request.POST,
        membership=membership,
        can_broadcast=role_has(membership.role, Perm.BROADCAST_MANAGE),
    )
    if not form.is_valid():
        flash.error(request, _("Write the counter-message and choose the channels used."))
        return redirect(_detail_url(obj, mission_slug))
    try:
        obj = services.rumour_counter(
            rumour=obj,
            actor=request.user,
            membership=membership,
            counter_message=form.cleaned_data["counter_message"],
            channels=form.cleaned_data["channels"],
            broadcast_channel=form.cleaned_data.get("broadcast_channel"),
        )
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
        return redirect(_detail_url(obj, mission_slug))
    if obj.counter_broadcast is not None:
        flash.success(request, _("Counter-message recorded; the broadcast draft is ready."))
        return redirect(
            reverse(
                "broadcasts:detail",
                kwargs={
                    "mission_slug": mission_slug,
                    "broadcast_id": obj.counter_broadcast.public_id,
                },
            )
        )
    flash.success(request, _("Counter-message recorded."))
    return redirect(_detail_url(obj, mission_slug))
