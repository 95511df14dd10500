"""Needs register pages: the register (places x top needs with trend), a place's history,
recording an exercise in two steps (no JavaScript), an exercise's page, deleting one, and
turning a round's ranking question into exercises."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.assessments import needs_selectors as selectors
from palava.assessments import needs_services as services
from palava.assessments.models import RankingExercise, RankingMethod
from palava.assessments.needs import TOP, need_label, read_inputs
from palava.assessments.needs_charts import bars_svg, history_svg
from palava.assessments.needs_forms import (
    DetailsForm,
    FromRoundForm,
    RegisterFilterForm,
    SetupForm,
    entry_inputs,
    pair_name,
)
from palava.feedback.forms import with_place_picker
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, mission_view, role_has


def _mission(request: HttpRequest) -> Mission:
    return request.mission  # type: ignore[attr-defined, no-any-return]


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _can(request: HttpRequest, perm: Perm) -> bool:
    return role_has(_membership(request).role, perm)


def _register_url(mission: Mission) -> str:
    return reverse("needs:register", kwargs={"mission_slug": mission.slug})


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _rank_sources(mission: Mission) -> list[tuple[str, str]]:
    return [
        (s.value, f"{s.round.name} · {s.label} ({s.path})")
        for s in selectors.rank_sources(mission=mission)
    ]


@never_cache
@mission_view(Perm.NEEDS_VIEW)
def register(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission, membership = _mission(request), _membership(request)
    provinces = selectors.register_provinces(mission=mission, membership=membership)
    filters = RegisterFilterForm(request.GET or None, provinces=provinces)
    province = level = None
    if filters.is_valid():
        code = filters.cleaned_data.get("province") or ""
        province = next((u for u in provinces if u.pcode == code), None)
        level = int(filters.cleaned_data["level"]) if filters.cleaned_data.get("level") else None
    places = selectors.needs_register(
        mission=mission, membership=membership, province=province, level=level
    )
    rows = [
        {
            "place": place,
            "chart": bars_svg(
                [(n.label, n.score) for n in place.top],
                title=_("Top needs in %(place)s") % {"place": place.unit.name},
                description=_("Share of each need in %(period)s.")
                % {"period": place.latest.period.label},
                chart_id=f"needs-{place.unit.public_id}",
                compact=True,
            ),
            "blanks": range(TOP - len(place.top)),
        }
        for place in places
    ]
    overall = selectors.mission_needs(places)
    overall_chart = (
        bars_svg(
            [(n.label, n.score) for n in overall.needs[:10]],
            title=_("Top needs across the places shown"),
            description=_("Average share of each need over the places' latest exercises."),
            chart_id="needs-overall",
        )
        if overall.needs
        else None
    )
    can_manage = _can(request, Perm.NEEDS_MANAGE)
    sources = _rank_sources(mission) if can_manage else []
    return render(
        request,
        "assessments/needs_register.html",
        {
            "mission": mission,
            "rows": rows,
            "overall": overall,
            "overall_chart": overall_chart,
            "filters": filters,
            "filtered": bool(province or level is not None),
            "can_manage": can_manage,
            "from_round_form": FromRoundForm(sources=sources) if sources else None,
        },
    )


def _unit_or_404(request: HttpRequest, unit_id: uuid.UUID) -> Any:
    unit = selectors.unit_get(
        mission=_mission(request), membership=_membership(request), public_id=unit_id
    )
    if unit is None:
        raise Http404(_("No such place."))
    return unit


def _top_label(exercise: RankingExercise, labels: dict[str, str]) -> str:
    scores = exercise.scores if isinstance(exercise.scores, dict) else {}
    if not scores:
        return ""
    code = min(scores, key=lambda c: (-float(scores[c]), c))
    return labels.get(code) or need_label(code)


@never_cache
@mission_view(Perm.NEEDS_VIEW)
def place(request: HttpRequest, mission_slug: str, unit_id: uuid.UUID) -> HttpResponse:
    mission, membership = _mission(request), _membership(request)
    unit = _unit_or_404(request, unit_id)
    history = selectors.place_needs(mission=mission, membership=membership, admin_unit=unit)
    codes = history.codes[:8]
    chart = (
        history_svg(
            [p.period.label for p in history.periods],
            [(history.labels[c], [p.score_of(c) for p in history.periods]) for c in codes],
            title=_("Needs in %(place)s by quarter") % {"place": unit.name},
            description=_("Share of each need per quarter, oldest on the left."),
            chart_id="needs-history",
        )
        if history.periods
        else None
    )
    table = [
        {"label": history.labels[c], "scores": [p.score_of(c) for p in history.periods]}
        for c in history.codes
    ]
    return render(
        request,
        "assessments/needs_place.html",
        {
            "mission": mission,
            "unit": unit,
            "history": history,
            "latest": history.periods[-1] if history.periods else None,
            "chart": chart,
            "table": table,
            "exercise_rows": [
                {"exercise": e, "top": _top_label(e, history.labels)} for e in history.exercises
            ],
            "can_manage": _can(request, Perm.NEEDS_MANAGE),
        },
    )


def _grid(method: str, setup: SetupForm, post: Any) -> dict[str, Any]:
    """What the step-2 template draws: the pairwise matrix, rank or counter inputs."""
    items = setup.items
    heads = [{"code": c, "label": setup.label(c)} for c in items]
    if method == RankingMethod.PAIRWISE:
        # The upper triangle: rows all but the last need, columns all but the first.
        matrix = []
        for i, first in enumerate(items[:-1]):
            cells: list[dict[str, Any] | None] = []
            for j, second in enumerate(items[1:], start=1):
                if j <= i:
                    cells.append(None)
                    continue
                name = pair_name(i, j)
                cells.append(
                    {
                        "name": name,
                        "first": first,
                        "first_label": setup.label(first),
                        "second": second,
                        "second_label": setup.label(second),
                        "chosen": str(post.get(name, "")) if post else "",
                    }
                )
            matrix.append({"label": setup.label(first), "cells": cells})
        return {"heads": heads[1:], "matrix": matrix}
    prefix = "rank" if method == RankingMethod.BORDA else "count"
    fields = [
        {
            "name": f"{prefix}-{c}",
            "label": setup.label(c),
            "value": str(post.get(f"{prefix}-{c}", ""))[:12] if post else "",
        }
        for c in items
    ]
    return {"heads": heads, "fields": fields, "count": len(items)}


_SETUP_FIELDS = ("place", "held_on", "method", "other_1", "other_2", "other_3")


def _setup_hidden(setup: SetupForm) -> list[tuple[str, str]]:
    data = setup.cleaned_data
    hidden = [
        ("place", setup.unit.pcode if setup.unit else ""),
        ("held_on", data["held_on"].isoformat()),
        ("method", data["method"]),
    ]
    hidden += [("needs", code) for code in data.get("needs") or []]
    hidden += [(f"other_{i}", str(data.get(f"other_{i}") or "")) for i in (1, 2, 3)]
    return [(k, v) for k, v in hidden if v]


@never_cache
@mission_view(Perm.NEEDS_MANAGE)
def exercise_new(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission, membership = _mission(request), _membership(request)
    source = request.POST if request.method == "POST" else request.GET
    started = "method" in source and "back" not in source
    initial: dict[str, Any] = {"place": request.GET.get("place", "")[:200]}
    if "back" in source:  # "change" from step 2: step 1 filled with the earlier choices
        initial.update({k: source.get(k, "")[:200] for k in _SETUP_FIELDS})
        initial["needs"] = source.getlist("needs")
    setup = SetupForm(source if started else None, membership=membership, initial=initial)
    if _can(request, Perm.MESSAGE_VIEW):  # places suggested while typing (the inbox's list)
        url = reverse("messages:place_options", kwargs={"mission_slug": mission.slug})
        with_place_picker(setup, url)
    context: dict[str, Any] = {"mission": mission, "setup": setup}
    if not started or not setup.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "assessments/needs_new.html", context, status=status)
    method = setup.cleaned_data["method"]
    details = DetailsForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and details.is_valid():
        assert setup.unit is not None
        try:
            inputs = entry_inputs(method, setup.items, request.POST)
            inputs["labels"] = setup.labels
            exercise = services.exercise_record(
                actor=request.user,
                mission=mission,
                admin_unit=setup.unit,
                held_on=setup.cleaned_data["held_on"],
                method=method,
                items=setup.items,
                inputs=inputs,
                group=details.cleaned_data.get("group") or "",
                participants=details.cleaned_data.get("participants"),
                notes=details.cleaned_data.get("notes") or "",
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            flash.success(request, _("The ranking exercise was recorded."))
            return redirect(
                reverse(
                    "needs:exercise",
                    kwargs={"mission_slug": mission.slug, "exercise_id": exercise.public_id},
                )
            )
    context.update(
        {
            "step": 2,
            "unit": setup.unit,
            "method": method,
            "method_label": dict(RankingMethod.choices)[method],
            "held_on": setup.cleaned_data["held_on"],
            "hidden": _setup_hidden(setup),
            "details": details,
            "grid": _grid(method, setup, request.POST if request.method == "POST" else None),
            "errors": errors,
        }
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/needs_entry.html", context, status=status)


def _exercise_or_404(request: HttpRequest, exercise_id: uuid.UUID) -> RankingExercise:
    try:
        return selectors.exercise_get(
            mission=_mission(request), membership=_membership(request), public_id=exercise_id
        )
    except RankingExercise.DoesNotExist:
        raise Http404(_("No such ranking exercise.")) from None


@never_cache
@mission_view(Perm.NEEDS_VIEW)
def exercise_detail(
    request: HttpRequest, mission_slug: str, exercise_id: uuid.UUID
) -> HttpResponse:
    mission = _mission(request)
    exercise = _exercise_or_404(request, exercise_id)
    inputs = read_inputs(exercise.method, exercise.inputs)
    labels = inputs.labels
    scores = exercise.scores if isinstance(exercise.scores, dict) else {}
    ranked = sorted(
        ((str(code), float(value)) for code, value in scores.items()),
        key=lambda kv: (-kv[1], kv[0]),
    )
    ranked_rows = [
        {"rank": i, "code": code, "label": need_label(code, labels), "score": score}
        for i, (code, score) in enumerate(ranked, start=1)
    ]
    chart = (
        bars_svg(
            [(need_label(code, labels), score) for code, score in ranked],
            title=_("Scores of this exercise"),
            description=_("Share of each need, highest first."),
            chart_id="exercise-scores",
        )
        if ranked_rows
        else None
    )
    items = [str(i) for i in exercise.items]
    matrix = []
    if exercise.method == RankingMethod.PAIRWISE:
        winners = {frozenset((a, b)): w for a, b, w in inputs.pairs}
        for i, first in enumerate(items[:-1]):
            cells: list[str | None] = []
            for j, second in enumerate(items[1:], start=1):
                if j <= i:
                    cells.append(None)
                else:
                    won = winners.get(frozenset((first, second)))
                    cells.append(need_label(won, labels) if won else "")
            matrix.append({"label": need_label(first, labels), "cells": cells})
    return render(
        request,
        "assessments/needs_exercise.html",
        {
            "mission": mission,
            "exercise": exercise,
            "ranked": ranked_rows,
            "chart": chart,
            "heads": [need_label(c, labels) for c in items[1:]],
            "matrix": matrix,
            "rankings": [[need_label(c, labels) for c in r] for r in inputs.rankings[:50]],
            "more_rankings": max(len(inputs.rankings) - 50, 0),
            "counters": [(need_label(c, labels), int(v)) for c, v in inputs.counters.items()],
            "show_notes": _can(request, Perm.SUBMISSION_VIEW),
            "can_manage": _can(request, Perm.NEEDS_MANAGE),
        },
    )


@require_POST
@mission_view(Perm.NEEDS_MANAGE)
def exercise_delete(
    request: HttpRequest, mission_slug: str, exercise_id: uuid.UUID
) -> HttpResponse:
    mission = _mission(request)
    exercise = _exercise_or_404(request, exercise_id)
    unit = exercise.admin_unit
    services.exercise_delete(actor=request.user, exercise=exercise)
    flash.success(request, _("The ranking exercise was deleted."))
    return redirect(
        reverse("needs:place", kwargs={"mission_slug": mission.slug, "unit_id": unit.public_id})
    )


@require_POST
@mission_view(Perm.NEEDS_MANAGE)
def from_round(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    form = FromRoundForm(request.POST, sources=_rank_sources(mission))
    if not form.is_valid():
        flash.error(request, _("Choose a round and its ranking question."))
        return redirect(_register_url(mission))
    source = selectors.rank_source_get(mission=mission, value=form.cleaned_data["source"])
    if source is None:  # pragma: no cover - the form's choices are the sources
        raise Http404(_("No such round."))
    try:
        count = services.needs_from_round(
            actor=request.user,
            round=source.round,
            path=source.path,
            membership=_membership(request),
        )
    except ValidationError as exc:
        flash.error(request, " ".join(_errors(exc)))
    else:
        flash.success(
            request,
            ngettext(
                "%(n)d place now has the needs ranked in %(round)s.",
                "%(n)d places now have the needs ranked in %(round)s.",
                count,
            )
            % {"n": count, "round": source.round.name},
        )
    return redirect(_register_url(mission))
