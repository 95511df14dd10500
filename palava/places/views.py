"""Places pages: the hierarchy browser with search, a place's profile, its map data, and
recording an access status.

Everything is read through ``palava.places.selectors`` (and ``palava.actors.selectors`` for the
actors of a place), which filter by mission and geographic scope: a place outside the member's
area answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palava.actors import selectors as actor_selectors
from palava.core.svg import PyramidBar, pyramid_svg
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places import selectors
from palava.places.forms import AccessStatusForm, PlaceSearchForm
from palava.places.models import AdminUnit, SiteKind
from palava.places.scope import scope_for
from palava.places.search import place_search

SEARCH_LIMIT = 50
ACTORS_SHOWN = 10
SITES_SHOWN = 200
MAP_SITES_MAX = 1500
HISTORY_SHOWN = 30

ACCESS_CSS = {"accessible": "access-accessible", "restricted": "access-restricted"}


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _today(membership: Membership) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(membership.mission.time_zone))


def _unit_or_404(membership: Membership, pcode: str) -> AdminUnit:
    unit = selectors.admin_unit_get(membership=membership, pcode=pcode)
    if unit is None:
        raise Http404(_("No such place."))
    return unit


def _top_units(membership: Membership) -> QuerySet[AdminUnit]:
    """The units a member starts browsing from (no selector gives these yet).

    A whole-mission member starts at the units without a parent (usually the country); a
    scoped member at the units of their scope. Built on ``admin_units_visible``.
    """
    visible = selectors.admin_units_visible(membership=membership).filter(retired_at__isnull=True)
    scope = scope_for(membership)
    if scope.paths is None:
        tops = visible.filter(parent__isnull=True)
    else:
        tops = visible.filter(path__in=list(scope.paths))
    return tops.select_related("parent").order_by("level", "name", "pcode")


def _unit_rows(membership: Membership, units: list[AdminUnit]) -> list[dict[str, Any]]:
    """Units with their number of children and current access status (two queries)."""
    counts = selectors.admin_unit_children_counts(membership=membership, units=units)
    access = selectors.access_current_for_units(membership=membership, units=units)
    return [{"unit": u, "children": counts.get(u.pk, 0), "access": access.get(u.pk)} for u in units]


@mission_view(Perm.PLACE_VIEW)
def place_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = PlaceSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    hits = place_search(membership=membership, query=query, limit=SEARCH_LIMIT) if query else None
    tops = list(_top_units(membership))
    # One country on top: open it directly, its provinces are what people browse.
    root = tops[0] if len(tops) == 1 and tops[0].parent_id is None else None
    units = list(selectors.admin_unit_children(membership=membership, unit=root)) if root else tops
    return render(
        request,
        "places/list.html",
        {
            "mission": membership.mission,
            "form": form,
            "query": query,
            "hits": hits,
            "root": root,
            "rows": _unit_rows(membership, units),
            "is_empty": not tops,
            "scoped": not scope_for(membership).is_whole_mission,
            "can_import": role_has(membership.role, Perm.PLACE_IMPORT),
        },
    )


def _pyramid(membership: Membership, unit: AdminUnit, year_text: str | None) -> dict[str, Any]:
    years = selectors.population_years(membership=membership, unit=unit)
    year = int(year_text) if year_text and year_text.isdigit() else None
    if year not in years:
        year = None
    pyramid = selectors.population_pyramid(membership=membership, unit=unit, year=year)
    svg = None
    if not pyramid.is_empty:
        svg = pyramid_svg(
            [PyramidBar(label=r.age_band, left=r.male, right=r.female) for r in pyramid.rows],
            title=_("Population of %(place)s in %(year)s by age and sex")
            % {"place": unit.name, "year": pyramid.year},
            description=_("%(total)s people: %(male)s male, %(female)s female.")
            % {"total": pyramid.total, "male": pyramid.male, "female": pyramid.female},
            left_label=_("Male"),
            right_label=_("Female"),
        )
    return {"pyramid": pyramid, "years": years, "pyramid_svg": svg}


def _render_detail(
    request: HttpRequest,
    unit: AdminUnit,
    *,
    access_form: AccessStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = _membership(request)
    role = membership.role
    children = list(selectors.admin_unit_children(membership=membership, unit=unit))
    sites = list(
        selectors.sites_in_unit(membership=membership, unit=unit, descendants=False)[
            : SITES_SHOWN + 1
        ]
    )
    today = _today(membership)
    current = selectors.access_current(membership=membership, place=unit, today=today)
    history = list(selectors.access_history(membership=membership, place=unit)[:HISTORY_SHOWN])
    can_manage = role_has(role, Perm.PLACE_MANAGE)
    if can_manage and access_form is None:
        access_form = AccessStatusForm(today=today)
    actors: list[Any] | None = None
    actor_total = 0
    if role_has(role, Perm.ACTOR_VIEW):
        found = actor_selectors.actor_list(
            membership=membership, filters=actor_selectors.ActorFilters(place=unit.pcode)
        )
        actors = list(found[:ACTORS_SHOWN])
        actor_total = len(actors) if len(actors) < ACTORS_SHOWN else found.count()
    context = {
        "mission": membership.mission,
        "unit": unit,
        "crumbs": selectors.admin_unit_ancestors(membership=membership, unit=unit),
        "rows": _unit_rows(membership, children),
        "sites": sites[:SITES_SHOWN],
        "sites_more": len(sites) > SITES_SHOWN,
        "current": current,
        "history": history,
        "today": today,
        "access_form": access_form if can_manage else None,
        "actors": actors,
        "actor_total": actor_total,
        "can_manage_actors": role_has(role, Perm.ACTOR_MANAGE),
        **_pyramid(membership, unit, request.GET.get("year")),
    }
    return render(request, "places/detail.html", context, status=status)


@mission_view(Perm.PLACE_VIEW)
def place_detail(request: HttpRequest, mission_slug: str, pcode: str) -> HttpResponse:
    unit = _unit_or_404(_membership(request), pcode)
    return _render_detail(request, unit)


def _feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


@mission_view(Perm.PLACE_VIEW)
def place_map_data(request: HttpRequest, mission_slug: str, pcode: str) -> JsonResponse:
    """GeoJSON for a place's map: its boundary, its children's and the sites inside it."""
    membership = _membership(request)
    unit = _unit_or_404(membership, pcode)
    slug = membership.mission.slug
    children = list(selectors.admin_unit_children(membership=membership, unit=unit))
    access = selectors.access_current_for_units(membership=membership, units=children)
    kinds = dict(SiteKind.choices)
    features = [
        _feature(unit.boundary, role="unit", name=unit.name, code=unit.pcode, url=None),
        *(
            _feature(
                child.boundary,
                role="child",
                name=child.name,
                code=child.pcode,
                url=reverse("places:detail", kwargs={"mission_slug": slug, "pcode": child.pcode}),
                access=access[child.pk].level if child.pk in access else None,
            )
            for child in children
            if child.boundary
        ),
    ]
    sites = selectors.sites_in_unit(membership=membership, unit=unit)[: MAP_SITES_MAX + 1]
    site_rows = list(sites)
    for site in site_rows[:MAP_SITES_MAX]:
        features.append(
            _feature(
                {"type": "Point", "coordinates": [site.longitude, site.latitude]},
                role="site",
                name=site.name,
                code=site.code,
                kind=site.kind,
                kind_label=str(kinds.get(site.kind, site.kind)),
            )
        )
    response = JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "truncated": len(site_rows) > MAP_SITES_MAX,
        },
        content_type="application/geo+json",
    )
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
@mission_view(Perm.PLACE_MANAGE)
def access_record(request: HttpRequest, mission_slug: str, pcode: str) -> HttpResponse:
    from palava.places.services import access_status_record

    membership = _membership(request)
    unit = _unit_or_404(membership, pcode)
    form = AccessStatusForm(request.POST, today=_today(membership))
    if form.is_valid():
        try:
            access_status_record(
                actor=request.user,
                place=unit,
                level=form.cleaned_data["level"],
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Access status recorded."))
            target = reverse(
                "places:detail",
                kwargs={"mission_slug": membership.mission.slug, "pcode": unit.pcode},
            )
            return redirect(f"{target}#access")
    return _render_detail(request, unit, access_form=form, status=400)
