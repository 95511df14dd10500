"""Personal API tokens: created once (the raw value is shown once), stored hashed, scoped to one
mission, expiring and revocable."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from palava.accounts.models import TOKEN_PREFIX, ApiToken, token_digest
from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.missions.models import Membership, Mission

MAX_TOKEN_DAYS = 365
DEFAULT_TOKEN_DAYS = 90


class TokenError(ValueError):
    """A token cannot be created as asked (no membership, bad expiry)."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str


def _generate() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def token_create(
    *, actor: Any, user: Any, mission: Mission, name: str, days: int = DEFAULT_TOKEN_DAYS
) -> NewToken:
    """Create a token for ``user`` in ``mission``. The raw value is returned once, never stored."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise TokenError(f"a token lives between 1 and {MAX_TOKEN_DAYS} days")
    if not Membership.objects.filter(user=user, mission=mission, is_active=True).exists():
        raise TokenError("the user is not an active member of this mission")
    prefix, raw = _generate()
    token = ApiToken(
        user=user,
        mission=mission,
        name=name.strip() or "token",
        prefix=prefix,
        digest=token_digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
        created_by=acting_user(actor),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor or user,
        action="token.create",
        mission=mission,
        obj=token,
        changes={"name": token.name, "prefix": prefix, "expires_at": token.expires_at},
    )
    return NewToken(token=token, raw=raw)


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.updated_by = acting_user(actor)
        token.save(update_fields=["revoked_at", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="token.revoke",
            mission=token.mission,
            obj=token,
            changes={"revoked_at": token.revoked_at},
        )
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token for this raw value (with user and mission loaded), or None.

    Refused: unknown, revoked, expired, owner inactive, membership gone or suspended.

    A token reaches ONE mission: this function does not know which mission the request is
    about, so the caller (the API layer) must compare ``token.mission`` with the mission it
    serves and refuse a token of another mission.
    """
    found = token_authenticate_membership(raw)
    return found[0] if found is not None else None


def token_authenticate_membership(raw: str) -> tuple[ApiToken, Membership] | None:
    """Like :func:`token_authenticate`, also returning the token's active membership.

    Two queries: the token by digest, then the membership with its user and mission.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.filter(digest=token_digest(raw)).first()
    if token is None or not token.is_usable:
        return None
    membership = (
        Membership.objects.select_related("user", "mission")
        .filter(
            user_id=token.user_id,
            mission_id=token.mission_id,
            is_active=True,
            user__is_active=True,
        )
        .first()
    )
    if membership is None:
        return None
    token.user = membership.user
    token.mission = membership.mission
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, membership


def tokens_for_user(*, user: Any, mission: Mission) -> QuerySet[ApiToken]:
    """The user's own tokens in one mission, newest first."""
    return ApiToken.objects.filter(user=user, mission=mission).order_by("-created_at")


TOKEN_PURGE_AFTER_DAYS = 90


@transaction.atomic
def token_purge_expired(
    *, actor: Any, now: datetime, after: timedelta = timedelta(days=TOKEN_PURGE_AFTER_DAYS)
) -> int:
    """Delete tokens that expired more than ``after`` ago (one audit row each); return the count.

    Run daily by the ``accounts.purge_expired_tokens`` periodic job (``palava.core.tasks``).
    """
    expired = list(
        ApiToken.objects.select_related("mission")
        .filter(expires_at__lt=now - after)
        .order_by("id")[:5000]
    )
    for token in expired:
        audit_record(
            actor=actor,
            action="token.purge",
            mission=token.mission,
            obj=token,
            changes={"prefix": token.prefix, "expires_at": token.expires_at},
        )
    ApiToken.objects.filter(pk__in=[token.pk for token in expired]).delete()
    return len(expired)
