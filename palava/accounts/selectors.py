"""Reads about accounts: always the asking user's own records, within one mission."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from palava.accounts.models import ApiToken
from palava.missions.models import Mission


def token_list(*, user: Any, mission: Mission) -> QuerySet[ApiToken]:
    """The user's own tokens in ``mission``, newest first (revoked and expired included)."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user, mission=mission).order_by("-created_at", "-id")


def token_get(*, user: Any, mission: Mission, public_id: UUID | str) -> ApiToken | None:
    """One of the user's own tokens in ``mission``; None for anyone else's (never by id alone)."""
    try:
        key = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        return None
    return token_list(user=user, mission=mission).filter(public_id=key).first()
