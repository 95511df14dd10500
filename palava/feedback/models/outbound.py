"""Outbound messages: replies to reporters, staff SMS, broadcasts, and consent (opt-out).

Every outbound message is a row first (:class:`OutboundMessage`, unique ``idempotency_key``) and
is sent later by the worker through the channel's gateway adapter, with retries and back-off; a
message that keeps failing ends in the dead-letter view. The key goes to the gateway with each
attempt, so a retry after a timeout cannot make a second message. An :class:`OptOut` (STOP
keyword in any supported language) is checked at send time: an opted-out number is never sent a
broadcast.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palava.core.fields import EncryptedTextField, PseudonymField
from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal, strictly_confidential

# Longest outbound text, in characters (ten concatenated SMS parts).
MAX_OUTBOUND_CHARS = 1530


class OutboundPurpose(models.TextChoices):
    REPLY = "reply", _("Reply to a reporter")
    ACK = "ack", _("Automatic acknowledgement")
    BROADCAST = "broadcast", _("Broadcast")
    NOTIFICATION = "notification", _("Staff notification")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")
    DEAD = "dead", _("Failed (dead letter)")
    SUPPRESSED = "suppressed", _("Not sent: opted out")
    CANCELLED = "cancelled", _("Cancelled")


class OutboundMessage(BaseModel):
    """One text to one number through one channel, sent at most once."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        "feedback.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=OutboundPurpose.choices)
    case = models.ForeignKey(
        "feedback.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_messages",
    )
    broadcast = models.ForeignKey(
        "feedback.Broadcast",
        verbose_name=_("broadcast"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
    )
    reporter = models.ForeignKey(
        "feedback.Reporter",
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        "actors.Actor",
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_phone = EncryptedTextField(_("recipient number"), null=True, blank=True)
    recipient_pseudonym = PseudonymField(_("recipient pseudonym"), db_index=True)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("sending lease until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    history = models.JSONField(_("delivery history"), default=list, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "channel": internal("gateway used"),
        "idempotency_key": internal("exactly-once sending"),
        "purpose": internal("why it was sent"),
        "case": internal("case replied to"),
        "broadcast": internal("broadcast"),
        "reporter": confidential("the pseudonymous reporter"),
        "actor": confidential("the actor messaged"),
        "recipient_user": internal("staff member notified"),
        "recipient_phone": strictly_confidential("number to send to (encrypted)"),
        "recipient_pseudonym": confidential("opt-out check without the number"),
        "body": confidential("what was sent"),
        "language": internal("language of the text"),
        "status": internal("delivery"),
        "attempts": internal("delivery"),
        "next_attempt_at": internal("retry schedule"),
        "lease_expires_at": internal("one sender at a time"),
        "last_error": internal("gateway error without personal data"),
        "provider_message_id": internal("matching delivery reports"),
        "sent_at": internal("delivery"),
        "delivered_at": internal("delivery"),
        "failed_at": internal("delivery"),
        "history": internal("attempts and status reports without personal data"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "retrying"]),
                name="outbound_due",
            ),
            models.Index(
                fields=["channel", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="outbound_provider_id",
            ),
            models.Index(fields=["mission", "status", "created_at"], name="outbound_status"),
        ]

    def __str__(self) -> str:
        return f"outbound {self.public_id}"


class ReplyTemplate(BaseModel):
    """A reply staff can send to a reporter, with a text per language."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=120)
    case_type = models.CharField(
        _("for case type"),
        max_length=20,
        blank=True,
        help_text=_("Empty: offered for every case type."),
    )
    texts = models.JSONField(
        _("texts by language"),
        default=dict,
        help_text=_("Language code to text. {reference} is replaced by the case reference."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "code": internal("template key"),
        "name": internal("template name"),
        "case_type": internal("where the template is offered"),
        "texts": internal("template wording"),
        "is_active": internal("template in use"),
        "order": internal("display order"),
    }

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="reply_template_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class BroadcastStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Broadcast(BaseModel):
    """One message to many opted-in reporters and actors, filtered by place, group and
    language, sent at a scheduled time; delivery counts come from its outbound messages."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    texts = models.JSONField(_("texts by language"), default=dict)
    default_language = models.CharField(_("default language"), max_length=8, default="fr")
    channel = models.ForeignKey(
        "feedback.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    to_reporters = models.BooleanField(_("send to reporters who opted in"), default=True)
    to_actors = models.BooleanField(_("send to actors who consented"), default=False)
    admin_units = models.ManyToManyField(
        "places.AdminUnit",
        verbose_name=_("areas"),
        blank=True,
        related_name="+",
        help_text=_("Recipients in these areas and every area inside them; empty: everywhere."),
    )
    groups = models.ManyToManyField(
        "actors.Actor",
        verbose_name=_("groups"),
        blank=True,
        related_name="+",
        help_text=_("Actors who are members of these groups."),
    )
    actor_types = models.JSONField(_("actor types"), default=list, blank=True)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Empty: every language.")
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BroadcastStatus.choices, default=BroadcastStatus.DRAFT
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    suppressed_count = models.PositiveIntegerField(_("not sent (opted out)"), default=0)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "title": internal("broadcast title"),
        "texts": internal("broadcast wording"),
        "default_language": internal("fallback language"),
        "channel": internal("gateway used"),
        "to_reporters": internal("audience"),
        "to_actors": internal("audience"),
        "admin_units": internal("audience filter"),
        "groups": internal("audience filter"),
        "actor_types": internal("audience filter"),
        "languages": internal("audience filter"),
        "scheduled_at": internal("schedule"),
        "status": internal("workflow"),
        "started_at": internal("delivery"),
        "finished_at": internal("delivery"),
        "recipient_count": internal("delivery statistics"),
        "suppressed_count": internal("delivery statistics"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        indexes = [
            models.Index(
                fields=["scheduled_at"], condition=Q(status="scheduled"), name="broadcast_due"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OptOut(models.Model):
    """A number that said STOP (in any supported language): it gets no broadcast, ever, until
    it says START again. Keyed by the phone pseudonym, so it covers reporters and actors."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    pseudonym = PseudonymField(_("pseudonym"))
    is_active = models.BooleanField(_("opted out"), default=True)
    opted_out_at = models.DateTimeField(_("opted out at"))
    opted_in_at = models.DateTimeField(_("opted in again at"), null=True, blank=True)
    keyword = models.CharField(_("keyword"), max_length=30, blank=True)
    source = models.CharField(_("source"), max_length=20, default="sms")

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "mission": internal("tenant"),
        "pseudonym": confidential("which number opted out, without the number"),
        "is_active": internal("consent"),
        "opted_out_at": internal("consent history"),
        "opted_in_at": internal("consent history"),
        "keyword": internal("the keyword received"),
        "source": internal("how the opt-out arrived"),
    }

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["mission", "pseudonym"], name="optout_unique"),
        ]

    def __str__(self) -> str:
        return f"opt-out {self.opted_out_at:%Y-%m-%d}"
