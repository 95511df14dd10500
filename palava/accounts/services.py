"""Writes about users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from palava.accounts.models import User
from palava.audit.services import audit_record


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "",
    validate: bool = True,
) -> User:
    """Create a user. ``password=None`` creates an account that cannot log in until set."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
    )
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        changes={"username": username, "email": email, "password": "set"},
    )
    return user
