"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from palava.core.sensitivity import FieldClass, confidential, internal


class AuditEvent(models.Model):
    """One row per write or sensitive read. Never updated or deleted (database triggers refuse).

    ``hash`` = SHA-256 over the canonical JSON of the row's content and ``prev_hash``; see
    ``palava.audit.chain``.
    """

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("position in the chain"),
        "occurred_at": internal("when"),
        "actor": internal("who"),
        "actor_label": internal("who, kept if the user is renamed"),
        "mission": internal("which mission"),
        "action": internal("what was done"),
        "object_type": internal("to what kind of record"),
        "object_id": internal("to which record (public id)"),
        "changes": confidential("which fields changed; secret values are never stored"),
        "ip_address": confidential("where from, for security investigations"),
        "prev_hash": internal("hash chain"),
        "hash": internal("hash chain"),
    }

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["mission", "-occurred_at"], name="audit_mission_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"
