"""Per-mission engagement settings: inclusion targets, reminder lead time, coverage window."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, internal

_PCT = [MinValueValidator(0), MaxValueValidator(100)]


class EngagementSettings(BaseModel):
    """One row per mission (created with defaults on first use)."""

    mission = models.OneToOneField(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="engagement_settings",
    )
    target_women_pct = models.PositiveSmallIntegerField(
        _("target share of women (%)"), default=30, validators=_PCT
    )
    target_youth_pct = models.PositiveSmallIntegerField(
        _("target share of youth (%)"), default=25, validators=_PCT
    )
    target_minority_pct = models.PositiveSmallIntegerField(
        _("target share of minority groups (%)"), default=10, validators=_PCT
    )
    youth_min_age = models.PositiveSmallIntegerField(_("youth from age"), default=18)
    youth_max_age = models.PositiveSmallIntegerField(_("youth to age"), default=35)
    coverage_days = models.PositiveSmallIntegerField(
        _("a place counts as engaged for (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind before a commitment is due (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "target_women_pct": internal("inclusion target"),
        "target_youth_pct": internal("inclusion target"),
        "target_minority_pct": internal("inclusion target"),
        "youth_min_age": internal("youth definition"),
        "youth_max_age": internal("youth definition"),
        "coverage_days": internal("coverage window"),
        "reminder_days": internal("reminder lead time"),
    }

    class Meta:
        verbose_name = _("engagement settings")
        verbose_name_plural = _("engagement settings")

    def __str__(self) -> str:
        return f"engagement settings {self.mission_id}"
