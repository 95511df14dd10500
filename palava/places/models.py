"""The P-coded gazetteer: admin units, settlements and sites, population, access status."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, internal, public


class AdminUnit(BaseModel):
    """An administrative unit (admin 0 = country .. admin 3) keyed by its P-code in a mission.

    ``path`` is the materialised chain of P-codes from the country down, e.g. ``/COD/CD20/CD2001/``,
    so "inside unit X" is ``path__startswith=X.path`` (used by geographic scope everywhere).
    """

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="admin_units",
    )
    pcode = models.CharField(_("P-code"), max_length=32)
    level = models.PositiveSmallIntegerField(
        _("admin level"), validators=[MinValueValidator(0), MaxValueValidator(3)]
    )
    country = models.CharField(_("country (ISO 3166 alpha-3)"), max_length=3)
    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(_("names by language"), default=dict, blank=True)
    alt_names = models.JSONField(_("alternate names and spellings"), default=list, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=400, db_index=True)
    search_text = models.TextField(_("search text"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    source_edition = models.CharField(_("source edition"), max_length=200, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "pcode": public("the shared humanitarian place key"),
        "level": public("admin level"),
        "country": public("country"),
        "name": public("official name"),
        "names": public("names in other languages"),
        "alt_names": public("alternate spellings for search and matching"),
        "parent": public("hierarchy"),
        "path": internal("hierarchy path for scope filtering"),
        "search_text": internal("case- and accent-folded names for search"),
        "valid_from": public("edition date of the unit"),
        "retired_at": internal("units removed by a newer gazetteer edition are kept, retired"),
        "source_edition": internal("which import brought the current version"),
        "boundary": public("polygon for maps and locating"),
        "centroid_lat": public("map position"),
        "centroid_lon": public("map position"),
    }

    class Meta:
        ordering = ["path"]
        verbose_name = _("admin unit")
        verbose_name_plural = _("admin units")
        constraints = [
            models.UniqueConstraint(fields=["mission", "pcode"], name="adminunit_unique_pcode")
        ]
        indexes = [models.Index(fields=["mission", "level"], name="adminunit_mission_level")]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"


class SiteKind(models.TextChoices):
    VILLAGE = "village", _("Village")
    TOWN = "town", _("Town")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    IDP_CAMP = "idp_camp", _("IDP camp or site")
    REFUGEE_CAMP = "refugee_camp", _("Refugee camp")
    MARKET = "market", _("Market")
    BASE = "base", _("Mission base")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    OTHER = "other", _("Other")


class Site(BaseModel):
    """A settlement or site with coordinates, inside an admin unit."""

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="sites",
    )
    code = models.CharField(_("code (P-code if any)"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(_("names by language"), default=dict, blank=True)
    alt_names = models.JSONField(_("alternate names and spellings"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="sites"
    )
    search_text = models.TextField(_("search text"), blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "code": public("site key"),
        "name": public("name"),
        "names": public("names in other languages"),
        "alt_names": public("alternate spellings"),
        "kind": public("what the site is"),
        "latitude": public("map position (mission bases are classed by the mission's policy)"),
        "longitude": public("map position"),
        "admin_unit": public("where it is"),
        "search_text": internal("folded names for search"),
        "retired_at": internal("sites removed by a newer import are kept, retired"),
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [models.UniqueConstraint(fields=["mission", "code"], name="site_unique_code")]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class PopulationFigure(BaseModel):
    """COD-PS-like population: one row per unit, reference year, sex and age band."""

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="population_figures",
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        on_delete=models.CASCADE,
        related_name="population",
    )
    year = models.PositiveSmallIntegerField(_("reference year"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=16, help_text=_("e.g. 0-4, 18-59, 80+"))
    count = models.PositiveIntegerField(_("people"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "admin_unit": public("where"),
        "year": public("reference year"),
        "sex": public("disaggregation"),
        "age_band": public("disaggregation"),
        "count": public("population estimate"),
        "source": public("provenance"),
    }

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        constraints = [
            models.UniqueConstraint(
                fields=["admin_unit", "year", "sex", "age_band"], name="population_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.admin_unit_id} {self.year} {self.sex} {self.age_band}: {self.count}"


class AccessLevel(models.TextChoices):
    ACCESSIBLE = "accessible", _("Accessible")
    RESTRICTED = "restricted", _("Restricted")
    NO_GO = "no_go", _("No-go")


class AccessStatus(BaseModel):
    """Access to a unit or a site from a date on; the latest row per place is the current one."""

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="access_statuses",
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        on_delete=models.CASCADE,
        related_name="access_history",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_history",
    )
    level = models.CharField(_("access"), max_length=12, choices=AccessLevel.choices)
    effective_from = models.DateField(_("from"))
    reason = models.TextField(_("reason"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "admin_unit": internal("where (the site's unit when a site is given)"),
        "site": internal("where, when narrower than a unit"),
        "level": internal("security access status"),
        "effective_from": internal("since when"),
        "reason": internal("why (security assessment summary)"),
    }

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("access status")
        verbose_name_plural = _("access statuses")

    def __str__(self) -> str:
        return f"{self.level} from {self.effective_from}"


class MembershipScope(models.Model):
    """Limits a membership to admin units (and everything inside them).

    A membership with no scope rows sees the whole mission.
    """

    membership = models.ForeignKey(
        "missions.Membership",
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="scope_units",
    )
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.CASCADE, related_name="+"
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "membership": internal("whose scope"),
        "admin_unit": internal("area the member may see"),
    }

    class Meta:
        verbose_name = _("membership scope")
        verbose_name_plural = _("membership scopes")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "admin_unit"], name="membershipscope_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} -> {self.admin_unit_id}"
