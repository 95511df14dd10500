"""JSON API: missions and their members."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from palava.core.api_base import (
    AUTHENTICATED,
    Pagination,
    error_responses,
    permission,
    principal,
    require,
)
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, role_has
from palava.missions.schemas import MemberOut, MissionOut
from palava.missions.selectors import mission_members

router = Router(tags=["missions"])


@router.get(
    "/missions",
    response={200: list[MissionOut], **error_responses(401, 422)},
    operation_id="missions_list",
    summary="Missions the caller belongs to",
    description=(
        "With a token this is the token's one mission (a token never reaches another mission), "
        "or nothing when the role may not view it."
    ),
    openapi_extra=permission(AUTHENTICATED),
)
@paginate(Pagination)
def missions_list(request: HttpRequest) -> QuerySet[Mission]:
    membership = principal(request).membership
    missions = Mission.objects.filter(pk=membership.mission_id)
    if not role_has(membership.role, Perm.MISSION_VIEW):
        return missions.none()
    return missions.order_by("name")


@router.get(
    "/missions/{slug}",
    response={200: MissionOut, **error_responses(401, 403, 404)},
    operation_id="missions_get",
    summary="One mission",
    openapi_extra=permission(Perm.MISSION_VIEW),
)
def missions_get(request: HttpRequest, slug: str) -> Mission:
    return require(request, slug, Perm.MISSION_VIEW).mission


@router.get(
    "/missions/{slug}/members",
    response={200: list[MemberOut], **error_responses(401, 403, 404, 422)},
    operation_id="members_list",
    summary="Members of a mission",
    description="Members with their role, ordered by username; suspended members included.",
    openapi_extra=permission(Perm.MEMBER_VIEW),
)
@paginate(Pagination)
def members_list(request: HttpRequest, slug: str) -> QuerySet[Membership]:
    membership = require(request, slug, Perm.MEMBER_VIEW)
    return mission_members(mission=membership.mission)
