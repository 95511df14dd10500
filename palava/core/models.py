"""Shared base models."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from palava.core.sensitivity import FieldClass, internal


class BaseModel(models.Model):
    """UUID public id, created/updated time and user.

    The integer primary key never leaves the server; URLs and the API use ``public_id``.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("internal row identifier"),
        "public_id": internal("stable identifier for URLs and the API"),
        "created_at": internal("record history"),
        "updated_at": internal("record history"),
        "created_by": internal("accountability for records"),
        "updated_by": internal("accountability for records"),
    }

    class Meta:
        abstract = True


class ScheduledJob(models.Model):
    """One row per periodic job; workers claim a due run by compare-and-swap on ``next_run_at``."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    last_claimed_by = models.CharField(_("last claimed by"), max_length=200, blank=True)
    run_count = models.PositiveIntegerField(_("run count"), default=0)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "name": internal("which periodic job"),
        "next_run_at": internal("scheduling"),
        "last_run_at": internal("scheduling"),
        "last_claimed_by": internal("which worker enqueued the last run"),
        "run_count": internal("operations monitoring"),
    }

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
