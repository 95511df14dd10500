"""Shared base models."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

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


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


class Job(BaseModel):
    """A long job (import, export, training, dossier) run as a task, with visible progress.

    Pages poll it (htmx) to show a progress bar; the API exposes it. ``errors`` holds row-level
    problems (``{"line": n, "reason": "..."}``), ``result`` the job's report.
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    kind = models.CharField(_("kind"), max_length=60)
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.CharField(_("input file"), max_length=300, blank=True)
    output_file = models.CharField(_("output file"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "kind": internal("what the job does"),
        "status": internal("job state"),
        "progress_done": internal("progress"),
        "progress_total": internal("progress"),
        "message": internal("progress message"),
        "params": internal("job options (ids and flags, never personal data)"),
        "input_file": internal("uploaded file path under the data dir"),
        "output_file": internal("produced file path under the data dir"),
        "result": internal("job report"),
        "errors": internal("row-level problems (line numbers and reasons)"),
        "started_at": internal("timing"),
        "finished_at": internal("timing"),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


def acting_user(actor: Any) -> Any:
    """The user to store in ``created_by``/``updated_by`` for a service's ``actor``.

    Services take an explicit actor that may be a user or a label such as ``"command-line"`` or
    ``"system:worker"``; only a real, authenticated user is stored on the record.
    """
    return actor if getattr(actor, "is_authenticated", False) else None
