"""App users: per-device credentials for ODK Collect, revocable (services)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from palava.assessments.models import AppUser, Form
from palava.audit.services import audit_record

SECRET_PREFIX = "pvo_"  # noqa: S105 - a prefix, not a secret
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_username(mission: Any, name: str) -> str:
    base = (slugify(name) or "device")[:40]
    while True:
        candidate = f"{base}-{secrets.token_hex(3)}"
        if not AppUser.objects.filter(mission=mission, username=candidate).exists():
            return candidate


@transaction.atomic
def app_user_create(
    *, actor: Any, mission: Any, name: str, forms: Sequence[Form] = ()
) -> tuple[AppUser, str]:
    """Create a device log-in; the raw secret is returned once and never stored."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    app_user = AppUser(
        mission=mission,
        name=name.strip(),
        username=_new_username(mission, name),
        token_hash=hash_secret(secret),
    )
    app_user.full_clean(exclude=["forms"])
    app_user.save()
    allowed = [form for form in forms if form.mission_id == mission.pk]
    if allowed:
        app_user.forms.set(allowed)
    audit_record(
        actor=actor,
        action="app_user.create",
        mission=mission,
        obj=app_user,
        changes={"name": app_user.name, "username": app_user.username},
    )
    return app_user, secret


@transaction.atomic
def app_user_revoke(*, actor: Any, app_user: AppUser) -> AppUser:
    if app_user.revoked_at is None:
        app_user.revoked_at = timezone.now()
        app_user.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="app_user.revoke",
            mission=app_user.mission,
            obj=app_user,
            changes={"revoked_at": app_user.revoked_at.isoformat()},
        )
    return app_user


def _touch(app_user: AppUser) -> None:
    now = timezone.now()
    if app_user.last_used_at is None or now - app_user.last_used_at >= LAST_USED_PRECISION:
        AppUser.objects.filter(pk=app_user.pk).update(last_used_at=now)
        app_user.last_used_at = now


def app_user_authenticate(*, mission: Any, username: str | None, secret: str) -> AppUser | None:
    """The live app user holding ``secret`` (and ``username`` when given), else None.

    The lookup is by the SHA-256 of the secret, so its timing says nothing about the secret; the
    user name is compared in constant time."""
    if not secret:
        return None
    digest = hash_secret(secret)
    app_user = AppUser.objects.filter(mission=mission, token_hash=digest).first()
    if app_user is None or app_user.revoked_at is not None:
        return None
    if username is not None and not hmac.compare_digest(
        app_user.username.encode(), username.encode()
    ):
        return None
    _touch(app_user)
    return app_user


def app_users_for(*, mission: Any) -> QuerySet[AppUser]:
    return AppUser.objects.filter(mission=mission).prefetch_related("forms").order_by("name")
