"""Round quotas page: the targets by place (and sex, age band) of a round, entered in a grid
or uploaded as CSV."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.assessments import round_selectors, round_services
from palava.assessments.round_forms import (
    GRID_MODES,
    QuotaGridForm,
    QuotaUploadForm,
    grid_columns,
)
from palava.assessments.round_views import _membership, _mission, _round_or_404
from palava.missions.permissions import Perm, mission_view
from palava.places.scope import scope_for

# The quota grid lists at most this many places; a larger frame is uploaded as CSV.
MAX_GRID_PLACES = 300


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
