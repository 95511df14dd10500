"""Users and personal API tokens."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palava.core.fields import EncryptedTextField, PseudonymField
from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal, strictly_confidential

TOKEN_PREFIX = "pvk_"  # noqa: S105 (a public marker, not a secret)


class User(AbstractUser):
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, choices=settings.LANGUAGES
    )
    # Staff mobile number for SMS alerts; set through accounts.services.user_set_phone.
    phone = EncryptedTextField(_("phone"), blank=True, null=True)
    phone_pseudonym = PseudonymField(
        _("phone pseudonym"), blank=True, db_index=True, editable=False
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "password": strictly_confidential("argon2 password hash"),
        "last_login": internal("account activity"),
        "is_superuser": internal("platform operator flag"),
        "username": internal("log-in name, shown to colleagues"),
        "first_name": confidential("staff name"),
        "last_name": confidential("staff name"),
        "email": confidential("staff contact for notifications"),
        "is_staff": internal("Django admin access"),
        "is_active": internal("disabled accounts cannot log in"),
        "date_joined": internal("account history"),
        "groups": internal("Django groups (unused by the role matrix)"),
        "user_permissions": internal("Django permissions (unused by the role matrix)"),
        "preferred_language": internal("interface language"),
        "phone": strictly_confidential("staff mobile number for SMS alerts (encrypted)"),
        "phone_pseudonym": confidential("keyed hash of the phone number, for matching"),
    }

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


def token_digest(raw: str) -> str:
    """Tokens carry 256 bits of entropy, so a plain SHA-256 is a safe, fast lookup key."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "user": internal("token owner"),
        "mission": internal("the one mission the token reaches"),
        "name": internal("what the token is for"),
        "prefix": internal("recognise a token without its secret"),
        "digest": strictly_confidential("SHA-256 of the token, for lookup"),
        "expires_at": internal("tokens expire"),
        "revoked_at": internal("tokens can be revoked"),
        "last_used_at": internal("spot unused tokens"),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
