"""The stakeholder registry: actors (people, organisations, groups), consent and relationships.

Visibility of an actor is decided by three things, always together (``palava.actors.selectors``):
the mission, the reader's geographic scope (through ``admin_unit``) and the record's own
``sensitivity`` against the reader's clearance (``palava.missions.permissions.clearance_for``).
See ``docs/adr/0004-clearance-and-actor-sensitivity.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from palava.core.fields import EncryptedTextField, PseudonymField
from palava.core.models import BaseModel
from palava.core.sensitivity import (
    FieldClass,
    Sensitivity,
    confidential,
    internal,
    strictly_confidential,
)


class ActorKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    GROUP = "group", _("Group")


class ActorType(models.TextChoices):
    TRADITIONAL_AUTHORITY = "traditional_authority", _("Traditional authority")
    RELIGIOUS_LEADER = "religious_leader", _("Religious leader")
    LOCAL_OFFICIAL = "local_official", _("Local official")
    CIVIL_SOCIETY = "civil_society", _("Civil society organisation")
    WOMENS_GROUP = "womens_group", _("Women's group")
    YOUTH_GROUP = "youth_group", _("Youth group")
    DISPLACED_REPRESENTATIVE = "displaced_representative", _("IDP or refugee representative")
    BUSINESS = "business", _("Business")
    SECURITY_ACTOR = "security_actor", _("Security actor")
    ARMED_GROUP_FIGURE = "armed_group_figure", _("Armed-group figure")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class RecordSensitivity(models.IntegerChoices):
    """A record's own class; the values are those of ``palava.core.sensitivity.Sensitivity``."""

    PUBLIC = int(Sensitivity.PUBLIC), _("Public")
    INTERNAL = int(Sensitivity.INTERNAL), _("Internal")
    CONFIDENTIAL = int(Sensitivity.CONFIDENTIAL), _("Confidential")
    STRICTLY_CONFIDENTIAL = int(Sensitivity.STRICTLY_CONFIDENTIAL), _("Strictly confidential")


class Stance(models.IntegerChoices):
    HOSTILE = -2, _("Hostile")
    WARY = -1, _("Wary")
    NEUTRAL = 0, _("Neutral")
    FAVOURABLE = 1, _("Favourable")
    SUPPORTIVE = 2, _("Supportive")


INFLUENCE_MIN = 1
INFLUENCE_MAX = 5


def default_sensitivity(actor_type: str) -> Sensitivity:
    """Armed-group figures are strictly confidential unless said otherwise; others internal."""
    if actor_type == ActorType.ARMED_GROUP_FIGURE:
        return Sensitivity.STRICTLY_CONFIDENTIAL
    return Sensitivity.INTERNAL


class Actor(BaseModel):
    """A person, organisation or group the mission engages with.

    Merging keeps history: the merged record stays, with ``is_active=False`` and
    ``merged_into`` pointing at the surviving actor.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActorKind.choices)
    actor_type = models.CharField(_("type"), max_length=30, choices=ActorType.choices)
    name = models.CharField(_("name"), max_length=200)
    alt_names = models.JSONField(_("other names and spellings"), default=list, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True, help_text=_("Persons only.")
    )
    title = models.CharField(_("title or role"), max_length=200, blank=True)
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("main place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    places = models.ManyToManyField(
        "places.AdminUnit",
        verbose_name=_("other places of influence"),
        blank=True,
        related_name="+",
    )
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    influence = models.PositiveSmallIntegerField(
        _("influence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(INFLUENCE_MIN), MaxValueValidator(INFLUENCE_MAX)],
        help_text=_("1 (little) to 5 (decisive); empty when unknown."),
    )
    stance_peace_process = models.SmallIntegerField(
        _("stance towards the peace process"), null=True, blank=True, choices=Stance.choices
    )
    stance_mission = models.SmallIntegerField(
        _("stance towards the mission"), null=True, blank=True, choices=Stance.choices
    )
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"), choices=RecordSensitivity.choices, default=RecordSensitivity.INTERNAL
    )
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    phone_pseudonym = PseudonymField(_("phone pseudonym"), blank=True, db_index=True)
    email = EncryptedTextField(_("e-mail"), null=True, blank=True)
    email_pseudonym = PseudonymField(_("e-mail pseudonym"), blank=True, db_index=True)
    contact_other = EncryptedTextField(_("address and other contact"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(_("search text"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    is_active = models.BooleanField(_("active"), default=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "kind": internal("person, organisation or group"),
        "actor_type": internal("role in the community"),
        "name": internal("who the actor is (record sensitivity decides who reads it)"),
        "alt_names": internal("other spellings for search and duplicate detection"),
        "gender": internal("disaggregation of engagement"),
        "title": internal("role or title"),
        "admin_unit": internal("main place; decides geographic scope"),
        "places": internal("other places of influence"),
        "site": internal("settlement or site"),
        "languages": internal("languages to engage in"),
        "influence": internal("stakeholder analysis"),
        "stance_peace_process": internal("stakeholder analysis"),
        "stance_mission": internal("stakeholder analysis"),
        "sensitivity": internal("who may read the record"),
        "phone": strictly_confidential("contacting the actor (encrypted)"),
        "phone_pseudonym": confidential("matching the same phone without decrypting"),
        "email": strictly_confidential("contacting the actor (encrypted)"),
        "email_pseudonym": confidential("matching the same e-mail without decrypting"),
        "contact_other": strictly_confidential("address and other contact (encrypted)"),
        "notes": confidential("staff notes about the actor"),
        "search_text": internal("case- and accent-folded names for search"),
        "merged_into": internal("merge history: the surviving record"),
        "is_active": internal("merged or retired records are kept inactive"),
    }

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        indexes = [
            models.Index(fields=["mission", "is_active", "sensitivity"], name="actor_visibility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(influence__isnull=True)
                | Q(influence__gte=INFLUENCE_MIN, influence__lte=INFLUENCE_MAX),
                name="actor_influence_range",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("id")),
                name="actor_not_merged_into_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def record_sensitivity(self) -> Sensitivity:
        return Sensitivity(self.sensitivity)


class ConsentPurpose(models.TextChoices):
    CONTACT_PHONE = "contact_phone", _("Contact by phone")
    CONTACT_MESSAGE = "contact_message", _("Contact by SMS or messaging")
    STORE_CONTACT = "store_contact", _("Store contact details")
    SHARE_PARTNERS = "share_partners", _("Share with partners")
    QUOTE_PUBLICLY = "quote_publicly", _("Quote publicly")
    QUOTE_ANONYMOUSLY = "quote_anonymously", _("Quote without name")
    PHOTOGRAPH = "photograph", _("Photograph")
    RECORD_AUDIO = "record_audio", _("Record audio or video")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")
    SMS = "sms", _("SMS")
    OTHER = "other", _("Other")


class Consent(BaseModel):
    """What an actor agreed to, when and how; withdrawal keeps the record."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        Actor, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="consents"
    )
    purposes = models.JSONField(_("purposes"), default=list)
    details = models.TextField(_("what was agreed, in words"), blank=True)
    given_at = models.DateTimeField(_("given at"))
    method = models.CharField(_("method"), max_length=10, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "actor": internal("whose consent"),
        "purposes": internal("what the actor agreed to (codes)"),
        "details": confidential("what was agreed, in the actor's terms"),
        "given_at": internal("when consent was given"),
        "method": internal("how consent was given"),
        "recorded_by": internal("accountability"),
        "withdrawn_at": internal("when consent was withdrawn"),
        "withdrawal_reason": confidential("why consent was withdrawn"),
        "withdrawn_by": internal("accountability"),
    }

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.actor_id}: {', '.join(self.purposes)}"

    def covers(self, purpose: str, at: datetime) -> bool:
        """Whether this record grants ``purpose`` at the aware datetime ``at``."""
        if purpose not in self.purposes or self.given_at > at:
            return False
        return self.withdrawn_at is None or self.withdrawn_at > at


class RelationshipKind(models.TextChoices):
    MEMBER_OF = "member_of", _("Member of")
    LEADS = "leads", _("Leads")
    REPRESENTS = "represents", _("Represents")
    ALLIED_WITH = "allied_with", _("Allied with")
    IN_DISPUTE_WITH = "in_dispute_with", _("In dispute with")
    MEDIATES_BETWEEN = "mediates_between", _("Mediates between")
    RELATED_TO = "related_to", _("Related to")


SYMMETRIC_KINDS: frozenset[str] = frozenset(
    {RelationshipKind.ALLIED_WITH, RelationshipKind.IN_DISPUTE_WITH, RelationshipKind.RELATED_TO}
)


class Confidence(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Relationship(BaseModel):
    """A typed, dated link from ``source`` to ``target``.

    Symmetric kinds are stored once, with the lower row id as ``source``; together with the
    unique constraint on open relationships this refuses recording one twice in both directions.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.ForeignKey(
        Actor, verbose_name=_("from"), on_delete=models.PROTECT, related_name="relationships_out"
    )
    target = models.ForeignKey(
        Actor, verbose_name=_("to"), on_delete=models.PROTECT, related_name="relationships_in"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RelationshipKind.choices)
    start_date = models.DateField(_("since"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    information_source = models.CharField(
        _("source of the information"), max_length=300, blank=True
    )
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    notes = models.TextField(_("notes"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "source": internal("one end of the relationship"),
        "target": internal("other end of the relationship"),
        "kind": internal("type of relationship"),
        "start_date": internal("since when"),
        "end_date": internal("until when; empty while it holds"),
        "information_source": confidential("where the information comes from"),
        "confidence": internal("how sure the mission is"),
        "notes": confidential("staff notes"),
    }

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="relationship_not_self"),
            models.UniqueConstraint(
                fields=["source", "target", "kind"],
                condition=Q(end_date__isnull=True),
                name="relationship_unique_open",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="relationship_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"

    @property
    def is_symmetric(self) -> bool:
        return self.kind in SYMMETRIC_KINDS

    @property
    def is_open(self) -> bool:
        return self.end_date is None
