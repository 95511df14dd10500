"""JSON API: the caller and their own API tokens."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.accounts.models import ApiToken
from palava.accounts.schemas import MeOut, TokenCreatedOut, TokenCreateIn, TokenOut
from palava.accounts.tokens import TokenError, token_create, token_revoke, tokens_for_user
from palava.core.api_base import (
    AUTHENTICATED,
    Pagination,
    error_responses,
    permission,
    principal,
    require,
)
from palava.missions.permissions import Perm

router = Router(tags=["accounts"])


@router.get(
    "/me",
    response={200: MeOut, **error_responses(401)},
    operation_id="me_get",
    summary="The caller: user, the token's mission and role",
    openapi_extra=permission(AUTHENTICATED),
)
def me_get(request: HttpRequest) -> MeOut:
    membership = principal(request).membership
    user = membership.user
    return MeOut(
        username=user.username,
        name=user.get_full_name(),
        preferred_language=user.preferred_language,
        mission=membership.mission.slug,
        role=membership.role,
    )


@router.get(
    "/missions/{slug}/tokens",
    response={200: list[TokenOut], **error_responses(401, 403, 404, 422)},
    operation_id="tokens_list",
    summary="The caller's own tokens in a mission",
    description="Newest first, revoked and expired ones included. Never the secret.",
    openapi_extra=permission(Perm.TOKEN_OWN),
)
@paginate(Pagination)
def tokens_list(request: HttpRequest, slug: str) -> QuerySet[ApiToken]:
    membership = require(request, slug, Perm.TOKEN_OWN)
    return tokens_for_user(user=membership.user, mission=membership.mission)


@router.post(
    "/missions/{slug}/tokens",
    response={201: TokenCreatedOut, **error_responses(401, 403, 404, 422)},
    operation_id="tokens_create",
    summary="Create a token for the caller in a mission",
    description="The response carries the raw token once; it cannot be read again.",
    openapi_extra=permission(Perm.TOKEN_OWN),
)
def tokens_create(
    request: HttpRequest, slug: str, payload: TokenCreateIn
) -> Status[TokenCreatedOut]:
    membership = require(request, slug, Perm.TOKEN_OWN)
    try:
        new = token_create(
            actor=membership.user,
            user=membership.user,
            mission=membership.mission,
            name=payload.name,
            days=payload.days,
        )
    except TokenError as exc:
        raise HttpError(422, _("The token cannot be created.")) from exc
    token = new.token
    return Status(
        201,
        TokenCreatedOut(
            public_id=token.public_id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
            token=new.raw,
        ),
    )


@router.delete(
    "/missions/{slug}/tokens/{public_id}",
    response={204: None, **error_responses(401, 403, 404, 422)},
    operation_id="tokens_revoke",
    summary="Revoke one of the caller's own tokens",
    description="Someone else's token answers 404. Revoking twice is harmless.",
    openapi_extra=permission(Perm.TOKEN_OWN),
)
def tokens_revoke(request: HttpRequest, slug: str, public_id: UUID) -> Status[None]:
    membership = require(request, slug, Perm.TOKEN_OWN)
    token = (
        tokens_for_user(user=membership.user, mission=membership.mission)
        .filter(public_id=public_id)
        .first()
    )
    if token is None:
        raise Http404
    token_revoke(actor=membership.user, token=token)
    return Status(204, None)
