"""Files attached to activities, commitments (evidence), agreements and projects."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal

from .activities import Activity
from .commitments import Commitment
from .partners import Agreement, Project


class Document(BaseModel):
    """One uploaded file, kept in the database, attached to exactly one record.

    Type and size are checked on upload (``palava.engagement.documents``): an allow-list of
    types confirmed by the file's first bytes, at most ``MAX_DOCUMENT_BYTES``.
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="engagement_documents",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    description = models.CharField(_("description"), max_length=300, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "activity": internal("attached to"),
        "commitment": internal("attached to"),
        "agreement": internal("attached to"),
        "project": internal("attached to"),
        "filename": internal("file name"),
        "content_type": internal("file type"),
        "size": internal("file size"),
        "sha256": internal("integrity and duplicate detection"),
        "content": confidential("attendance sheets and photos may identify people"),
        "description": internal("what the file is"),
    }

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(activity__isnull=False, commitment__isnull=True)
                    & Q(agreement__isnull=True, project__isnull=True)
                )
                | (
                    Q(activity__isnull=True, commitment__isnull=False)
                    & Q(agreement__isnull=True, project__isnull=True)
                )
                | (
                    Q(activity__isnull=True, commitment__isnull=True)
                    & Q(agreement__isnull=False, project__isnull=True)
                )
                | (
                    Q(activity__isnull=True, commitment__isnull=True)
                    & Q(agreement__isnull=True, project__isnull=False)
                ),
                name="document_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.filename
