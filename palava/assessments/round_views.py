"""Round pages: the list by series, creating and editing a round, its dashboard (progress
against quotas, interviews per day, enumerators and quality flags), quotas and status."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
import zoneinfo
from collections.abc import Sequence
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import Form as DjangoForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.assessments import form_selectors, quality, round_selectors, round_services
from palava.assessments.models import Form, Round, RoundStatus
from palava.assessments.round_forms import (
    GRID_MODES,
    QuotaGridForm,
    QuotaUploadForm,
    RoundForm,
    StatusForm,
    grid_columns,
)
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places.scope import scope_for

# The quota grid lists at most this many places; a larger frame is uploaded as CSV.
MAX_GRID_PLACES = 300


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


# --- Charts -----------------------------------------------------------------------------------

SPARK_WIDTH = 960.0
SPARK_HEIGHT = 110.0
SPARK_TOP = 14.0
SPARK_BOTTOM = 18.0


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def daily_svg(daily: Sequence[tuple[dt.date, int]], *, title: str, description: str) -> SafeString:
    """A small column chart of interviews per day (classes only; colours in metrics.css)."""
    count = len(daily) or 1
    step = SPARK_WIDTH / count
    bar = max(1.0, step * 0.8)
    room = SPARK_HEIGHT - SPARK_TOP - SPARK_BOTTOM
    largest = max([n for _day, n in daily] or [0]) or 1
    parts: list[SafeString] = [
        format_html(
            '<rect class="bar-track" x="0" y="{}" width="{}" height="1"></rect>',
            _fmt(SPARK_TOP + room),
            _fmt(SPARK_WIDTH),
        )
    ]
    for index, (day, n) in enumerate(daily):
        height = room * n / largest
        parts.append(
            format_html(
                '<rect class="bar bar-share" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {}</title></rect>",
                _fmt(index * step + (step - bar) / 2),
                _fmt(SPARK_TOP + room - height),
                _fmt(bar),
                _fmt(height),
                date_format(day, "j M Y"),
                number_format(n, force_grouping=True),
            )
        )
    if daily:
        parts.append(
            format_html(
                '<text class="chart-legend" x="0" y="{}" text-anchor="start">{}</text>'
                '<text class="chart-legend" x="{}" y="{}" text-anchor="end">{}</text>'
                '<text class="chart-legend" x="0" y="10" text-anchor="start">{}</text>',
                _fmt(SPARK_HEIGHT - 4),
                date_format(daily[0][0], "j M"),
                _fmt(SPARK_WIDTH),
                _fmt(SPARK_HEIGHT - 4),
                date_format(daily[-1][0], "j M"),
                _("max %(n)s per day") % {"n": number_format(largest, force_grouping=True)},
            )
        )
    body = mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
    return format_html(
        '<svg class="chart chart-metrics chart-daily" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="daily-title daily-desc" direction="ltr">'
        '<title id="daily-title">{}</title><desc id="daily-desc">{}</desc>{}</svg>',
        _fmt(SPARK_WIDTH),
        _fmt(SPARK_HEIGHT),
        title,
        description,
        body,
    )


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


def _read(upload: UploadedFile[bytes], limit: int) -> bytes | None:
    if upload.size is not None and upload.size > limit:
        return None
    data = upload.read(limit + 1)
    return None if len(data) > limit else data


@never_cache
@mission_view(Perm.ROUND_MANAGE)
def round_quotas(request: HttpRequest, mission_slug: str, round_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    membership = _membership(request)
    round = _round_or_404(request, round_id)
    levels = round_selectors.frame_levels(mission=mission)
    current = round_selectors.quotas_of(round=round, membership=membership)
    try:
        default_level = current[0].admin_unit.level if current else max(levels[:3] or [0])
        level = int(request.GET.get("level", default_level))
    except ValueError:
        level = levels[0] if levels else 0
    mode = request.GET.get("by", "place")
    if mode not in GRID_MODES:
        mode = "place"
    bands = round_services.Classifier(mission).bands(round.population_year)
    places = list(
        round_selectors.frame_places(mission=mission, membership=membership, level=level)[
            : MAX_GRID_PLACES + 1
        ]
    )
    too_many = len(places) > MAX_GRID_PLACES
    places = places[:MAX_GRID_PLACES]
    columns = grid_columns(mode, bands)
    existing = {(q.admin_unit_id, q.sex, q.age_band): q.target for q in current}
    initial = {
        f"t_{unit.pk}_{sex or 'any'}_{band or 'any'}": existing[(unit.pk, sex, band)]
        for unit in places
        for sex, band in columns
        if (unit.pk, sex, band) in existing
    }
    action = request.POST.get("action", "")
    upload_form = QuotaUploadForm(
        request.POST if action == "csv" else None, request.FILES if action == "csv" else None
    )
    grid = QuotaGridForm(
        request.POST if action == "grid" else None,
        places=places,
        columns=columns,
        initial=initial,
    )
    problems: list[round_services.QuotaProblem] = []
    status = 200
    if request.method == "POST":
        quotas: list[Any] | None = None
        if action == "csv" and upload_form.is_valid():
            upload: UploadedFile[bytes] = upload_form.cleaned_data["file"]
            content = _read(upload, round_services.MAX_QUOTA_CSV_BYTES)
            if content is None:
                problems = [
                    round_services.QuotaProblem(
                        None,
                        _("The file is too large (limit %(kb)d KB).")
                        % {"kb": round_services.MAX_QUOTA_CSV_BYTES // 1024},
                    )
                ]
            else:
                try:
                    quotas = round_services.parse_quota_csv(content, mission=mission)
                except round_services.QuotaCSVError as exc:
                    problems = exc.problems
        elif action == "grid" and grid.is_valid():
            quotas = grid.quotas()
        outside = round_selectors.quotas_outside_scope(round=round, membership=membership)
        if quotas is not None:
            scope = scope_for(membership)
            refused = sorted({q[0].pcode for q in quotas if not scope.contains(q[0])})
            if refused:
                problems = [
                    round_services.QuotaProblem(
                        None,
                        _("These places are outside your area: %(codes)s")
                        % {"codes": ", ".join(refused[:20])},
                    )
                ]
                quotas = None
            if quotas is not None and action == "grid":
                # The grid replaces the quotas of the places it shows; other places keep theirs.
                shown = {u.pk for u in places}
                quotas = quotas + [
                    (q.admin_unit, q.sex, q.age_band, q.target)
                    for q in current
                    if q.admin_unit_id not in shown
                ]
            if quotas is not None:
                kept = [(q.admin_unit, q.sex, q.age_band, q.target) for q in outside]
                try:
                    round_services.round_set_quotas(
                        actor=request.user, round=round, quotas=[*kept, *quotas]
                    )
                except ValidationError as exc:
                    problems = [round_services.QuotaProblem(None, m) for m in exc.messages]
                else:
                    flash.success(
                        request, _("Quotas saved: %(n)d cells.") % {"n": len(quotas) + len(kept)}
                    )
                    return redirect(
                        reverse(
                            "rounds:quotas",
                            kwargs={"mission_slug": mission.slug, "round_id": round.public_id},
                        )
                    )
        status = 400
    return render(
        request,
        "assessments/round_quotas.html",
        {
            "mission": mission,
            "round": round,
            "current": current,
            "upload_form": upload_form,
            "grid": grid,
            "columns": columns,
            "levels": levels,
            "level": level,
            "mode": mode,
            "modes": [
                ("place", _("by place")),
                ("sex", _("by place and sex")),
                ("sex_age", _("by place, sex and age band")),
            ],
            "too_many": too_many,
            "max_places": MAX_GRID_PLACES,
            "problems": problems,
        },
        status=status,
    )
