"""Choices shared by the engagement models: disaggregation cells and record sensitivity."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Sex of anonymous counts: the population figures' codes (``places.Sex``) plus unknown.
SEX_FEMALE = "f"
SEX_MALE = "m"


class CountSex(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    UNKNOWN = "x", _("Not recorded")


class AgeBand(models.TextChoices):
    """Age bands of anonymous attendance counts. Youth is 18-35 (``EngagementSettings``)."""

    UNDER_18 = "0-17", _("Under 18")
    YOUTH = "18-35", _("18 to 35")
    ADULT = "36-59", _("36 to 59")
    OLDER = "60+", _("60 and over")
    UNKNOWN = "unknown", _("Age not recorded")


class ParticipantGroup(models.TextChoices):
    """The population group a counted participant belongs to (one per count cell)."""

    GENERAL = "general", _("General population")
    HOST = "host", _("Host community")
    IDP = "idp", _("Internally displaced")
    REFUGEE = "refugee", _("Refugees")
    RETURNEE = "returnee", _("Returnees")
    MINORITY = "minority", _("Minority group")
    WOMENS_GROUP = "womens_group", _("Women's group")
    YOUTH_GROUP = "youth_group", _("Youth group")
    DISABILITY = "disability", _("Persons with disabilities")


class BeneficiaryAge(models.TextChoices):
    """Beneficiary age groups of projects, as the HXL attributes +children, +adults, +elderly."""

    CHILDREN = "children", _("Children (under 18)")
    ADULTS = "adults", _("Adults (18 to 59)")
    ELDERLY = "elderly", _("Elderly (60 and over)")
