"""Message pages: the inbox and the restricted queue (filters, facet counts, bulk status), a
message's detail (labels with their source, cluster, audited call-back number), label
correction, the map of messages by place, and the hotline entry form.

Messages are found only through :mod:`palava.feedback.selectors`: a message the member may not
see (outside their area, or in the restricted queue without ``message.restricted_view``)
answers 404 exactly like a missing one. Writes and audited reads go through
:mod:`palava.feedback.services`. Every page is ``no-store``: bodies are confidential.
"""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from palava.feedback import selectors, services
from palava.feedback.forms import (
    BulkStatusForm,
    HotlineForm,
    MessageFilterForm,
    RelabelForm,
    language_name,
    with_place_picker,
)
from palava.feedback.models import LabelSource, Message, MessageStatus, Urgency
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places import selectors as places_selectors
from palava.places.scope import scope_for
from palava.places.search import place_search

PAGE_SIZE = 25
RESULTS_TARGET = "message-results"
SIBLINGS_SHOWN = 20
MAP_TABLE_ROWS = 50
PLACE_OPTIONS = 10
MAP_LEVELS = (1, 2, 3)


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _wants_partial(request: HttpRequest, target: str) -> bool:
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    pairs = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in names
        for value in values
        if value
    ]
    return urlencode(pairs)


def _message_or_404(membership: Membership, message_id: Any) -> Message:
    found = selectors.message_get(membership=membership, public_id=message_id)
    if found is None:
        raise Http404(_("No such message."))
    return found


def _detail_url(membership: Membership, message: Message) -> str:
    return reverse(
        "messages:detail",
        kwargs={"mission_slug": membership.mission.slug, "message_id": message.public_id},
    )


def _picker_url(membership: Membership) -> str:
    return reverse("messages:place_options", kwargs={"mission_slug": membership.mission.slug})


def _perms(membership: Membership) -> dict[str, bool]:
    role = membership.role
    return {
        "can_manage": role_has(role, Perm.MESSAGE_MANAGE),
        "can_see_restricted": selectors.may_see_restricted(membership),
        "can_reveal": role_has(role, Perm.REPORTER_CONTACT_VIEW),
    }


# --- Inbox and restricted queue --------------------------------------------------------------

FACETS = ("status", "urgency", "category", "channel", "language", "place")


def _facet_groups(request: HttpRequest, facets: selectors.Facets) -> list[dict[str, Any]]:
    """Facet counts as links: the current filters with this one value chosen."""
    titles = {
        "status": _("Status"),
        "urgency": _("Urgency"),
        "category": _("Category"),
        "channel": _("Channel"),
        "language": _("Language"),
        "place": _("Place"),
    }
    groups = []
    for name in FACETS:
        items: list[selectors.FacetItem] = getattr(facets, name)
        if not items:
            continue
        base = _query_without(request, name, "page")
        chosen = request.GET.get(name, "")
        links = []
        for item in items:
            label = item.label
            if name == "language":
                label = language_name(item.value)
            elif name == "place" and item.value == selectors.PLACE_NONE:
                label = _("Not placed yet")
            links.append(
                {
                    "label": label,
                    "count": item.count,
                    "depth": item.depth,
                    "selected": chosen == item.value,
                    "href": "?" + (base + "&" if base else "") + urlencode({name: item.value}),
                }
            )
        groups.append({"name": name, "title": titles[name], "items": links})
    return groups


def _inbox(request: HttpRequest, queue: str) -> HttpResponse:
    membership = _membership(request)
    form = MessageFilterForm(request.GET or None, membership=membership)
    with_place_picker(form, _picker_url(membership))
    filters = form.filters(queue)
    found = selectors.message_list(membership=membership, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if queue == selectors.RESTRICTED:
        services.messages_listed(actor=request.user, membership=membership, messages=rows)
    sizes = selectors.cluster_sizes(
        membership=membership, cluster_ids=[m.cluster_id for m in rows if m.cluster_id]
    )
    facets = selectors.message_facets(membership=membership, filters=filters)
    list_url = request.path
    context = {
        "mission": membership.mission,
        "queue": queue,
        "form": form,
        "page": page,
        "rows": [
            {
                "message": m,
                "category_label": selectors.full_label_of(m.category),
                "cluster_size": sizes.get(m.cluster_id or 0, 0),
            }
            for m in rows
        ],
        "facet_groups": _facet_groups(request, facets),
        "query": _query_without(request, "page"),
        "results_target": RESULTS_TARGET,
        "list_url": list_url,
        "next_url": request.get_full_path(),
        "nothing_yet": not _query_without(request, "page", "sort") and page.paginator.count == 0,
        **_perms(membership),
    }
    if _wants_partial(request, RESULTS_TARGET):
        context["oob"] = True  # the facet counts are swapped in next to the results
        return render(request, "feedback/messages/_partials/results.html", context)
    return render(request, "feedback/messages/list.html", context)


@never_cache
@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.MESSAGE_VIEW)
def message_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    return _inbox(request, selectors.INBOX)


@never_cache
@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.MESSAGE_RESTRICTED_VIEW)
def restricted_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The restricted protection queue; each page view audits the messages it shows."""
    return _inbox(request, selectors.RESTRICTED)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@mission_view(Perm.MESSAGE_MANAGE)
def message_bulk(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Mark the ticked messages reviewed, closed, spam or open again."""
    membership = _membership(request)
    fallback = reverse("messages:list", kwargs={"mission_slug": mission_slug})
    form = BulkStatusForm(request.POST)
    ids = BulkStatusForm.ids(request.POST.getlist("ids"))
    if not form.is_valid() or not ids:
        flash.error(request, _("Tick at least one message, then choose an action."))
        return redirect(_safe_next(request, fallback))
    status = form.cleaned_data["status"]
    targets = selectors.messages_visible(membership).filter(public_id__in=ids)
    changed = services.message_set_status(
        actor=request.user, membership=membership, messages=targets, status=status
    )
    label = dict(MessageStatus.choices).get(status, status)
    flash.success(
        request,
        ngettext(
            "%(count)d message marked “%(status)s”.",
            "%(count)d messages marked “%(status)s”.",
            changed,
        )
        % {"count": changed, "status": label},
    )
    return redirect(_safe_next(request, fallback))


# --- Detail ----------------------------------------------------------------------------------


def _status_actions() -> list[tuple[str, str]]:
    return [
        (MessageStatus.REVIEWED, _("Mark reviewed")),
        (MessageStatus.CLOSED, _("Close")),
        (MessageStatus.SPAM, _("Mark as spam")),
        (MessageStatus.OPEN, _("Reopen")),
    ]


def _labels(message: Message) -> list[dict[str, Any]]:
    sources = dict(LabelSource.choices)
    return [
        {
            "name": _("Category"),
            "value": selectors.label_of(message.category),
            "source": sources.get(message.category_source, ""),
            "confidence": message.category_confidence,
            "staff": message.category_source == LabelSource.STAFF,
        },
        {
            "name": _("Urgency"),
            "value": message.get_urgency_display() if message.urgency else "",
            "source": sources.get(message.urgency_source, ""),
            "confidence": None,
            "staff": message.urgency_source == LabelSource.STAFF,
        },
        {
            "name": _("Place"),
            "value": message.admin_unit.name if message.admin_unit else "",
            "source": sources.get(message.place_source, ""),
            "confidence": None,
            "staff": message.place_source == LabelSource.STAFF,
        },
        {
            "name": _("Language"),
            "value": language_name(message.language) if message.language else "",
            "source": _("Language detection") if message.language else "",
            "confidence": message.language_confidence,
            "staff": False,
        },
    ]


def _render_detail(
    request: HttpRequest,
    message: Message,
    *,
    relabel_form: RelabelForm | None = None,
    phone: str | None = None,
    contact_error: str = "",
    status: int = 200,
) -> HttpResponse:
    membership = _membership(request)
    perms = _perms(membership)
    services.message_read(actor=request.user, membership=membership, message=message)
    siblings = list(
        selectors.cluster_siblings(membership=membership, message=message, limit=SIBLINGS_SHOWN)
    )
    if relabel_form is None and perms["can_manage"]:
        relabel_form = RelabelForm(initial=RelabelForm.initial_for(message), membership=membership)
    reporter = message.reporter
    context = {
        "mission": membership.mission,
        "message": message,
        "labels": _labels(message),
        "coordinates": selectors.coordinates_for(membership, message),
        "siblings": siblings,
        "cluster_size": len(siblings) + 1 if message.cluster_id else 0,
        "siblings_more": len(siblings) >= SIBLINGS_SHOWN,
        "reporter_others": selectors.reporter_other_count(membership=membership, message=message),
        "reporter": reporter,
        "has_phone": bool(message.sender_pseudonym),
        "phone": phone,
        "contact_error": contact_error,
        "relabel_form": relabel_form,
        "category_label": selectors.full_label_of(message.category),
        "statuses": [
            (value, label) for value, label in _status_actions() if value != message.status
        ],
        "back_url": reverse(
            "messages:restricted" if message.is_restricted else "messages:list",
            kwargs={"mission_slug": membership.mission.slug},
        ),
        **perms,
    }
    return render(request, "feedback/messages/detail.html", context, status=status)


@never_cache
@mission_view(Perm.MESSAGE_VIEW)
def message_detail(request: HttpRequest, mission_slug: str, message_id: uuid.UUID) -> HttpResponse:
    """One message; reading a restricted one writes an audit row (every time)."""
    message = _message_or_404(_membership(request), message_id)
    return _render_detail(request, message)


@never_cache
@vary_on_headers("HX-Request")
@require_POST
@mission_view(Perm.REPORTER_CONTACT_VIEW)
def message_contact(request: HttpRequest, mission_slug: str, message_id: uuid.UUID) -> HttpResponse:
    """Decrypt the sender's number to call back, once, by an explicit POST (audited)."""
    membership = _membership(request)
    message = _message_or_404(membership, message_id)
    phone: str | None = None
    error = ""
    try:
        phone = services.reporter_contact_reveal(
            actor=request.user, membership=membership, message=message
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.headers.get("HX-Request") == "true":
        return render(
            request,
            "feedback/messages/_partials/contact.html",
            {
                "mission": membership.mission,
                "message": message,
                "phone": phone,
                "contact_error": error,
                "has_phone": True,
                "can_reveal": True,
            },
        )
    return _render_detail(request, message, phone=phone, contact_error=error)


@require_POST
@mission_view(Perm.MESSAGE_MANAGE)
def message_relabel(request: HttpRequest, mission_slug: str, message_id: uuid.UUID) -> HttpResponse:
    """Correct or confirm the labels; they become staff labels (the classifier learns them)."""
    membership = _membership(request)
    message = _message_or_404(membership, message_id)
    form = RelabelForm(request.POST, membership=membership)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.message_relabel(
                actor=request.user,
                membership=membership,
                message=message,
                category=data.get("category"),
                urgency=data.get("urgency"),
                admin_unit=data.get("place"),
                site=data.get("site"),
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                target = "place" if field == "admin_unit" else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            if selectors.message_get(membership=membership, public_id=message.public_id):
                flash.success(request, _("Labels saved."))
                return redirect(_detail_url(membership, message))
            flash.success(
                request,
                _(
                    "Labels saved. The message moved to the restricted queue, which your role "
                    "does not show."
                ),
            )
            return redirect("messages:list", mission_slug=mission_slug)
    return _render_detail(request, message, relabel_form=form, status=400)


# --- Map -------------------------------------------------------------------------------------


def _map_queue(request: HttpRequest, membership: Membership) -> str:
    if request.GET.get("queue") == selectors.RESTRICTED:
        if not selectors.may_see_restricted(membership):
            raise PermissionDenied(_("Your role does not allow this."))
        return selectors.RESTRICTED
    return selectors.INBOX


def _map_level(request: HttpRequest) -> int | None:
    value = request.GET.get("level", "")
    return int(value) if value.isdigit() and int(value) in MAP_LEVELS else None


def _map_areas_url(membership: Membership) -> str:
    """The places map (boundaries) drawn under the counts: the member's one top unit, if any."""
    scope = scope_for(membership)
    tops = places_selectors.admin_units_visible(membership=membership).filter(
        retired_at__isnull=True
    )
    if scope.paths is None:
        tops = tops.filter(parent__isnull=True)
    else:
        tops = tops.filter(path__in=list(scope.paths))
    found = list(tops.values_list("pcode", flat=True)[:2])
    if len(found) != 1:
        return ""
    return reverse(
        "places:map_data", kwargs={"mission_slug": membership.mission.slug, "pcode": found[0]}
    )


@never_cache
@mission_view(Perm.MESSAGE_VIEW)
def message_map(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Messages counted by place on a map; the same counts as a table without JavaScript."""
    membership = _membership(request)
    queue = _map_queue(request, membership)
    form = MessageFilterForm(request.GET or None, membership=membership)
    with_place_picker(form, _picker_url(membership))
    level = _map_level(request)
    result = selectors.message_map(membership=membership, filters=form.filters(queue), level=level)
    list_name = "messages:restricted" if queue == selectors.RESTRICTED else "messages:list"
    list_url = reverse(list_name, kwargs={"mission_slug": mission_slug})
    base = _query_without(request, "place", "page", "level", "queue")
    return render(
        request,
        "feedback/messages/map.html",
        {
            "mission": membership.mission,
            "form": form,
            "queue": queue,
            "level": level,
            "levels": MAP_LEVELS,
            "result": result,
            "points": [
                {
                    "point": p,
                    "href": f"{list_url}?{base + '&' if base else ''}place={p.unit.pcode}",
                    "worst": dict(Urgency.choices).get(p.worst_urgency, ""),
                }
                for p in result.points[:MAP_TABLE_ROWS]
            ],
            "data_query": _query_without(request, "page"),
            "areas_url": _map_areas_url(membership),
            "urgencies": Urgency.choices,
            **_perms(membership),
        },
    )


@never_cache
@mission_view(Perm.MESSAGE_VIEW)
def message_map_data(request: HttpRequest, mission_slug: str) -> JsonResponse:
    """GeoJSON: one point per place (its centroid) with counts; never a sender's coordinates."""
    membership = _membership(request)
    queue = _map_queue(request, membership)
    form = MessageFilterForm(request.GET or None, membership=membership)
    result = selectors.message_map(
        membership=membership, filters=form.filters(queue), level=_map_level(request)
    )
    list_name = "messages:restricted" if queue == selectors.RESTRICTED else "messages:list"
    list_url = reverse(list_name, kwargs={"mission_slug": mission_slug})
    base = _query_without(request, "place", "page", "level", "queue")
    urgency_labels = dict(Urgency.choices)
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [p.unit.centroid_lon, p.unit.centroid_lat],
            },
            "properties": {
                "code": p.unit.pcode,
                "name": p.unit.name,
                "count": p.count,
                "worst_urgency": p.worst_urgency,
                "worst_urgency_label": str(urgency_labels.get(p.worst_urgency, "")),
                "top_category": p.top_category,
                "url": f"{list_url}?{base + '&' if base else ''}place={p.unit.pcode}",
            },
        }
        for p in result.points
    ]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "total": result.total,
            "unmapped": result.unmapped,
        },
        content_type="application/geo+json",
    )


# --- Hotline entry ---------------------------------------------------------------------------


@never_cache
@mission_view(Perm.MESSAGE_MANAGE)
def hotline_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Log a call, or a call-back after a missed call; the form can be sent twice safely."""
    membership = _membership(request)
    tz = zoneinfo.ZoneInfo(membership.mission.time_zone)
    status = 200
    if request.method == "POST":
        with timezone.override(tz):
            form = HotlineForm(request.POST, membership=membership)
            valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            try:
                message = services.hotline_message_create(
                    actor=request.user,
                    membership=membership,
                    body=data["body"],
                    kind=data["kind"],
                    channel=data.get("channel"),
                    caller_phone=data.get("caller_phone", ""),
                    entry_id=data["entry_id"],
                    received_at=data.get("received_at"),
                    language=data.get("language", ""),
                    admin_unit=data.get("place"),
                    site=data.get("site"),
                    category=data.get("category"),
                    urgency=data.get("urgency"),
                )
            except ValidationError as exc:
                for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                    target = "place" if field == "admin_unit" else field
                    if target == "sender_phone":
                        target = "caller_phone"
                    form.add_error(target if target in form.fields else None, errors)
            else:
                flash.success(request, _("Call recorded."))
                if selectors.message_get(membership=membership, public_id=message.public_id):
                    return redirect(_detail_url(membership, message))
                return redirect("messages:list", mission_slug=mission_slug)
        status = 400
    else:
        form = HotlineForm(
            initial={"entry_id": uuid.uuid4(), "kind": "call"}, membership=membership
        )
    with_place_picker(form, _picker_url(membership))
    return render(
        request,
        "feedback/messages/hotline.html",
        {"mission": membership.mission, "form": form},
        status=status,
    )


# --- Place picker ----------------------------------------------------------------------------


@mission_view(Perm.MESSAGE_VIEW)
def place_options(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """``<option>``s of places in the member's area matching what was typed (htmx)."""
    membership = _membership(request)
    text = (request.GET.get("place") or request.GET.get("q") or "")[:100]
    hits = (
        place_search(membership=membership, query=text, limit=PLACE_OPTIONS, include_sites=False)
        if text.strip()
        else []
    )
    response = render(request, "feedback/messages/_partials/place_options.html", {"hits": hits})
    response["Cache-Control"] = "private, max-age=60"
    return response
