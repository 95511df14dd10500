"""Round pages: the list by series, creating and editing a round, its dashboard (progress
against quotas, interviews per day, enumerators and quality flags) and status. The quotas page
is in ``round_quota_views``, the interviews-per-day chart in ``round_charts``."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
import zoneinfo
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.forms import Form as DjangoForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.assessments import form_selectors, quality, round_selectors, round_services
from palava.assessments.models import Form, Round, RoundStatus
from palava.assessments.round_charts import daily_svg
from palava.assessments.round_forms import (
    RoundForm,
    StatusForm,
)
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places.scope import scope_for


def _mission(request: HttpRequest) -> Mission:
    return request.mission  # type: ignore[attr-defined, no-any-return]


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _can(request: HttpRequest, perm: Perm) -> bool:
    return role_has(_membership(request).role, perm)


def _round_or_404(request: HttpRequest, round_id: uuid.UUID) -> Round:
    try:
        return round_selectors.round_get(mission=_mission(request), public_id=round_id)
    except Round.DoesNotExist:
        raise Http404(_("No such round.")) from None


def _dashboard_url(round: Round) -> str:
    return reverse(
        "rounds:detail", kwargs={"mission_slug": round.mission.slug, "round_id": round.public_id}
    )


def _questions(form: Form) -> list[quality.Question]:
    version = form.current_version
    return quality.questions_of(version.definition or {}) if version else []


def _indicator_rows(indicator_map: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (code, str(entry.get("path", "")), str(entry.get("version", "")))
        for code, entry in sorted(indicator_map.items())
        if isinstance(entry, dict)
    ]


def _apply_errors(form: DjangoForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Pages ------------------------------------------------------------------------------------


@never_cache
@mission_view(Perm.FORM_VIEW)
def round_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    rows = round_selectors.rounds_overview(mission=mission, membership=_membership(request))
    groups = [
        (series, list(items)) for series, items in itertools.groupby(rows, lambda r: r.round.series)
    ]
    return render(
        request,
        "assessments/round_list.html",
        {
            "mission": mission,
            "groups": groups,
            "can_manage": _can(request, Perm.ROUND_MANAGE),
        },
    )


def _round_form_initial(mission: Mission, form: Form, series: str) -> dict[str, Any]:
    series = series or (form.form_id.lower().replace("_", "-")[:100])
    number = round_selectors.next_number(mission=mission, series=series)
    known = {q.path for q in _questions(form)}
    paths = round_services.standard_paths()
    today = dt.datetime.now(zoneinfo.ZoneInfo(mission.time_zone or "UTC")).date()
    initial: dict[str, Any] = {
        "series": series,
        "number": number,
        "name": _("%(form)s, round %(number)d") % {"form": form.title, "number": number},
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=30),
        "min_duration_seconds": 300,
    }
    for name, key in zip(round_services.FIELD_NAMES, ("place", "sex", "age", "group"), strict=True):
        if paths.get(key) in known:
            initial[name] = paths[key]
    return initial


@never_cache
@mission_view(Perm.ROUND_MANAGE)
def round_new(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    chosen = request.POST.get("form") or request.GET.get("form") or ""
    form: Form | None = None
    if chosen:
        try:
            form = form_selectors.form_get(mission=mission, public_id=uuid.UUID(chosen))
        except (ValueError, Form.DoesNotExist):
            form = None
    if form is None:
        return render(
            request,
            "assessments/round_new.html",
            {
                "mission": mission,
                "forms": form_selectors.forms_for(mission=mission).filter(
                    current_version__isnull=False
                ),
                "unknown_form": bool(chosen),
            },
            status=400 if chosen else 200,
        )
    questions = _questions(form)
    round_form = RoundForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        initial=_round_form_initial(mission, form, request.GET.get("series", "")),
    )
    if request.method == "POST" and round_form.is_valid():
        data = round_form.cleaned_data
        try:
            created = round_services.round_create(
                actor=request.user,
                mission=mission,
                form=form,
                series=data["series"],
                number=data["number"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                place_field=data["place_field"],
                sex_field=data["sex_field"],
                age_field=data["age_field"],
                group_field=data["group_field"],
                population_year=data["population_year"],
                min_duration_seconds=data["min_duration_seconds"],
            )
        except ValidationError as exc:
            _apply_errors(round_form, exc)
        else:
            flash.success(request, _("Round created."))
            return redirect(_dashboard_url(created))
    version = form.current_version
    indicator_map = round_services.indicator_map_for(version.definition or {}) if version else {}
    return render(
        request,
        "assessments/round_form.html",
        {
            "mission": mission,
            "form": form,
            "round_form": round_form,
            "indicators": _indicator_rows(indicator_map),
            "round": None,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@mission_view(Perm.ROUND_MANAGE)
def round_edit(request: HttpRequest, mission_slug: str, round_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    round = _round_or_404(request, round_id)
    fields = [f for f in round_services.EDITABLE if f != "indicator_map"]
    round_form = RoundForm(
        request.POST if request.method == "POST" else None,
        questions=_questions(round.form),
        initial={f: getattr(round, f) for f in fields},
    )
    if request.method == "POST" and round_form.is_valid():
        try:
            round_services.round_update(
                actor=request.user,
                round=round,
                changes={f: round_form.cleaned_data[f] for f in fields},
            )
        except ValidationError as exc:
            _apply_errors(round_form, exc)
        else:
            flash.success(request, _("Round saved."))
            return redirect(_dashboard_url(round))
    return render(
        request,
        "assessments/round_form.html",
        {
            "mission": mission,
            "form": round.form,
            "round_form": round_form,
            "indicators": _indicator_rows(round.indicator_map or {}),
            "round": round,
        },
        status=400 if request.method == "POST" else 200,
    )


def _submissions_url(mission: Mission) -> str | None:
    # The submissions list is another page group; link to it only once it is mounted.
    try:
        return reverse("submissions:list", kwargs={"mission_slug": mission.slug})
    except NoReverseMatch:
        return None


@never_cache
@mission_view(Perm.FORM_VIEW)
def round_detail(request: HttpRequest, mission_slug: str, round_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    round = _round_or_404(request, round_id)
    membership = _membership(request)
    progress = round_selectors.round_progress(round=round, membership=membership)
    done, target, percent = round_selectors.overall(progress)
    dashboard = round_selectors.round_dashboard(round=round, membership=membership)
    submissions_url = _submissions_url(mission) if _can(request, Perm.SUBMISSION_VIEW) else None
    flags = [
        (
            code,
            label,
            dashboard.flag_counts.get(code, 0),
            f"{submissions_url}?{urlencode({'round': str(round.public_id), 'flag': code})}"
            if submissions_url
            else None,
        )
        for code, label in quality.QUALITY_FLAGS.items()
    ]
    places = [
        (place, list(cells)) for place, cells in itertools.groupby(progress, lambda p: p.place)
    ]
    chart = daily_svg(
        dashboard.daily,
        title=_("Interviews per day"),
        description=_("%(n)s interviews from %(first)s to %(last)s.")
        % {
            "n": number_format(dashboard.interviews, force_grouping=True),
            "first": date_format(dashboard.daily[0][0]) if dashboard.daily else "",
            "last": date_format(dashboard.daily[-1][0]) if dashboard.daily else "",
        },
    )
    return render(
        request,
        "assessments/round_dashboard.html",
        {
            "mission": mission,
            "round": round,
            "places": places,
            "done": done,
            "target": target,
            "percent": percent,
            "dashboard": dashboard,
            "chart": chart,
            "flags": flags,
            "flag_labels": list(quality.QUALITY_FLAGS.values()),
            "submissions_url": submissions_url,
            "can_manage": _can(request, Perm.ROUND_MANAGE),
            "status_form": StatusForm(initial={"status": round.status}),
            "statuses": RoundStatus.choices,
            "scoped": not _scope_whole(membership),
        },
    )


def _scope_whole(membership: Membership) -> bool:
    return scope_for(membership).is_whole_mission


@require_POST
@mission_view(Perm.ROUND_MANAGE)
def round_status(request: HttpRequest, mission_slug: str, round_id: uuid.UUID) -> HttpResponse:
    round = _round_or_404(request, round_id)
    status_form = StatusForm(request.POST)
    if status_form.is_valid():
        round_services.round_set_status(
            actor=request.user, round=round, status=status_form.cleaned_data["status"]
        )
        flash.success(request, _("Status: %(status)s.") % {"status": round.get_status_display()})
    else:
        flash.error(request, _("Unknown status."))
    return redirect(_dashboard_url(round))


@require_POST
@mission_view(Perm.ROUND_MANAGE)
def round_recompute(request: HttpRequest, mission_slug: str, round_id: uuid.UUID) -> HttpResponse:
    round = _round_or_404(request, round_id)
    counts = round_services.round_quality_recompute(actor=request.user, round=round)
    flash.success(
        request,
        _("Quality flags recomputed: %(n)d flags raised.") % {"n": sum(counts.values())},
    )
    return redirect(_dashboard_url(round))
