"""Community feedback and early-warning intake: channels, inbound messages, reporters, triage.

A message arrives through a :class:`Channel` (SMS gateways, the public web form, a staff-logged
hotline call) and is stored in one transaction before the channel answers 2xx; the unique key
``(channel, provider_message_id)`` makes provider retries and replays harmless. Triage (language,
category, urgency, place, near-duplicate cluster) runs later in batches on the task worker and
never in the request. See ``docs/adr/0006-intake-and-triage.md``.

Protection: messages whose category is restricted (sexual exploitation and abuse, gender-based
violence, child protection) carry ``is_restricted``; every selector hides them from roles without
``Perm.MESSAGE_RESTRICTED_VIEW``, and every read of one writes an audit row.
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

# Largest body kept for one inbound message, in characters (an SMS is at most ~1,600 with
# concatenation; a web-form report a few paragraphs). Longer bodies are refused, never cut.
MAX_BODY_CHARS = 5000
# Largest raw webhook request accepted, in bytes (413 above it, before parsing).
MAX_WEBHOOK_BYTES = 64 * 1024


class ChannelType(models.TextChoices):
    TWILIO = "twilio", _("Twilio SMS")
    AFRICASTALKING = "africastalking", _("Africa's Talking SMS")
    GENERIC = "generic", _("Generic JSON gateway")
    WEBFORM = "webform", _("Public web form")
    HOTLINE = "hotline", _("Hotline and manual entry")


class Channel(BaseModel):
    """One way in for messages, with its own webhook ``/hooks/<public_id>/`` and secret."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    channel_type = models.CharField(_("type"), max_length=20, choices=ChannelType.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # The current secret: Twilio's auth token, the Africa's Talking URL token, or the generic
    # gateway's HMAC key. The previous one stays valid until ``previous_secret_expires_at`` so a
    # rotation does not drop messages in flight.
    secret = EncryptedTextField(_("secret"), null=True, blank=True)
    previous_secret = EncryptedTextField(_("previous secret"), null=True, blank=True)
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    ip_allowlist = models.JSONField(
        _("IP allow-list"),
        default=list,
        blank=True,
        help_text=_("Addresses or networks (CIDR) allowed to call the webhook; empty allows all."),
    )
    address = models.CharField(
        _("number or address"),
        max_length=64,
        blank=True,
        help_text=_("The short code, phone number or page people use to reach the mission."),
    )
    default_admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("default area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where messages are placed when they name no place (e.g. a local hotline)."),
    )
    ack_enabled = models.BooleanField(_("send an automatic acknowledgement"), default=False)
    ack_texts = models.JSONField(
        _("acknowledgement texts by language"),
        default=dict,
        blank=True,
        help_text=_("Language code to text; the built-in text is used for a missing language."),
    )
    # Sending (replies, broadcasts, staff SMS) through the same gateway. ``off``: this channel
    # sends nothing; ``live``: the provider's API (``outbound_url`` empty = the provider's public
    # address; tests and staging point it at a loopback gateway); ``sandbox``: messages are
    # marked delivered without leaving the server (demos and training).
    outbound_mode = models.CharField(
        _("sending"),
        max_length=8,
        choices=[("off", _("Off")), ("live", _("Live")), ("sandbox", _("Sandbox (no real SMS)"))],
        default="off",
    )
    outbound_url = models.URLField(_("sending API base URL"), blank=True)
    outbound_account = models.CharField(
        _("sending account"),
        max_length=120,
        blank=True,
        help_text=_("Twilio account SID or Africa's Talking user name."),
    )
    outbound_secret = EncryptedTextField(_("sending API key"), null=True, blank=True)
    outbound_sender = models.CharField(
        _("sender"),
        max_length=32,
        blank=True,
        help_text=_("The number, short code or sender name messages go out from."),
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "name": internal("channel name"),
        "channel_type": internal("how messages arrive and are authenticated"),
        "is_active": internal("a disabled channel refuses messages"),
        "secret": strictly_confidential("authenticating the gateway (encrypted)"),
        "previous_secret": strictly_confidential("grace period after a rotation (encrypted)"),
        "previous_secret_expires_at": internal("end of the rotation grace period"),
        "secret_rotated_at": internal("secret hygiene"),
        "ip_allowlist": internal("restricting who may call the webhook"),
        "address": internal("the number people write to"),
        "default_admin_unit": internal("fallback place for unlocated messages"),
        "ack_enabled": internal("automatic acknowledgement"),
        "ack_texts": internal("acknowledgement wording"),
        "outbound_mode": internal("whether and how the channel sends"),
        "outbound_url": internal("sending gateway address"),
        "outbound_account": internal("sending gateway account"),
        "outbound_secret": strictly_confidential("sending gateway credential (encrypted)"),
        "outbound_sender": internal("sender number or name"),
    }

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(fields=["mission", "name"], name="channel_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Reporter(BaseModel):
    """Someone who wrote to the mission, known by a keyed pseudonym of their number.

    The phone number is stored encrypted for replies and call-backs; the pseudonym links a
    reporter's messages without decrypting anything.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    pseudonym = PseudonymField(_("pseudonym"))
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    language = models.CharField(_("preferred language"), max_length=8, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    opted_out = models.BooleanField(_("opted out of messages"), default=False)
    broadcast_opt_in_at = models.DateTimeField(
        _("agreed to receive broadcasts"), null=True, blank=True
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "pseudonym": confidential("linking a reporter's messages without the number"),
        "phone": strictly_confidential("replying to and calling back the reporter (encrypted)"),
        "language": internal("replying in the reporter's language"),
        "first_seen_at": internal("reporter history"),
        "last_seen_at": internal("reporter history"),
        "message_count": internal("reporter history"),
        "opted_out": internal("consent: never message an opted-out reporter"),
        "broadcast_opt_in_at": internal("consent: broadcasts only to reporters who asked"),
    }

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "pseudonym"], name="reporter_unique_pseudonym"
            ),
        ]

    def __str__(self) -> str:
        return f"reporter {self.public_id}"


class Category(BaseModel):
    """One entry of a mission's message taxonomy (default set in ``taxonomy.py``)."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(_("names by language"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Messages in this category go to the restricted protection queue."),
    )
    keywords = models.JSONField(
        _("extra keywords by language"),
        default=dict,
        blank=True,
        help_text=_("Mission-specific words added to the built-in lexicon, by language code."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "code": internal("stable code"),
        "name": internal("label"),
        "names": internal("labels by language"),
        "parent": internal("taxonomy tree"),
        "is_restricted": internal("routes to the protection queue"),
        "keywords": internal("cold-start classification"),
        "sort_order": internal("display order"),
        "is_active": internal("retired categories stay for history"),
    }

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="category_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Urgency(models.TextChoices):
    LIFE_THREATENING = "life_threatening", _("Life-threatening now")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class MessageStatus(models.TextChoices):
    NEW = "new", _("Awaiting triage")
    OPEN = "open", _("Open")
    REVIEWED = "reviewed", _("Reviewed")
    CLOSED = "closed", _("Closed")
    SPAM = "spam", _("Spam")


class LabelSource(models.TextChoices):
    NONE = "", _("Not set")
    GIVEN = "given", _("Given by the sender")
    LEXICON = "lexicon", _("Keyword lexicon")
    MODEL = "model", _("Trained model")
    CHANNEL = "channel", _("Channel default")
    TEXT = "text", _("Place named in the text")
    COORDINATES = "coordinates", _("Coordinates")
    STAFF = "staff", _("Staff")


class Cluster(BaseModel):
    """Near-duplicate reports of one event: same category, place and time window."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_at = models.DateTimeField(_("first report"))
    last_at = models.DateTimeField(_("last report"))
    size = models.PositiveIntegerField(_("reports"), default=1)
    is_restricted = models.BooleanField(_("restricted"), default=False)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "category": internal("what the reports are about"),
        "admin_unit": internal("where; decides geographic scope"),
        "first_at": internal("event window"),
        "last_at": internal("event window"),
        "size": internal("how many reports"),
        "is_restricted": internal("hidden from roles without the restricted queue"),
    }

    class Meta:
        ordering = ["-last_at"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        indexes = [models.Index(fields=["mission", "last_at"], name="cluster_recent")]

    def __str__(self) -> str:
        return f"cluster {self.public_id} ({self.size})"


class Message(BaseModel):
    """One inbound message, kept whatever happens to it (closing or spam only changes status).

    Every index costs each webhook's insert, so Message carries only those its queries use:
    ``mission`` and ``channel`` are covered by the composite and unique indexes that start
    with them, nothing looks messages up by the user who created or last changed them, and the
    labels triage fills in later are indexed only where set (partial indexes).
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    provider_message_id = models.CharField(_("provider message id"), max_length=128)
    received_at = models.DateTimeField(_("received at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    body = models.TextField(_("message"))
    search_text = models.TextField(_("search text"), blank=True)
    sender_pseudonym = PseudonymField(_("sender pseudonym"), blank=True, db_index=True)
    sender_phone = EncryptedTextField(_("sender phone"), null=True, blank=True)
    sender_name = EncryptedTextField(_("sender name"), null=True, blank=True)
    reporter = models.ForeignKey(
        Reporter,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        db_index=False,
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    given_place = models.CharField(_("place given by the sender"), max_length=200, blank=True)
    given_language = models.CharField(_("language given by the sender"), max_length=8, blank=True)
    extra = models.JSONField(
        _("gateway details"),
        default=dict,
        blank=True,
        help_text=_("Non-identifying provider fields (network, segments, form options)."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.NEW
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    language_confidence = models.FloatField(_("language confidence"), null=True, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    category_source = models.CharField(
        _("category set by"), max_length=12, choices=LabelSource.choices, blank=True
    )
    category_confidence = models.FloatField(_("category confidence"), null=True, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, blank=True)
    urgency_source = models.CharField(
        _("urgency set by"), max_length=12, choices=LabelSource.choices, blank=True
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    place_source = models.CharField(
        _("place set by"), max_length=12, choices=LabelSource.choices, blank=True
    )
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        db_index=False,
    )
    is_restricted = models.BooleanField(_("restricted"), default=False)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triage_version = models.CharField(_("triage version"), max_length=40, blank=True)
    ack_text = models.CharField(_("acknowledgement sent"), max_length=480, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "channel": internal("how the message arrived"),
        "provider_message_id": internal("exactly-once ingest key"),
        "received_at": internal("when the mission received it"),
        "sent_at": internal("when the gateway says it was sent"),
        "body": confidential("what the community said"),
        "search_text": confidential("folded copy of the body for search"),
        "sender_pseudonym": confidential("linking messages of one sender without the number"),
        "sender_phone": strictly_confidential("replying and calling back (encrypted)"),
        "sender_name": strictly_confidential("name the sender chose to give (encrypted)"),
        "reporter": confidential("the pseudonymous reporter"),
        "latitude": confidential("location given by the sender"),
        "longitude": confidential("location given by the sender"),
        "given_place": confidential("place named by the sender in a form"),
        "given_language": internal("language chosen by the sender"),
        "extra": internal("non-identifying gateway details"),
        "status": internal("workflow"),
        "language": internal("triage: language"),
        "language_confidence": internal("triage: language"),
        "category": internal("triage: category"),
        "category_source": internal("triage provenance"),
        "category_confidence": internal("triage: category"),
        "urgency": internal("triage: urgency"),
        "urgency_source": internal("triage provenance"),
        "admin_unit": internal("triage: place; decides geographic scope"),
        "site": internal("triage: settlement or site"),
        "place_source": internal("triage provenance"),
        "cluster": internal("near-duplicate group"),
        "is_restricted": internal("protection queue flag"),
        "triaged_at": internal("triage done once"),
        "triage_version": internal("which lexicon or model triaged it"),
        "ack_text": internal("acknowledgement sent to the sender"),
    }

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="message_unique_provider_id"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="message_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="message_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "is_restricted", "received_at"], name="message_inbox"),
            # triage's queue: the few rows not yet triaged, in id order (a partial index)
            models.Index(
                fields=["id"], condition=Q(triaged_at__isnull=True), name="message_untriaged"
            ),
            models.Index(
                fields=["mission", "admin_unit", "received_at"],
                condition=Q(admin_unit__isnull=False),
                name="message_place",
            ),
            # Labels are empty when a message arrives: partial indexes cost the insert nothing.
            *(
                models.Index(
                    fields=[name],
                    condition=Q(**{f"{name}__isnull": False}),
                    name=f"message_{name}",
                )
                for name in ("reporter", "category", "site", "cluster")
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.public_id}"


class ClassifierTarget(models.TextChoices):
    CATEGORY = "category", _("Category")
    URGENCY = "urgency", _("Urgency")


class ClassifierStatus(models.TextChoices):
    TRAINING = "training", _("Training")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Classifier(BaseModel):
    """A versioned scikit-learn model trained on a mission's labelled messages.

    ``artifact`` is the pickled pipeline; ``artifact_mac`` an HMAC of it under a key derived from
    the server secret, checked before unpickling, so a row written by anyone else never loads.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    target = models.CharField(_("predicts"), max_length=12, choices=ClassifierTarget.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ClassifierStatus.choices,
        default=ClassifierStatus.TRAINING,
    )
    is_active = models.BooleanField(_("in use"), default=False)
    trained_on = models.PositiveIntegerField(_("training messages"), default=0)
    evaluated_on = models.PositiveIntegerField(_("evaluation messages"), default=0)
    metrics = models.JSONField(_("evaluation"), default=dict, blank=True)
    artifact = models.BinaryField(_("model"), null=True, blank=True)
    artifact_mac = models.CharField(_("model signature"), max_length=64, blank=True)
    job = models.ForeignKey(
        "core.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    error = models.CharField(_("error"), max_length=300, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "target": internal("what the model predicts"),
        "version": internal("model version"),
        "status": internal("training state"),
        "is_active": internal("which version triage uses"),
        "trained_on": internal("training set size"),
        "evaluated_on": internal("evaluation set size"),
        "metrics": internal("per-class precision, recall, confusion matrix"),
        "artifact": confidential("model fitted on message texts"),
        "artifact_mac": internal("tamper check before loading"),
        "job": internal("training job and its progress"),
        "error": internal("why training failed"),
    }

    class Meta:
        ordering = ["target", "-version"]
        verbose_name = _("classifier")
        verbose_name_plural = _("classifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "target", "version"], name="classifier_unique_version"
            ),
            models.UniqueConstraint(
                fields=["mission", "target"],
                condition=Q(is_active=True),
                name="classifier_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"


class WebformThrottle(models.Model):
    """Per-IP submission counts of the public web form, by fixed window (no IP is stored)."""

    key = PseudonymField(_("key"))
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "key": confidential("keyed pseudonym of the client address and channel"),
        "window_start": internal("rate-limit window"),
        "count": internal("rate-limit counter"),
    }

    class Meta:
        verbose_name = _("web form throttle")
        verbose_name_plural = _("web form throttles")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="throttle_unique_window"),
        ]

    def __str__(self) -> str:
        return f"throttle {self.window_start:%Y-%m-%d %H:%M}"
