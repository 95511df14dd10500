"""Shared pieces of the JSON API: bearer-token auth, the permission check, errors, pagination.

Every operation names its permission in ``openapi_extra`` through :func:`permission` (read by
``tests/missions/test_matrix.py``) and checks it with :func:`require` (mission-scoped) or relies
on the token alone (:data:`AUTHENTICATED`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer

from palava.accounts.models import ApiToken
from palava.accounts.tokens import token_authenticate_membership
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has

logger = logging.getLogger(__name__)

PERMISSION_KEY = "x-palava-permission"
AUTHENTICATED = "authenticated"
"""Marker for operations that need a valid token and no mission permission (``/me``)."""

MAX_AUTHORIZATION_LENGTH = 512
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_OFFSET = 2**31 - 1


# --- Authentication --------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token and the active membership in the token's one mission."""

    token: ApiToken
    membership: Membership

    @property
    def user(self) -> Any:
        return self.token.user


class TokenAuthError(AuthenticationError):
    def __init__(self, message: str, *, invalid_token: bool) -> None:
        super().__init__(401, message)
        self.invalid_token = invalid_token


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer pvk_...``; session cookies are never accepted."""

    def __call__(self, request: HttpRequest) -> Principal | None:
        # Overrides HttpBearer.__call__, which logs the header in DEBUG: tokens are never logged.
        value = request.headers.get("Authorization", "")
        if not value:
            raise TokenAuthError(
                _("Authentication required: send 'Authorization: Bearer <token>'."),
                invalid_token=False,
            )
        scheme, _sep, raw = value.partition(" ")
        if len(value) > MAX_AUTHORIZATION_LENGTH or scheme.lower() != "bearer":
            raise TokenAuthError(_("Malformed Authorization header."), invalid_token=True)
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        found = token_authenticate_membership(token)
        if found is None:
            raise TokenAuthError(_("Invalid, expired or revoked token."), invalid_token=True)
        api_token, membership = found
        return Principal(token=api_token, membership=membership)


def principal(request: HttpRequest) -> Principal:
    """The authenticated caller (set by :class:`BearerTokenAuth`)."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, Principal):  # pragma: no cover - every route has auth
        raise AuthenticationError()
    return auth


# --- Permissions -----------------------------------------------------------------------------


def permission(perm: Perm | str) -> dict[str, Any]:
    """``openapi_extra`` recording the permission an operation checks (read by the matrix test)."""
    return {PERMISSION_KEY: str(perm)}


def invalid_input(exc: ModelValidationError) -> HttpError:
    """A service's validation error as the API's 422 answer, its messages in one line."""
    return HttpError(422, " ".join(str(m) for m in exc.messages))


def invalid_by_field(exc: ModelValidationError) -> HttpError:
    """A service's validation error as a 422 answer: ``field: message`` parts in one line."""
    if hasattr(exc, "error_dict"):
        parts = [f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items()]
        return HttpError(422, " ".join(parts))
    return HttpError(422, " ".join(str(m) for m in exc.messages))


class LazyList:
    """A sliceable view of a queryset that shapes only the page that is sent."""

    def __init__(self, queryset: Any, shape: Any) -> None:
        self.queryset = queryset
        self.shape = shape

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.shape(obj) for obj in self.queryset[key]]


def require(request: HttpRequest, mission_slug: str, perm: Perm) -> Membership:
    """The caller's membership in ``mission_slug`` if its role grants ``perm``.

    Another mission than the token's: 404 (whether it exists is not revealed). Role without
    ``perm``: 403.
    """
    membership = principal(request).membership
    if mission_slug != membership.mission.slug:
        raise Http404
    if not role_has(membership.role, perm):
        raise HttpError(403, _("Your role does not allow this."))
    return membership


# --- Errors: always {"detail": ...} ---------------------------------------------------------


class ErrorOut(Schema):
    detail: Any = Field(..., description="A message, or a list of validation errors (422).")


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(codes, ErrorOut)


class PalavaNinjaAPI(NinjaAPI):
    """Adds ``Cache-Control: private, no-store`` to every API response."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response


def install_error_handlers(api: NinjaAPI) -> None:
    # ninja types handlers as taking the exception or its class; they always get an instance.

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc) if isinstance(exc, TokenAuthError) else _("Authentication required.")
        response = api.create_response(request, {"detail": message}, status=401)
        challenge = 'Bearer realm="palava"'
        if isinstance(exc, TokenAuthError) and exc.invalid_token:
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message}, status=exc.status_code)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    def on_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("Your role does not allow this.")}, status=403
        )

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": exc.errors}, status=422)

    def on_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # The traceback goes to the (redacting) server log, never to the client.
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return api.create_response(request, {"detail": _("Internal server error.")}, status=500)

    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_denied)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(Exception, on_error)


# --- Pagination ------------------------------------------------------------------------------


class PaginationInput(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class Pagination(LimitOffsetPagination):
    """limit/offset; ``limit`` is 1..500 and out-of-range values are refused (422)."""

    Input = PaginationInput  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
