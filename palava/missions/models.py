"""The tenant (a mission or programme) and who belongs to it with which role."""

from __future__ import annotations

import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, internal, public


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    OFFICER = "officer", _("Civil affairs officer")
    LIAISON = "liaison", _("Community liaison assistant")
    ANALYST = "analyst", _("Analyst")
    PARTNER = "partner", _("Partner")
    VIEWER = "viewer", _("Viewer")


STAFF_ROLES: frozenset[str] = frozenset(
    {Role.ADMIN, Role.MANAGER, Role.OFFICER, Role.LIAISON, Role.ANALYST}
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


def validate_languages(value: object) -> None:
    known = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Give at least one language code."))
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValidationError(
            _("Unsupported language codes: %(codes)s"), params={"codes": ", ".join(unknown)}
        )


class Mission(BaseModel):
    slug = models.SlugField(
        _("slug"),
        max_length=50,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Lower-case letters, digits, -."))],
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country (ISO 3166 alpha-3)"),
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Three upper-case letters, e.g. COD."))],
    )
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    require_two_factor = models.BooleanField(
        _("require two-factor authentication for staff roles"), default=True
    )
    is_demo = models.BooleanField(_("demo mission"), default=False)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "slug": public("mission key in URLs and public pages"),
        "name": public("mission name shown on public pages"),
        "country": public("country of operation"),
        "languages": public("languages the mission works in"),
        "time_zone": internal("local time for reports and schedules"),
        "require_two_factor": internal("security policy"),
        "is_demo": internal("marks fictional demo data"),
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self) -> str:
        return self.name


class Membership(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "user": internal("who belongs to the mission"),
        "mission": internal("which mission"),
        "role": internal("what the member may do"),
        "is_active": internal("suspended memberships grant nothing"),
    }

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "mission"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.mission} ({self.role})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES
