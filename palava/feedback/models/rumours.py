"""The rumour log: a claim circulating in the community, where and how fast it spreads, and
the counter-message the mission put out."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, internal


class RumourStatus(models.TextChoices):
    MONITORING = "monitoring", _("Monitoring")
    VERIFYING = "verifying", _("Being verified")
    FALSE = "false", _("False")
    TRUE = "true", _("True")
    UNVERIFIABLE = "unverifiable", _("Cannot be verified")
    COUNTERED = "countered", _("Countered")
    DORMANT = "dormant", _("Dormant")


class RumourRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Rumour(BaseModel):
    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveIntegerField(_("number"))
    claim = models.TextField(_("claim"))
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    status = models.CharField(
        _("status"), max_length=14, choices=RumourStatus.choices, default=RumourStatus.MONITORING
    )
    risk = models.CharField(
        _("risk"), max_length=8, choices=RumourRisk.choices, default=RumourRisk.MEDIUM
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("main place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    places = models.ManyToManyField(
        "places.AdminUnit", verbose_name=_("places"), blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "feedback.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    counter_message = models.TextField(_("counter-message"), blank=True)
    counter_channels = models.JSONField(_("channels used"), default=list, blank=True)
    countered_at = models.DateTimeField(_("countered at"), null=True, blank=True)
    counter_broadcast = models.ForeignKey(
        "feedback.Broadcast",
        verbose_name=_("counter-message broadcast"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "number": internal("rumour reference"),
        "claim": internal("what is being said in the community"),
        "first_seen_at": internal("spread"),
        "last_seen_at": internal("spread"),
        "status": internal("workflow"),
        "risk": internal("workflow"),
        "admin_unit": internal("place; decides geographic scope"),
        "places": internal("where it circulates"),
        "category": internal("topic"),
        "counter_message": internal("the mission's answer"),
        "counter_channels": internal("how the answer was spread"),
        "countered_at": internal("response timing"),
        "counter_broadcast": internal("broadcast of the answer"),
        "owner": internal("accountability"),
        "notes": internal("analysis"),
    }

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("rumour")
        verbose_name_plural = _("rumours")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="rumour_unique_number"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.number:04d}"


class RumourMessage(models.Model):
    """A message that repeats the rumour (its spread over time and places)."""

    rumour = models.ForeignKey(
        Rumour, verbose_name=_("rumour"), on_delete=models.CASCADE, related_name="rumour_messages"
    )
    message = models.ForeignKey(
        "feedback.Message", verbose_name=_("message"), on_delete=models.CASCADE, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"))

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "rumour": internal("rumour"),
        "message": internal("message"),
        "added_at": internal("history"),
    }

    class Meta:
        verbose_name = _("rumour message")
        verbose_name_plural = _("rumour messages")
        constraints = [
            models.UniqueConstraint(fields=["rumour", "message"], name="rumour_message_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rumour_id}:{self.message_id}"
