"""Broadcast pages: the list, writing one (texts per language, audience, counts preview),
its detail (audience, schedule, delivery statistics with a progress bar that refreshes while
it is being sent), scheduling and cancelling.

No page shows a recipient's number, name or pseudonym: only counts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.feedback.broadcasts import selectors, services
from palava.feedback.broadcasts.audience import Audience, audience_of, audience_preview
from palava.feedback.broadcasts.forms import BroadcastForm, ScheduleForm
from palava.feedback.forms import language_name
from palava.feedback.models import Broadcast, BroadcastStatus
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has

PAGE_SIZE = 25
POLL_SECONDS = 3


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _get_or_404(membership: Membership, broadcast_id: Any) -> Broadcast:
    found = selectors.broadcast_get(membership=membership, public_id=broadcast_id)
    if found is None:
        raise Http404(_("No such broadcast."))
    return found


def _detail_url(obj: Broadcast, slug: str) -> str:
    return reverse(
        "broadcasts:detail", kwargs={"mission_slug": slug, "broadcast_id": obj.public_id}
    )


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@never_cache
@mission_view(Perm.BROADCAST_VIEW)
def broadcast_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    status = request.GET.get("status", "")
    if status not in BroadcastStatus.values:
        status = ""
    found = selectors.broadcast_list(membership=membership, status=status)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    stats = selectors.broadcast_stats_many(shown)
    rows = [{"broadcast": b, "stats": stats[b.pk]} for b in shown]
    return render(
        request,
        "feedback/broadcasts/list.html",
        {
            "mission": membership.mission,
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": BroadcastStatus.choices,
            "can_manage": role_has(membership.role, Perm.BROADCAST_MANAGE),
            "query": f"status={status}" if status else "",
        },
    )


def _form_page(
    request: HttpRequest, membership: Membership, form: BroadcastForm, obj: Broadcast | None
) -> HttpResponse:
    return render(
        request,
        "feedback/broadcasts/form.html",
        {"mission": membership.mission, "form": form, "broadcast": obj},
    )


@never_cache
@mission_view(Perm.BROADCAST_MANAGE)
def broadcast_new(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = BroadcastForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.broadcast_create(
                mission=membership.mission,
                actor=request.user,
                membership=membership,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            flash.success(request, _("Draft saved. Check the audience, then schedule it."))
            return redirect(_detail_url(obj, mission_slug))
    return _form_page(request, membership, form, None)


@never_cache
@mission_view(Perm.BROADCAST_MANAGE)
def broadcast_edit(request: HttpRequest, mission_slug: str, broadcast_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, broadcast_id)
    if obj.status not in services.EDITABLE:
        flash.error(request, _("A broadcast being sent or already sent cannot be changed."))
        return redirect(_detail_url(obj, mission_slug))
    form = BroadcastForm(request.POST or None, membership=membership, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.broadcast_update(
                broadcast=obj, actor=request.user, membership=membership, **form.service_kwargs()
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            flash.success(request, _("Broadcast saved."))
            return redirect(_detail_url(obj, mission_slug))
    return _form_page(request, membership, form, obj)


@require_POST
@never_cache
@mission_view(Perm.BROADCAST_MANAGE)
def broadcast_preview(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Audience counts for the form as it is filled in (htmx); counts only."""
    membership = _membership(request)
    form = BroadcastForm(request.POST, membership=membership)
    form.is_valid()  # the preview uses whatever is valid so far
    data = getattr(form, "cleaned_data", {})
    audience = Audience(
        mission_id=membership.mission_id,
        to_reporters=bool(data.get("to_reporters")),
        to_actors=bool(data.get("to_actors")),
        area_paths=tuple(u.path for u in data.get("admin_units") or ()),
        group_ids=tuple(g.pk for g in data.get("groups") or ()),
        actor_types=tuple(data.get("actor_types") or ()),
        languages=tuple(data.get("languages") or ()),
    )
    return render(
        request,
        "feedback/broadcasts/_partials/preview.html",
        {"preview": audience_preview(audience), "language_names": _language_names()},
    )


def _language_names() -> dict[str, str]:
    return {code: language_name(code) for code in ("fr", "en", "ar", "sw", "pt", "ln", "rw")}


def _segments(stats: selectors.BroadcastStats) -> list[dict[str, Any]]:
    """Parts of the stacked delivery bar, in percent of the total (SVG attributes, no CSS)."""
    parts = [
        ("delivered", _("Delivered"), stats.delivered),
        ("sent", _("Sent"), stats.sent),
        ("queued", _("Queued"), stats.queued),
        ("failed", _("Failed"), stats.failed),
        ("suppressed", _("Not sent: opted out"), stats.suppressed),
        ("cancelled", _("Cancelled"), stats.cancelled),
    ]
    x = 0.0
    out = []
    for key, label, count in parts:
        width = stats.percent(count)
        out.append(
            {
                "key": key,
                "label": label,
                "count": count,
                "percent": width,
                "x": f"{x:.2f}",
                "width": f"{width:.2f}" if count else "",
            }
        )
        x += width
    return out


def _stats_context(obj: Broadcast) -> dict[str, Any]:
    stats = selectors.broadcast_stats(obj)
    return {
        "broadcast": obj,
        "stats": stats,
        "segments": _segments(stats),
        "poll_seconds": POLL_SECONDS,
    }


@never_cache
@mission_view(Perm.BROADCAST_VIEW)
def broadcast_detail(request: HttpRequest, mission_slug: str, broadcast_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, broadcast_id)
    can_manage = role_has(membership.role, Perm.BROADCAST_MANAGE)
    preview = None
    if obj.status in services.EDITABLE:
        preview = audience_preview(audience_of(obj))
    texts = [
        {
            "code": code,
            "name": language_name(code),
            "text": text,
            "default": code == obj.default_language,
        }
        for code, text in sorted((obj.texts or {}).items())
    ]
    return render(
        request,
        "feedback/broadcasts/detail.html",
        {
            "mission": membership.mission,
            "texts": texts,
            "preview": preview,
            "language_names": _language_names(),
            "can_manage": can_manage,
            "is_editable": obj.status in services.EDITABLE,
            "can_cancel": services.broadcast_can_cancel(obj),
            "schedule_form": ScheduleForm(time_zone=membership.mission.time_zone),
            "actor_type_labels": [
                str(label) for code, label in _actor_types() if code in obj.actor_types
            ],
            **_stats_context(obj),
        },
    )


def _actor_types() -> list[tuple[str, Any]]:
    from palava.actors.models import ActorType

    return list(ActorType.choices)


@never_cache
@mission_view(Perm.BROADCAST_VIEW)
def broadcast_stats(request: HttpRequest, mission_slug: str, broadcast_id: Any) -> HttpResponse:
    """The statistics block alone (htmx polls it while the broadcast is being sent)."""
    membership = _membership(request)
    obj = _get_or_404(membership, broadcast_id)
    return render(
        request,
        "feedback/broadcasts/_partials/stats.html",
        {"mission": membership.mission, **_stats_context(obj)},
    )


@require_POST
@mission_view(Perm.BROADCAST_MANAGE)
def broadcast_schedule(request: HttpRequest, mission_slug: str, broadcast_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, broadcast_id)
    form = ScheduleForm(request.POST, time_zone=membership.mission.time_zone)
    if not form.is_valid():
        flash.error(request, _("Give the date and time."))
        return redirect(_detail_url(obj, mission_slug))
    try:
        services.broadcast_schedule(broadcast=obj, actor=request.user, scheduled_at=form.moment())
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, _("Broadcast scheduled."))
    return redirect(_detail_url(obj, mission_slug))


@require_POST
@mission_view(Perm.BROADCAST_MANAGE)
def broadcast_cancel(request: HttpRequest, mission_slug: str, broadcast_id: Any) -> HttpResponse:
    membership = _membership(request)
    obj = _get_or_404(membership, broadcast_id)
    try:
        services.broadcast_cancel(broadcast=obj, actor=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, _("Broadcast cancelled."))
    return redirect(_detail_url(obj, mission_slug))
