"""The commitments ledger: promises made by any party, their evidence, verification and history."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palava.actors.models import RecordSensitivity
from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal

from .activities import Activity


class PartyKind(models.TextChoices):
    MISSION = "mission", _("Mission component")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    GOVERNMENT = "government", _("National government")
    COMMUNITY = "community", _("Community")
    ARMED_GROUP = "armed_group", _("Armed-group representative")
    PARTNER = "partner", _("Partner organisation")
    OTHER = "other", _("Other")


class CommitmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS)


class Verification(models.TextChoices):
    """Whether the community considers the commitment kept (asked, not assumed)."""

    NOT_ASKED = "not_asked", _("Not yet asked")
    KEPT = "kept", _("Community says kept")
    PARTLY = "partly", _("Community says partly kept")
    NOT_KEPT = "not_kept", _("Community says not kept")


def default_commitment_sensitivity(party_kind: str) -> int:
    """Promises by armed-group representatives are confidential unless said otherwise."""
    if party_kind == PartyKind.ARMED_GROUP:
        return int(RecordSensitivity.CONFIDENTIAL)
    return int(RecordSensitivity.INTERNAL)


class Commitment(BaseModel):
    """A promise made by one party to another, tracked until kept, broken or cancelled.

    ``number`` is a per-mission sequence shown as ``C-0042``. Reminders and escalation are
    stamped (``reminder_sent_at``, ``escalated_at``) by a conditional update, so each fires
    once; changing the due date clears both. ``sensitivity`` works as for actors (ADR 0004).
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    number = models.PositiveIntegerField(_("number"))
    made_by_kind = models.CharField(_("made by (kind)"), max_length=20, choices=PartyKind.choices)
    made_by_name = models.CharField(
        _("made by"),
        max_length=200,
        help_text=_("e.g. Civil Affairs, the territorial administrator, the youth of Kalehe"),
    )
    made_by_actor = models.ForeignKey(
        "actors.Actor",
        verbose_name=_("made by (actor)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments_made",
    )
    made_to_kind = models.CharField(_("made to (kind)"), max_length=20, choices=PartyKind.choices)
    made_to_name = models.CharField(_("made to"), max_length=200)
    made_to_actor = models.ForeignKey(
        "actors.Actor",
        verbose_name=_("made to (actor)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments_received",
    )
    description = models.TextField(_("what was promised"))
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("made at (activity)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    made_on = models.DateField(_("made on"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PENDING,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_note = models.TextField(_("status note"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments_followed",
    )
    verification = models.CharField(
        _("community verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.NOT_ASKED,
    )
    verification_note = models.TextField(_("how the community was asked"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"), choices=RecordSensitivity.choices, default=RecordSensitivity.INTERNAL
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "number": internal("reference shown to people"),
        "made_by_kind": internal("which kind of party promised"),
        "made_by_name": internal("who promised (record sensitivity decides who reads it)"),
        "made_by_actor": internal("who promised, as a registry actor"),
        "made_to_kind": internal("to which kind of party"),
        "made_to_name": internal("to whom"),
        "made_to_actor": internal("to whom, as a registry actor"),
        "description": internal("what was promised"),
        "admin_unit": internal("where; decides geographic scope"),
        "activity": internal("where it was made"),
        "made_on": internal("when it was made"),
        "due_date": internal("when it is due"),
        "status": internal("ledger state"),
        "status_changed_at": internal("ledger history"),
        "status_note": internal("why the status changed"),
        "owner": internal("who follows it up"),
        "verification": internal("whether the community considers it kept"),
        "verification_note": confidential("how and whom the community verification asked"),
        "verified_at": internal("when the community was asked"),
        "sensitivity": internal("who may read the record"),
        "reminder_sent_at": internal("reminder fired (once)"),
        "escalated_at": internal("overdue escalation fired (once)"),
    }

    class Meta:
        ordering = ["-number"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [
            models.Index(fields=["mission", "status", "due_date"], name="commitment_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="commitment_unique_number"),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=models.F("made_on")),
                name="commitment_due_after_made",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"C-{self.number:04d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CommitmentEventKind(models.TextChoices):
    CREATED = "created", _("Recorded")
    EDITED = "edited", _("Edited")
    STATUS = "status", _("Status changed")
    EVIDENCE = "evidence", _("Evidence added")
    VERIFICATION = "verification", _("Community verification")
    REMINDER = "reminder", _("Reminder sent")
    ESCALATION = "escalation", _("Escalated as overdue")


class CommitmentEvent(models.Model):
    """One line of a commitment's history; rows are only ever added."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentEventKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("row identifier"),
        "commitment": internal("which commitment"),
        "kind": internal("what happened"),
        "at": internal("when"),
        "by": internal("who (empty for the scheduler)"),
        "from_status": internal("ledger history"),
        "to_status": internal("ledger history"),
        "changes": internal("field changes (old and new values of internal fields only)"),
        "note": internal("why"),
    }

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("commitment event")
        verbose_name_plural = _("commitment events")

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.kind}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    ACTIVITY = "activity", _("Later activity")
    NOTE = "note", _("Observation")


class CommitmentEvidence(BaseModel):
    """Evidence about a commitment: a file, a later activity, or an observation."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    document = models.ForeignKey(
        "engagement.Document",
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_for",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_for",
    )
    note = models.TextField(_("note"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "commitment": internal("which commitment"),
        "kind": internal("kind of evidence"),
        "document": internal("the file"),
        "activity": internal("the later activity"),
        "note": internal("what was observed"),
    }

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & Q(document__isnull=False))
                | (Q(kind="activity") & Q(activity__isnull=False))
                | (Q(kind="note") & ~Q(note="")),
                name="evidence_has_content",
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.kind}"
