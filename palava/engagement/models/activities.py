"""Activities with communities: forums, councils, town halls, focus groups, patrols, handovers."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal

from .common import AgeBand, CountSex, ParticipantGroup


class ActivityType(models.TextChoices):
    DIALOGUE_FORUM = "dialogue_forum", _("Dialogue forum")
    RECONCILIATION_COUNCIL = "reconciliation_council", _("Reconciliation council")
    TOWN_HALL = "town_hall", _("Town hall")
    FOCUS_GROUP = "focus_group", _("Focus group")
    KEY_INFORMANT = "key_informant", _("Key-informant meeting")
    JOINT_PATROL = "joint_patrol", _("Joint patrol with community members")
    PROJECT_HANDOVER = "project_handover", _("Project handover")
    OTHER = "other", _("Other meeting")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(BaseModel):
    """A meeting or action with a community, planned or held.

    ``admin_unit`` is the main place and decides the geographic scope; ``places`` lists other
    places whose people took part. Attendance is counted anonymously in :class:`AttendanceCount`
    cells (everyone present, named or not); :class:`Participant` links the named actors.
    ``minutes`` and ``agenda`` are Markdown rendered safely (no HTML, no scripts).
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    activity_type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    places = models.ManyToManyField(
        "places.AdminUnit",
        verbose_name=_("other places taking part"),
        blank=True,
        related_name="activities_joined",
    )
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("venue (settlement or site)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators (staff)"),
        blank=True,
        related_name="facilitated_activities",
    )
    other_facilitators = models.CharField(
        _("other facilitators"),
        max_length=300,
        blank=True,
        help_text=_("Partners or community members who co-facilitated."),
    )
    languages = models.JSONField(_("languages used"), default=list, blank=True)
    interpretation = models.CharField(
        _("interpretation"),
        max_length=300,
        blank=True,
        help_text=_("e.g. French to Lingala, by the community liaison assistant"),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follows up on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    follow_up_notes = models.TextField(_("follow-up needed"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "activity_type": internal("kind of engagement"),
        "title": internal("what the activity is"),
        "status": internal("planned, held or cancelled"),
        "admin_unit": internal("main place; decides geographic scope"),
        "places": internal("other places taking part (coverage)"),
        "site": internal("venue"),
        "venue": internal("venue"),
        "starts_at": internal("calendar"),
        "ends_at": internal("calendar"),
        "facilitators": internal("who led it for the mission"),
        "other_facilitators": internal("who co-facilitated"),
        "languages": internal("languages used"),
        "interpretation": internal("interpretation arrangements"),
        "agenda": internal("what was planned to be discussed"),
        "minutes": confidential("what was said (may name people and grievances)"),
        "follow_up_of": internal("chain of follow-up activities"),
        "follow_up_notes": internal("follow-up planning"),
        "cancel_reason": internal("why it did not happen"),
    }

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["mission", "starts_at"], name="activity_when")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ParticipantRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    CHAIR = "chair", _("Chair or moderator")
    SPEAKER = "speaker", _("Speaker")
    PARTY = "party", _("Party to the dispute")
    WITNESS = "witness", _("Witness or guarantor")
    OBSERVER = "observer", _("Observer")
    INTERPRETER = "interpreter", _("Interpreter")


class Participant(BaseModel):
    """A named actor who took part. Readers see only actors their clearance and scope allow."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    actor = models.ForeignKey(
        "actors.Actor",
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=ParticipantRole.choices,
        default=ParticipantRole.PARTICIPANT,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "activity": internal("which activity"),
        "actor": internal("who took part (the actor's own sensitivity decides who reads it)"),
        "role": internal("part played"),
        "note": confidential("staff note on the participation"),
    }

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["activity", "actor"], name="participant_unique_actor")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.actor_id}"


class AttendanceCount(models.Model):
    """Anonymous attendance: how many people of one sex, age band and group were present."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    sex = models.CharField(_("sex"), max_length=1, choices=CountSex.choices)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    group = models.CharField(
        _("group"),
        max_length=20,
        choices=ParticipantGroup.choices,
        default=ParticipantGroup.GENERAL,
    )
    count = models.PositiveIntegerField(_("people"))

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("row identifier"),
        "activity": internal("which activity"),
        "sex": internal("disaggregation"),
        "age_band": internal("disaggregation"),
        "group": internal("disaggregation"),
        "count": internal("attendance"),
    }

    class Meta:
        verbose_name = _("attendance count")
        verbose_name_plural = _("attendance counts")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "sex", "age_band", "group"], name="attendance_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sex}/{self.age_band}/{self.group}: {self.count}"


class ActivityIssue(BaseModel):
    """An issue the community raised, classed with the feedback taxonomy, linked to messages."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="issues",
    )
    category = models.ForeignKey(
        "feedback.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity_issues",
    )
    summary = models.TextField(_("issue raised"))
    messages = models.ManyToManyField(
        "feedback.Message",
        verbose_name=_("related messages"),
        blank=True,
        related_name="activity_issues",
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "activity": internal("where it was raised"),
        "category": internal("feedback taxonomy"),
        "summary": internal("what the community raised (no names)"),
        "messages": internal("feedback messages about the same issue"),
    }

    class Meta:
        verbose_name = _("issue raised")
        verbose_name_plural = _("issues raised")

    def __str__(self) -> str:
        return self.summary[:60]
