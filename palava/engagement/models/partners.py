"""Partners (organisation actors), their agreements and projects (3W: who does what where)."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, internal, public

from .common import BeneficiaryAge, CountSex


class PartnerType(models.TextChoices):
    UN_AGENCY = "un_agency", _("UN agency, fund or programme")
    INGO = "ingo", _("International NGO")
    NNGO = "nngo", _("National NGO")
    CSO = "cso", _("Community-based or civil society organisation")
    GOVERNMENT = "government", _("Government body")
    DONOR = "donor", _("Donor")
    RED_CROSS = "red_cross", _("Red Cross or Red Crescent")
    OTHER = "other", _("Other")


class Partner(BaseModel):
    """A partner organisation: an organisation actor of the registry, with partnership facts."""

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="partners",
    )
    actor = models.OneToOneField(
        "actors.Actor",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="partner",
    )
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    partner_type = models.CharField(_("type"), max_length=20, choices=PartnerType.choices)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "actor": internal("the organisation in the registry"),
        "acronym": public("short name in 3W"),
        "partner_type": public("kind of organisation in 3W"),
        "is_active": internal("current partner or not"),
        "notes": internal("staff notes on the partnership"),
    }

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.acronym or str(self.actor_id)


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    LOA = "loa", _("Letter of agreement")
    DATA_SHARING = "data_sharing", _("Data-sharing agreement")
    GRANT = "grant", _("Grant or funding agreement")
    OTHER = "other", _("Other")


class DataSharing(models.TextChoices):
    """What data the agreement lets Palava share with the partner."""

    NONE = "none", _("No data shared")
    AGGREGATE = "aggregate", _("Aggregate figures only")
    PSEUDONYMISED = "pseudonymised", _("Pseudonymised records")
    PERSONAL = "personal", _("Personal data with consent")


class Agreement(BaseModel):
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    data_sharing = models.CharField(
        _("data sharing"), max_length=20, choices=DataSharing.choices, default=DataSharing.NONE
    )
    data_sharing_terms = models.TextField(_("data-sharing terms"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "partner": internal("with whom"),
        "kind": internal("kind of agreement"),
        "title": internal("what it is"),
        "reference": internal("the agreement's own reference"),
        "signed_on": internal("dates"),
        "starts_on": internal("dates"),
        "ends_on": internal("dates"),
        "scope": internal("what the partnership covers"),
        "data_sharing": internal("what data may be shared"),
        "data_sharing_terms": internal("conditions on shared data"),
    }

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProjectType(models.TextChoices):
    QIP = "qip", _("Quick-impact project")
    CVR = "cvr", _("Community violence reduction")
    PEACEBUILDING = "peacebuilding", _("Peacebuilding project")
    HUMANITARIAN = "humanitarian", _("Humanitarian project")
    DEVELOPMENT = "development", _("Development project")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    """Sectors for 3W: the IASC clusters plus the peace-operation ones."""

    PROTECTION = "protection", _("Protection")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    WASH = "wash", _("Water, sanitation and hygiene")
    SHELTER = "shelter", _("Shelter and infrastructure")
    FOOD_SECURITY = "food_security", _("Food security")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    SOCIAL_COHESION = "social_cohesion", _("Social cohesion and reconciliation")
    GOVERNANCE = "governance", _("Governance and local authority")
    RULE_OF_LAW = "rule_of_law", _("Rule of law")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class Project(BaseModel):
    """A project in the 3W (who does what where), e.g. a quick-impact project."""

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="projects",
    )
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    project_type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("implementing partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    funder = models.ForeignKey(
        Partner,
        verbose_name=_("funded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funded_projects",
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("main place"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    places = models.ManyToManyField(
        "places.AdminUnit",
        verbose_name=_("other places"),
        blank=True,
        related_name="projects_joined",
    )
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("under agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "code": public("3W identifier"),
        "title": public("3W activity"),
        "project_type": public("3W activity kind"),
        "sector": public("3W sector"),
        "partner": public("3W who"),
        "funder": public("3W funder"),
        "admin_unit": public("3W where; decides geographic scope"),
        "places": public("3W where"),
        "description": internal("what the project does"),
        "budget": internal("budget"),
        "currency": internal("budget currency"),
        "starts_on": public("3W when"),
        "ends_on": public("3W when"),
        "status": public("3W status"),
        "agreement": internal("the agreement it falls under"),
    }

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="project_unique_code"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | ~Q(currency=""),
                name="project_budget_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProjectReach(models.Model):
    """Beneficiaries of a project by sex and age group: targeted and reached so far."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="reach",
    )
    sex = models.CharField(_("sex"), max_length=1, choices=CountSex.choices)
    age_group = models.CharField(_("age group"), max_length=10, choices=BeneficiaryAge.choices)
    targeted = models.PositiveIntegerField(_("targeted"), default=0)
    reached = models.PositiveIntegerField(_("reached"), default=0)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("row identifier"),
        "project": internal("which project"),
        "sex": public("disaggregation"),
        "age_group": public("disaggregation"),
        "targeted": public("people targeted"),
        "reached": public("people reached"),
    }

    class Meta:
        verbose_name = _("beneficiaries")
        verbose_name_plural = _("beneficiaries")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sex", "age_group"], name="project_reach_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.sex}/{self.age_group}"


class DeliverableStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Deliverable(BaseModel):
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="deliverables",
    )
    description = models.CharField(_("deliverable"), max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeliverableStatus.choices,
        default=DeliverableStatus.PENDING,
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "project": internal("which project"),
        "description": internal("what is to be delivered"),
        "due_on": internal("when"),
        "status": internal("progress"),
        "delivered_on": internal("when it was delivered"),
    }

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")

    def __str__(self) -> str:
        return self.description
