"""Assessments: XLSForm forms and their versions, OpenRosa app users, submissions.

A form is uploaded as an XLSForm and converted by pyxform; each upload is a new
``FormVersion`` keeping the source file, the XForm and pyxform's JSON definition (the
question tree used for web entry, imports and exports). Submissions arrive over OpenRosa (ODK
Collect, KoboCollect, Enketo), from web entry or from an import; ``instance_id`` makes a
resubmission idempotent and ``deprecated_id`` records an edit as a new version.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal, strictly_confidential

MAX_XLSFORM_BYTES = 10 * 1024 * 1024
MAX_SUBMISSION_XML_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_MEDIA_BYTES = 10 * 1024 * 1024


class Form(BaseModel):
    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=255)
    form_id = models.CharField(_("form id"), max_length=100)
    current_version = models.ForeignKey(
        "assessments.FormVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepting_submissions = models.BooleanField(_("accepting submissions"), default=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "title": internal("form title"),
        "form_id": internal("XForm id matched by ODK Collect"),
        "current_version": internal("the version served to devices"),
        "accepting_submissions": internal("a closed form refuses submissions"),
        "archived_at": internal("retired forms stay for history"),
    }

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        constraints = [
            models.UniqueConstraint(fields=["mission", "form_id"], name="form_unique_form_id"),
        ]

    def __str__(self) -> str:
        return self.title


class FormVersion(BaseModel):
    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    version = models.CharField(_("version"), max_length=100)
    source_name = models.CharField(_("uploaded file"), max_length=255)
    source_format = models.CharField(_("file format"), max_length=8)
    source = models.BinaryField(_("XLSForm source"))
    xml = models.TextField(_("XForm"))
    md5 = models.CharField(_("XForm MD5"), max_length=32)
    definition = models.JSONField(_("question tree"), default=dict)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    default_language = models.CharField(_("default language"), max_length=60, blank=True)
    warnings = models.JSONField(_("conversion warnings"), default=list, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "form": internal("which form"),
        "number": internal("version order"),
        "version": internal("XForm version string"),
        "source_name": internal("uploaded file name"),
        "source_format": internal("uploaded file type"),
        "source": internal("the XLSForm as uploaded"),
        "xml": internal("the XForm served to devices"),
        "md5": internal("formList hash"),
        "definition": internal("question tree"),
        "languages": internal("label languages"),
        "default_language": internal("label language"),
        "warnings": internal("pyxform warnings"),
    }

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="formversion_unique_number"),
            models.UniqueConstraint(fields=["form", "version"], name="formversion_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} v{self.version}"


class FormMedia(BaseModel):
    """A media or CSV file a form needs on the device (listed in the OpenRosa manifest)."""

    form_version = models.ForeignKey(
        FormVersion, verbose_name=_("form version"), on_delete=models.CASCADE, related_name="media"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size"))
    md5 = models.CharField(_("MD5"), max_length=32)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "form_version": internal("which form version"),
        "filename": internal("file name on the device"),
        "content_type": internal("file type"),
        "content": internal("form media"),
        "size": internal("file size"),
        "md5": internal("manifest hash"),
    }

    class Meta:
        verbose_name = _("form media file")
        verbose_name_plural = _("form media files")
        constraints = [
            models.UniqueConstraint(
                fields=["form_version", "filename"], name="formmedia_unique_filename"
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class AppUser(BaseModel):
    """Per-device credentials for ODK Collect / KoboCollect; revocable."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    username = models.CharField(_("user name"), max_length=64)
    token_hash = models.CharField(_("token hash"), max_length=128, unique=True)
    forms = models.ManyToManyField(
        Form,
        verbose_name=_("forms"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for every open form of the mission."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "name": internal("which device or team"),
        "username": internal("device log-in"),
        "token_hash": strictly_confidential("authenticating the device (hash only)"),
        "forms": internal("forms the device may fetch"),
        "revoked_at": internal("a revoked device is refused"),
        "last_used_at": internal("device activity"),
    }

    class Meta:
        verbose_name = _("app user")
        verbose_name_plural = _("app users")
        constraints = [
            models.UniqueConstraint(fields=["mission", "username"], name="appuser_unique_username"),
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionSource(models.TextChoices):
    OPENROSA = "openrosa", _("ODK Collect / OpenRosa")
    WEB = "web", _("Web entry")
    IMPORT = "import", _("Import")


class SubmissionStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    SUPERSEDED = "superseded", _("Replaced by an edit")


class Submission(BaseModel):
    """One filled form.

    ``data`` maps each answered field's path below the root (``group/question``) to its value as
    text, as in the XML instance (``select_multiple`` answers space-separated); a repeat's path
    maps to a list of dicts keyed the same way (full paths), one per repeat instance.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="submissions"
    )
    form_version = models.ForeignKey(
        FormVersion,
        verbose_name=_("form version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    instance_id = models.CharField(_("instance id"), max_length=120)
    deprecated_id = models.CharField(_("replaces instance"), max_length=120, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.CURRENT,
    )
    source = models.CharField(_("source"), max_length=10, choices=SubmissionSource.choices)
    xml = models.TextField(_("instance XML"), blank=True)
    xml_sha256 = models.CharField(_("instance hash"), max_length=64, blank=True)
    data = models.JSONField(_("answers"), default=dict)
    app_user = models.ForeignKey(
        AppUser,
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"))
    started_at = models.DateTimeField(_("interview started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("interview ended"), null=True, blank=True)
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    round = models.ForeignKey(
        "assessments.Round",
        verbose_name=_("round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    respondent_sex = models.CharField(_("respondent sex"), max_length=1, blank=True)
    respondent_age_band = models.CharField(_("respondent age band"), max_length=16, blank=True)
    respondent_group = models.CharField(_("respondent group"), max_length=100, blank=True)
    enumerator = models.CharField(_("enumerator"), max_length=120, blank=True)
    design_weight = models.FloatField(_("design weight"), default=1.0)
    quality_flags = models.JSONField(_("data-quality flags"), default=list, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "round": internal("which assessment round"),
        "respondent_sex": confidential("disaggregation (with place and age may identify)"),
        "respondent_age_band": confidential("disaggregation (with place and sex may identify)"),
        "respondent_group": confidential("disaggregation (e.g. displaced, host community)"),
        "enumerator": internal("who collected it (data quality)"),
        "design_weight": internal("sampling weight before post-stratification"),
        "quality_flags": internal("data-quality flag codes"),
        "form": internal("which form"),
        "form_version": internal("which form version"),
        "instance_id": internal("idempotent resubmission"),
        "deprecated_id": internal("edit history"),
        "supersedes": internal("edit history"),
        "status": internal("current or replaced by an edit"),
        "source": internal("how the submission arrived"),
        "xml": confidential("the answers as submitted (may name respondents)"),
        "xml_sha256": internal("detecting a conflicting resubmission"),
        "data": confidential("the answers (may name respondents)"),
        "app_user": internal("which device sent it"),
        "received_at": internal("when it arrived"),
        "started_at": internal("interview duration (data quality)"),
        "ended_at": internal("interview duration (data quality)"),
        "admin_unit": internal("where; decides geographic scope"),
    }

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "instance_id"], name="submission_unique_instance"
            ),
        ]
        indexes = [
            models.Index(fields=["form", "status", "received_at"]),
            models.Index(fields=["round", "status"]),
        ]

    def __str__(self) -> str:
        return self.instance_id


class SubmissionAttachment(BaseModel):
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size"))
    md5 = models.CharField(_("MD5"), max_length=32)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "submission": internal("which submission"),
        "filename": internal("file name"),
        "content_type": internal("file type"),
        "content": confidential("photos and recordings (may identify people)"),
        "size": internal("file size"),
        "md5": internal("integrity"),
    }

    class Meta:
        verbose_name = _("submission attachment")
        verbose_name_plural = _("submission attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "filename"], name="attachment_unique_filename"
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("In the field")
    CLOSED = "closed", _("Closed")


class Round(BaseModel):
    """One assessment round: a form collected over a period and a sampling frame of places.

    Rounds of the same ``series`` (e.g. the quarterly perception survey) are compared for trends
    and round-over-round change. Submissions of ``form`` whose interview date falls within
    ``starts_on``..``ends_on`` belong to the round. ``place_field``, ``sex_field``,
    ``age_field`` and ``group_field`` are question paths (``group/question``) read from each
    submission for disaggregation and quotas; ``indicator_map`` maps an indicator-bank code to
    ``{"path": question path, "version": bank version}``.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="rounds"
    )
    series = models.SlugField(_("series"), max_length=100)
    number = models.PositiveIntegerField(_("round number"))
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    place_field = models.CharField(_("place question"), max_length=200, blank=True)
    sex_field = models.CharField(_("sex question"), max_length=200, blank=True)
    age_field = models.CharField(_("age question"), max_length=200, blank=True)
    group_field = models.CharField(_("group question"), max_length=200, blank=True)
    indicator_map = models.JSONField(_("indicators"), default=dict, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population reference year"), null=True, blank=True
    )
    min_duration_seconds = models.PositiveIntegerField(
        _("shortest credible interview (seconds)"), default=300
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "form": internal("which form"),
        "series": internal("links rounds for trends"),
        "number": internal("order within the series"),
        "name": internal("round name"),
        "starts_on": internal("fieldwork period"),
        "ends_on": internal("fieldwork period"),
        "status": internal("planned, in the field or closed"),
        "place_field": internal("question path"),
        "sex_field": internal("question path"),
        "age_field": internal("question path"),
        "group_field": internal("question path"),
        "indicator_map": internal("indicator codes to question paths"),
        "population_year": internal("post-stratification totals"),
        "min_duration_seconds": internal("data-quality threshold"),
    }

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "series", "number"], name="round_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoundQuota(BaseModel):
    """Interviews wanted in one place of the sampling frame, optionally by sex and age band."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="quotas"
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sex = models.CharField(_("sex"), max_length=1, blank=True, help_text=_("Empty for any."))
    age_band = models.CharField(
        _("age band"), max_length=16, blank=True, help_text=_("Empty for any.")
    )
    target = models.PositiveIntegerField(_("interviews wanted"))

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "round": internal("which round"),
        "admin_unit": internal("place in the sampling frame"),
        "sex": internal("quota cell"),
        "age_band": internal("quota cell"),
        "target": internal("interviews wanted"),
    }

    class Meta:
        verbose_name = _("round quota")
        verbose_name_plural = _("round quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "admin_unit", "sex", "age_band"], name="roundquota_unique_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.admin_unit_id} {self.sex}{self.age_band}: {self.target}"


class RankingMethod(models.TextChoices):
    PAIRWISE = "pairwise", _("Pairwise ranking matrix")
    BORDA = "borda", _("Ranking (Borda count)")
    PILING = "piling", _("Proportional piling")
    RANK_QUESTION = "rank", _("Survey ranking question")


class RankingExercise(BaseModel):
    """A participatory ranking of needs held in one place (or the rank answers of a round).

    ``items`` are need codes; ``inputs`` holds what the group produced (pairwise: a list of
    ``[a, b, winner]``; Borda: a list of rankings; piling: ``{item: counters}``; rank question:
    ``{"round": id, "path": question path}``); ``scores`` is the normalised share per item
    (summing to 1) computed by the service.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit", verbose_name=_("place"), on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey(
        Round,
        verbose_name=_("round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ranking_exercises",
    )
    held_on = models.DateField(_("held on"))
    method = models.CharField(_("method"), max_length=10, choices=RankingMethod.choices)
    group = models.CharField(_("participants"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    items = models.JSONField(_("needs ranked"), default=list)
    inputs = models.JSONField(_("exercise result"), default=dict, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "admin_unit": internal("where; decides geographic scope"),
        "round": internal("which round"),
        "held_on": internal("when"),
        "method": internal("ranking method"),
        "group": internal("which group took part (e.g. women, youth)"),
        "participants": internal("how many took part"),
        "items": internal("need codes"),
        "inputs": internal("the group's ranking"),
        "scores": internal("normalised scores"),
        "notes": confidential("facilitator notes (may name people)"),
    }

    class Meta:
        verbose_name = _("ranking exercise")
        verbose_name_plural = _("ranking exercises")
        indexes = [models.Index(fields=["mission", "admin_unit", "held_on"])]

    def __str__(self) -> str:
        return f"{self.method} {self.held_on}"
