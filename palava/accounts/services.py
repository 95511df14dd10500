"""Writes about users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palava.accounts.models import User
from palava.audit.services import audit_record
from palava.core.crypto import InvalidPhoneNumber, normalise_phone, pseudonym


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


@transaction.atomic
def user_set_phone(*, actor: Any, user: User, phone: str | None) -> User:
    """Set (or, with ``None`` or ``""``, clear) a user's mobile number for SMS alerts.

    The number is stored normalised (``+`` and digits) and encrypted, with its keyed pseudonym
    for matching. The audit row records only that the phone changed, never the number.
    """
    if phone is None or not phone.strip():
        user.phone = None
        user.phone_pseudonym = ""
    else:
        try:
            normalised = normalise_phone(phone)
        except InvalidPhoneNumber:
            raise ValidationError(
                {"phone": _("Enter a phone number: digits, optionally starting with +.")},
                code="invalid_phone",
            ) from None
        user.phone = normalised
        user.phone_pseudonym = pseudonym(normalised, kind="phone")
    user.full_clean()
    user.save(update_fields=["phone", "phone_pseudonym"])
    audit_record(
        actor=actor,
        action="user.set_phone",
        obj=user,
        changes={"phone": "changed" if user.phone else "cleared"},
    )
    return user
