"""JSON API: the gazetteer, locating, access status and members' geographic scope.

Every read goes through :mod:`palava.places.selectors`, so a member scoped to some units gets
404 for any other unit and never sees it in a list.
"""

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import Pagination, error_responses, permission, require
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places import selectors
from palava.places.locate import locate
from palava.places.models import AccessStatus, AdminUnit, Site
from palava.places.schemas import (
    AccessIn,
    AccessOut,
    DetailOptions,
    LocateOut,
    LocateQuery,
    PlaceDetailOut,
    PlaceFilters,
    PlaceOut,
    ScopeIn,
    ScopeOut,
    SearchHitOut,
    SearchQuery,
    SiteOut,
    SitesFilters,
)
from palava.places.scope import scope_for
from palava.places.search import place_search, ranked
from palava.places.services import access_status_record, membership_scope_set
from palava.places.text import fold

router = Router(tags=["places"])


def _unit_or_404(membership: Membership, pcode: str) -> AdminUnit:
    unit = selectors.admin_unit_get(membership=membership, pcode=pcode)
    if unit is None:
        raise Http404
    return unit


@router.get(
    "/missions/{slug}/places",
    response={200: list[PlaceOut], **error_responses(401, 403, 404, 422)},
    operation_id="places_list",
    summary="Admin units",
    description=(
        "Admin units the caller may see, by hierarchy path; with `q`, best name matches first "
        "(case, accents and alternate spellings ignored). Retired units only on request."
    ),
    openapi_extra=permission(Perm.PLACE_VIEW),
)
@paginate(Pagination)
def places_list(
    request: HttpRequest,
    slug: str,
    filters: Query[PlaceFilters],
) -> QuerySet[AdminUnit]:
    membership = require(request, slug, Perm.PLACE_VIEW)
    units = selectors.admin_unit_list(
        membership=membership,
        level=filters.level,
        parent_pcode=filters.parent,
        include_retired=filters.include_retired,
    )
    folded = fold(filters.q or "")
    if folded:
        return ranked(units, folded).order_by(F("rank"), "level", "name", "pcode")
    return units


class _Detail:
    """A unit plus the computed parts of its detail (``PlaceOut`` resolvers read the unit)."""

    def __init__(self, unit: AdminUnit, **extra: Any) -> None:
        self._unit = unit
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._unit, name)


def _detail(membership: Membership, unit: AdminUnit, include_boundary: bool) -> _Detail:
    counts = selectors.admin_unit_counts(membership=membership, unit=unit)
    pyramid = selectors.population_pyramid(membership=membership, unit=unit)
    population = None
    if not pyramid.is_empty:
        population = {
            "year": pyramid.year,
            "female": pyramid.female,
            "male": pyramid.male,
            "total": pyramid.total,
            "from_children": pyramid.from_children,
        }
    return _Detail(
        unit,
        ancestors=selectors.admin_unit_ancestors(membership=membership, unit=unit),
        children_count=counts.children,
        sites_count=counts.sites,
        access=selectors.access_current(membership=membership, place=unit),
        population=population,
        boundary=unit.boundary if include_boundary else None,
    )


@router.get(
    "/missions/{slug}/places/{pcode}",
    response={200: PlaceDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="places_get",
    summary="One admin unit",
    description=(
        "The unit with its ancestors (names only; `visible` false outside the caller's scope), "
        "counts of current children and sites, the access status in force and the latest "
        "population totals (summed from the children when the unit has none of its own)."
    ),
    openapi_extra=permission(Perm.PLACE_VIEW),
)
def places_get(
    request: HttpRequest,
    slug: str,
    pcode: str,
    options: Query[DetailOptions],
) -> _Detail:
    membership = require(request, slug, Perm.PLACE_VIEW)
    return _detail(membership, _unit_or_404(membership, pcode), options.include_boundary)


@router.get(
    "/missions/{slug}/places/{pcode}/sites",
    response={200: list[SiteOut], **error_responses(401, 403, 404, 422)},
    operation_id="places_sites",
    summary="Sites in an admin unit",
    description="Current settlements and sites in the unit and every unit inside it, by name.",
    openapi_extra=permission(Perm.PLACE_VIEW),
)
@paginate(Pagination)
def places_sites(
    request: HttpRequest,
    slug: str,
    pcode: str,
    filters: Query[SitesFilters],
) -> QuerySet[Site]:
    membership = require(request, slug, Perm.PLACE_VIEW)
    unit = _unit_or_404(membership, pcode)
    return selectors.sites_in_unit(
        membership=membership, unit=unit, include_retired=filters.include_retired
    )


@router.get(
    "/missions/{slug}/place-search",
    response={200: list[SearchHitOut], **error_responses(401, 403, 404, 422)},
    operation_id="places_search",
    summary="Search units and sites by name",
    description=(
        "For pickers: units and sites whose names contain `q`, ignoring case and accents and "
        "matching alternate names; exact names first, then prefixes, then the rest. Not "
        "paginated: at most `limit` results."
    ),
    openapi_extra=permission(Perm.PLACE_VIEW),
)
def places_search(
    request: HttpRequest,
    slug: str,
    params: Query[SearchQuery],
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.PLACE_VIEW)
    return [
        {
            "kind": hit.kind,
            "code": hit.code,
            "name": hit.name,
            "level": hit.level,
            "unit_pcode": hit.unit.pcode if hit.unit is not None else None,
        }
        for hit in place_search(membership=membership, query=params.q, limit=params.limit)
    ]


@router.get(
    "/missions/{slug}/locate",
    response={200: LocateOut, **error_responses(401, 403, 404, 422)},
    operation_id="places_locate",
    summary="The admin unit of a coordinate",
    description=(
        "The deepest unit whose boundary covers the point (a point on a border counts as "
        "inside), refined by the nearest site where the area has no deeper boundaries; without "
        "a boundary, the unit of the nearest site within 50 km. All fields are null when "
        "nothing is found or the answer lies outside the caller's scope."
    ),
    openapi_extra=permission(Perm.PLACE_VIEW),
)
def places_locate(
    request: HttpRequest,
    slug: str,
    point: Query[LocateQuery],
) -> dict[str, Any]:
    membership = require(request, slug, Perm.PLACE_VIEW)
    found = locate(mission=membership.mission, lat=point.lat, lon=point.lon)
    if found is None or not scope_for(membership).contains(found.unit):
        return {"unit": None, "method": None, "site": None, "distance_km": None}
    return {
        "unit": found.unit,
        "method": found.method,
        "site": found.site,
        "distance_km": None if found.distance_km is None else round(found.distance_km, 3),
    }


@router.post(
    "/missions/{slug}/places/{pcode}/access",
    response={201: AccessOut, **error_responses(401, 403, 404, 422)},
    operation_id="places_access_record",
    summary="Record the access status of a unit or one of its sites",
    description=(
        "Adds to the history (nothing is overwritten); the status in force is the latest entry "
        "dated today or earlier. With `site_code`, the status is the site's."
    ),
    openapi_extra=permission(Perm.PLACE_MANAGE),
)
def places_access_record(
    request: HttpRequest, slug: str, pcode: str, payload: AccessIn
) -> Status[AccessStatus]:
    membership = require(request, slug, Perm.PLACE_MANAGE)
    unit = _unit_or_404(membership, pcode)
    place: AdminUnit | Site = unit
    if payload.site_code:
        site = selectors.site_get(membership=membership, code=payload.site_code)
        if site is None or site.admin_unit_id != unit.pk:
            raise Http404
        place = site
    status = access_status_record(
        actor=membership.user,
        place=place,
        level=payload.level,
        effective_from=payload.effective_from,
        reason=payload.reason,
    )
    return Status(201, status)


@router.put(
    "/missions/{slug}/members/{username}/scope",
    response={200: ScopeOut, **error_responses(401, 403, 404, 422)},
    operation_id="members_scope_set",
    summary="Limit a member to some admin units",
    description=(
        "Replaces the member's geographic scope: they will see only these units and everything "
        "inside them. An empty list lifts the limit (only a caller who sees the whole mission "
        "may do that), and a caller can only grant units inside their own scope."
    ),
    openapi_extra=permission(Perm.SCOPE_MANAGE),
)
def members_scope_set(
    request: HttpRequest, slug: str, username: str, payload: ScopeIn
) -> dict[str, Any]:
    caller = require(request, slug, Perm.SCOPE_MANAGE)
    member = (
        Membership.objects.filter(mission_id=caller.mission_id, user__username=username)
        .select_related("user", "mission")
        .first()
    )
    if member is None:
        raise Http404
    if not payload.pcodes and not scope_for(caller).is_whole_mission:
        raise HttpError(403, _("Only a member who sees the whole mission can lift a scope."))
    units: list[AdminUnit] = []
    unknown: list[str] = []
    for pcode in dict.fromkeys(payload.pcodes):
        unit = selectors.admin_unit_get(membership=caller, pcode=pcode)
        if unit is None:
            unknown.append(pcode)
        else:
            units.append(unit)
    if unknown:
        raise HttpError(
            422, _("Unknown admin units: %(codes)s") % {"codes": ", ".join(unknown[:20])}
        )
    kept = membership_scope_set(actor=caller.user, membership=member, units=units)
    return {
        "username": username,
        "whole_mission": not kept,
        "pcodes": [unit.pcode for unit in kept],
    }
