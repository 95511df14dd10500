"""Cultural context: the knowledge base, the cultural calendar and briefing dossiers (ADR 0010).

- :class:`KnowledgeEntry` is one piece of context about a place (an admin unit or a site). An
  entry applies to its place and everything below it in the admin hierarchy; each edit keeps a
  :class:`KnowledgeRevision`, and :class:`KnowledgeTranslation` holds the entry in other languages
  (stale when the entry changed after it was translated). An entry is classified like any record
  (``sensitivity``): readers below that clearance never see it.
- :class:`CalendarEvent` is a recurring (or one-off) event: its rule is one of the kinds of
  :mod:`palava.context.recurrence`, stored as ``rule_kind`` plus ``rule`` parameters.
- :class:`Dossier` is a generated briefing (HTML and PDF kept in the database), made by a
  :class:`palava.core.models.Job` for one reader with that reader's clearance and language.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palava.actors.models import RecordSensitivity
from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal
from palava.places.models import AdminUnit, Site

#: Entries not reviewed for this long are stale even when still valid.
REVIEW_INTERVAL_DAYS = 365
#: Largest entry body (characters) and translation body.
MAX_BODY_CHARS = 20_000


class Topic(models.TextChoices):
    LANGUAGES = "languages", _("Languages and greetings")
    LEADERSHIP = "leadership", _("Leadership structures")
    CUSTOMS = "customs", _("Customs and etiquette")
    RELIGION = "religion", _("Religious practice")
    SENSITIVITIES = "sensitivities", _("Sensitivities and taboos")
    DOS_DONTS = "dos_donts", _("Do's and don'ts")
    CONFLICT = "conflict", _("Conflict drivers and history")
    ASSETS = "assets", _("Community assets")
    GENDER = "gender", _("Gender dynamics")
    SECURITY = "security", _("Security notes")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Waiting for review")
    REVIEWED = "reviewed", _("Reviewed")
    RETIRED = "retired", _("Retired")


class KnowledgeEntry(BaseModel):
    """One piece of context about a place, inherited by every place below it."""

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="knowledge_entries",
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_entries",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_entries",
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), max_length=MAX_BODY_CHARS)
    language = models.CharField(_("written in"), max_length=10)
    sensitivity = models.PositiveSmallIntegerField(
        _("classification"), choices=RecordSensitivity.choices, default=RecordSensitivity.INTERNAL
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Who or what this comes from, e.g. 'chief's council, meeting of 3 May'."),
    )
    actors = models.ManyToManyField(
        "actors.Actor",
        verbose_name=_("linked actors"),
        blank=True,
        related_name="knowledge_entries",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("After this date the entry is shown as stale until it is reviewed again."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "admin_unit": internal("the place the entry is about (scope)"),
        "site": internal("the place the entry is about (scope)"),
        "topic": internal("what the entry is about"),
        "title": internal("entry title; the entry's own classification applies"),
        "body": internal("entry text; the entry's own classification applies"),
        "language": internal("language of the original text"),
        "sensitivity": internal("who may read the entry"),
        "source": confidential("where the knowledge comes from; may point to a person"),
        "actors": internal("leaders and groups the entry is about (their own rules apply)"),
        "author": internal("accountability"),
        "status": internal("review workflow"),
        "reviewer": internal("accountability"),
        "reviewed_at": internal("freshness"),
        "review_note": internal("reviewer's comment"),
        "valid_until": internal("freshness"),
        "version": internal("revision counter"),
    }

    class Meta:
        ordering = ["topic", "title"]
        verbose_name = _("context entry")
        verbose_name_plural = _("context entries")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(admin_unit__isnull=False, site__isnull=True)
                    | Q(admin_unit__isnull=True, site__isnull=False)
                ),
                name="context_entry_one_place",
            ),
        ]
        indexes = [models.Index(fields=["mission", "status", "topic"])]

    def __str__(self) -> str:
        return self.title


class KnowledgeRevision(BaseModel):
    """The entry as it was at one version (kept on every edit; never changed)."""

    entry = models.ForeignKey(
        KnowledgeEntry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    version = models.PositiveIntegerField(_("version"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    sensitivity = models.PositiveSmallIntegerField(
        _("classification"), choices=RecordSensitivity.choices
    )
    source = models.CharField(_("source"), max_length=300)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "entry": internal("which entry"),
        "version": internal("revision number"),
        "topic": internal("past topic"),
        "title": internal("past title; the entry's classification applies"),
        "body": internal("past text; the entry's classification applies"),
        "sensitivity": internal("past classification"),
        "source": confidential("past source; may point to a person"),
        "valid_until": internal("past validity"),
        "note": internal("change summary"),
    }

    class Meta:
        ordering = ["entry", "-version"]
        verbose_name = _("context entry revision")
        verbose_name_plural = _("context entry revisions")
        constraints = [
            models.UniqueConstraint(fields=["entry", "version"], name="context_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.version}"


class KnowledgeTranslation(BaseModel):
    """An entry in another language; stale when ``source_version`` < the entry's version."""

    entry = models.ForeignKey(
        KnowledgeEntry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        related_name="translations",
    )
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), max_length=MAX_BODY_CHARS)
    source_version = models.PositiveIntegerField(_("translated from version"))

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "entry": internal("which entry"),
        "language": internal("translation language"),
        "title": internal("translated title; the entry's classification applies"),
        "body": internal("translated text; the entry's classification applies"),
        "source_version": internal("which version was translated"),
    }

    class Meta:
        ordering = ["entry", "language"]
        verbose_name = _("context entry translation")
        verbose_name_plural = _("context entry translations")
        constraints = [
            models.UniqueConstraint(fields=["entry", "language"], name="context_translation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} [{self.language}]"


class EventCategory(models.TextChoices):
    MARKET = "market", _("Market day")
    ISLAMIC = "islamic", _("Islamic holiday")
    CHRISTIAN = "christian", _("Christian holiday")
    NATIONAL = "national", _("National day")
    SEASON = "season", _("Season (harvest, transhumance)")
    CEREMONY = "ceremony", _("Local ceremony")
    OTHER = "other", _("Other")


class CalendarEvent(BaseModel):
    """A recurring or one-off event of the cultural calendar.

    ``rule_kind`` is a :class:`palava.context.recurrence.RuleKind` and ``rule`` its parameters
    (see :mod:`palava.context.calendar_rules`, which turns a row into a rule). With no place the
    event applies mission-wide; otherwise to its place and everything below it.
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="calendar_events",
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_events",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_events",
    )
    key = models.SlugField(_("key"), max_length=60)
    category = models.CharField(_("category"), max_length=12, choices=EventCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    titles = models.JSONField(_("title by language"), default=dict, blank=True)
    rule_kind = models.CharField(_("recurrence"), max_length=24)
    rule = models.JSONField(_("recurrence parameters"), default=dict, blank=True)
    note = models.TextField(
        _("why it matters"),
        blank=True,
        max_length=2000,
        help_text=_("e.g. 'markets close at noon; avoid meetings in the afternoon'."),
    )
    warn = models.BooleanField(
        _("warn when an activity is scheduled on it"),
        default=True,
    )
    is_active = models.BooleanField(_("active"), default=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "admin_unit": internal("where the event is observed (scope)"),
        "site": internal("where the event is observed (scope)"),
        "key": internal("stable key (standard holidays)"),
        "category": internal("kind of event"),
        "title": internal("event name"),
        "titles": internal("event name in other languages"),
        "rule_kind": internal("recurrence kind"),
        "rule": internal("recurrence parameters"),
        "note": internal("planning advice"),
        "warn": internal("clash warning on or off"),
        "is_active": internal("retired events are kept"),
    }

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        constraints = [
            models.CheckConstraint(
                condition=Q(admin_unit__isnull=True) | Q(site__isnull=True),
                name="context_event_one_place",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DossierKind(models.TextChoices):
    PLACE = "place", _("Place")
    ROUTE = "route", _("Route")


class Dossier(BaseModel):
    """A generated briefing for one reader: HTML and PDF, kept for :data:`DOSSIER_KEEP_DAYS`.

    Only its reader (``created_by``) may download it: it was filtered by that reader's clearance,
    scope and permissions.
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="dossiers",
    )
    job = models.OneToOneField(
        "core.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossier",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DossierKind.choices)
    title = models.CharField(_("title"), max_length=300)
    places = models.JSONField(_("places (P-codes and site codes, in order)"), default=list)
    language = models.CharField(_("language"), max_length=10)
    clearance = models.PositiveSmallIntegerField(
        _("made for clearance"), choices=RecordSensitivity.choices
    )
    html = models.BinaryField(_("HTML file"), default=b"")
    pdf = models.BinaryField(_("PDF file"), default=b"")
    html_bytes = models.PositiveIntegerField(_("HTML size"), default=0)
    pdf_bytes = models.PositiveIntegerField(_("PDF size"), default=0)
    pdf_pages = models.PositiveIntegerField(_("PDF pages"), default=0)
    expires_at = models.DateTimeField(_("deleted after"))

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "job": internal("the generating job"),
        "kind": internal("place or route"),
        "title": internal("dossier title"),
        "places": internal("what the dossier covers"),
        "language": internal("reader's language"),
        "clearance": internal("the reader's clearance it was filtered for"),
        "html": confidential("briefing content filtered for one reader"),
        "pdf": confidential("briefing content filtered for one reader"),
        "html_bytes": internal("file size"),
        "pdf_bytes": internal("file size"),
        "pdf_pages": internal("page count"),
        "expires_at": internal("retention"),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")

    def __str__(self) -> str:
        return self.title


#: How long a generated dossier is kept before the periodic purge deletes it.
DOSSIER_KEEP_DAYS = 30
