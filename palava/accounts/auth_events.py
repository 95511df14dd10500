"""Audit rows for log-in, log-out and failed log-ins, fed by Django's auth signals.

Django sends ``user_login_failed`` once per failed ``authenticate()`` call, whichever page called
it (our log-in page, the admin's) and also when django-axes refuses a locked-out username (its
backend raises ``PermissionDenied``, which ``authenticate()`` turns into this same signal). axes
counts failures from this signal too, so listening here records each failure exactly once,
without a second count in the view.

Failed attempts name the username only when such an account exists: people type their password
into the username box, and the audit redacts values it cannot classify.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from palava.audit.services import audit_record

USERNAME_MAX = 150


@transaction.atomic
def login_record(*, user: Any) -> None:
    audit_record(actor=user, action="user.login", obj=user)


@transaction.atomic
def logout_record(*, user: Any) -> None:
    audit_record(actor=user, action="user.logout", obj=user)


@transaction.atomic
def login_failure_record(*, username: str) -> None:
    """``changes={"username": ...}``; never the password (Django has already masked it)."""
    username = str(username or "")[:USERNAME_MAX]
    user = get_user_model()._default_manager.filter(username=username).first()
    audit_record(
        actor=None,
        action="user.login_failed",
        obj=user,
        object_type="" if user is not None else "accounts.user",
        changes={"username": username},
    )


@receiver(user_logged_in, dispatch_uid="palava.accounts.audit_login")
def _on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    login_record(user=user)


@receiver(user_logged_out, dispatch_uid="palava.accounts.audit_logout")
def _on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        logout_record(user=user)


@receiver(user_login_failed, dispatch_uid="palava.accounts.audit_login_failed")
def _on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    login_failure_record(username=str(credentials.get("username", "")))
