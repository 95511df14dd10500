"""Indicator bank pages: the bank by domain (question, answers, coding, versions, source) and
the builder that turns chosen indicators into an XLSForm for a new round (downloaded, or
uploaded straight away as a form of the mission)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.assessments import form_services
from palava.assessments.indicator_forms import IndicatorBuilderForm
from palava.assessments.indicators import LANGUAGES, Indicator
from palava.assessments.indicators.bank import (
    DOMAINS,
    indicator_versions,
    indicators_latest,
    question_name,
)
from palava.assessments.indicators.selectors import (
    builder_default_level,
    builder_levels,
    builder_places,
    place_labels,
)
from palava.assessments.indicators.xlsform_build import BuildError, build_xlsform
from palava.assessments.xlsform import Problem, XLSFormError
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, mission_view, role_has

PLACES_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _mission(request: HttpRequest) -> Mission:
    return request.mission  # type: ignore[attr-defined, no-any-return]


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def page_language() -> str:
    """The page's language as a bank language code (``fr-ca`` -> ``fr``; English otherwise)."""
    lang = (get_language() or "en").split("-")[0].lower()
    return lang if lang in LANGUAGES else "en"


@dataclass
class ChoiceRow:
    name: str
    label: str
    counted: bool
    excluded: bool
    score: float | None


@dataclass
class VersionRow:
    key: str
    version: int
    question_name: str
    question: str
    comparable_with: tuple[int, ...]
    list_name: str


@dataclass
class IndicatorRow:
    key: str
    code: str
    version: int
    title: str
    question: str
    kind: str
    list_name: str
    question_name: str
    source: str
    choices: list[ChoiceRow]
    versions: list[VersionRow]
    core: bool


@dataclass
class DomainRow:
    code: str
    label: str
    indicators: list[IndicatorRow] = field(default_factory=list)


def _indicator_row(ind: Indicator, lang: str) -> IndicatorRow:
    return IndicatorRow(
        key=ind.key,
        code=ind.code,
        version=ind.version,
        title=ind.title(lang),
        question=ind.label(lang),
        kind=ind.kind,
        list_name=ind.list_name,
        question_name=question_name(ind),
        source=ind.source,
        choices=[
            ChoiceRow(
                name=c.name,
                label=c.labels.get(lang) or c.labels["en"],
                counted=c.name in ind.positive,
                excluded=c.name in ind.excluded,
                score=c.score,
            )
            for c in ind.choices
        ],
        versions=[
            VersionRow(
                key=v.key,
                version=v.version,
                question_name=question_name(v),
                question=v.label(lang),
                comparable_with=v.comparable_with,
                list_name=v.list_name,
            )
            for v in indicator_versions(ind.code)
        ],
        core="core" in ind.tags,
    )


def _domains(indicators: list[Indicator], lang: str) -> list[DomainRow]:
    rows = {
        code: DomainRow(code=code, label=labels.get(lang) or labels["en"])
        for code, labels in DOMAINS.items()
    }
    for ind in indicators:
        rows.setdefault(ind.domain, DomainRow(code=ind.domain, label=ind.domain))
        rows[ind.domain].indicators.append(_indicator_row(ind, lang))
    return [row for row in rows.values() if row.indicators]


@never_cache
@mission_view(Perm.FORM_VIEW)
def bank(request: HttpRequest, mission_slug: str) -> HttpResponse:
    lang = request.GET.get("lang", "")
    if lang not in LANGUAGES:
        lang = page_language()
    domain = request.GET.get("domain", "")
    indicators = indicators_latest()
    if domain in DOMAINS:
        indicators = [i for i in indicators if i.domain == domain]
    else:
        domain = ""
    return render(
        request,
        "assessments/indicator_bank.html",
        {
            "mission": _mission(request),
            "domains": _domains(indicators, lang),
            "domain_filter": [
                (code, labels.get(page_language()) or labels["en"])
                for code, labels in DOMAINS.items()
            ],
            "domain": domain,
            "bank_lang": lang,
            "bank_languages": [("en", "English"), ("fr", "Français"), ("ar", "العربية")],
            "can_build": role_has(_membership(request).role, Perm.FORM_MANAGE),
        },
    )


def _filename(form_id: str, version: str) -> str:
    return f"{form_id}-{version}.xlsx".replace('"', "").replace("\r", "").replace("\n", "")


@never_cache
@mission_view(Perm.FORM_MANAGE)
def build(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = _mission(request)
    membership = _membership(request)
    lang = page_language()
    levels = builder_levels(membership=membership)
    default_level = builder_default_level(mission=mission)
    if levels and default_level not in levels:
        default_level = max(levels)
    if request.method != "POST" and request.GET.get("level", "").isdigit():
        wanted = int(request.GET["level"])
        default_level = wanted if wanted in levels else default_level
    form = IndicatorBuilderForm(
        request.POST if request.method == "POST" else None,
        levels=levels,
        default_level=default_level,
    )
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        languages = form.chosen_languages()
        units = builder_places(membership=membership, level=data["level"])
        try:
            content = build_xlsform(
                title=data["title"],
                form_id=data["form_id"],
                version=data["version"],
                indicators=form.chosen_indicators(),
                places=[(u.pcode, place_labels(u, languages)) for u in units],
                languages=languages,
            )
        except BuildError as exc:
            problems = [Problem(str(exc))]
        else:
            if data["action"] != "create":
                response = HttpResponse(content, content_type=XLSX)
                response["Content-Disposition"] = (
                    f'attachment; filename="{_filename(data["form_id"], data["version"])}"'
                )
                response["X-Content-Type-Options"] = "nosniff"
                return response
            try:
                version = form_services.form_upload(
                    actor=request.user,
                    mission=mission,
                    filename=_filename(data["form_id"], data["version"]),
                    content=content,
                )
            except XLSFormError as exc:
                problems = exc.problems
            else:
                flash.success(
                    request,
                    _("Form created from the indicator bank as version %(number)d.")
                    % {"number": version.number},
                )
                return redirect(
                    reverse(
                        "assessments:detail",
                        kwargs={"mission_slug": mission.slug, "form_id": version.form.public_id},
                    )
                )
    selected = set(form["indicators"].value() or [])
    level_value = form["level"].value()
    try:
        level = int(level_value) if level_value not in (None, "") else default_level
    except (TypeError, ValueError):
        level = default_level
    places = builder_places(membership=membership, level=level)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessments/indicator_build.html",
        {
            "mission": mission,
            "form": form,
            "domains": _domains(indicators_latest(), lang),
            "selected": selected,
            "problems": problems,
            "levels": levels,
            "level": level,
            "places": places[:PLACES_SHOWN],
            "place_count": len(places),
            "places_hidden": max(0, len(places) - PLACES_SHOWN),
        },
        status=status,
    )
