"""The places a dossier covers, as the reader sees them, and Markdown escaping for their text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from palava.missions.models import Membership
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


def md_escape(text: str) -> str:
    """``text`` as literal Markdown (every punctuation that could start syntax escaped, line
    breaks folded): a title or place name can never become a link, heading or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def localised_name(place: AdminUnit | Site, language: str) -> str:
    """The place's name in ``language`` when the gazetteer has one, else its name."""
    names = place.names if isinstance(place.names, dict) else {}
    for key in (language, language.split("-")[0]):
        found = names.get(key)
        if isinstance(found, str) and found.strip():
            return found.strip()
    return place.name


@dataclass(frozen=True, slots=True)
class DossierPlace:
    """One place of the dossier: an admin unit, or a site with its unit."""

    place: AdminUnit | Site
    name: str

    @property
    def unit(self) -> AdminUnit:
        if isinstance(self.place, Site):
            return self.place.admin_unit
        return self.place

    @property
    def site(self) -> Site | None:
        return self.place if isinstance(self.place, Site) else None

    @property
    def code(self) -> str:
        return self.place.code if isinstance(self.place, Site) else self.place.pcode

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"

    def records_q(self, *, unit_field: str = "admin_unit", site_field: str | None = "site") -> Q:
        """Records at this place: for a unit, its own and everything below it; for a site, the
        site's own (or, for records without a site field, those of the site's unit)."""
        site = self.site
        if site is not None:
            if site_field is not None:
                return Q(**{f"{site_field}_id": site.pk})
            return Q(**{f"{unit_field}_id": site.admin_unit_id})
        return Q(**{f"{unit_field}__path__startswith": self.unit.path})


def resolve_places(
    membership: Membership, places: list[AdminUnit | Site], language: str
) -> list[DossierPlace]:
    """The places checked again against the reader's mission and scope (a scope may have
    changed since the dossier was asked for): one outside it raises PermissionDenied."""
    scope = scope_for(membership)
    resolved: list[DossierPlace] = []
    for place in places:
        unit = place.admin_unit if isinstance(place, Site) else place
        if place.mission_id != membership.mission_id or not scope.contains(unit):
            raise PermissionDenied("place not visible")
        resolved.append(DossierPlace(place=place, name=localised_name(place, language)))
    return resolved


def places_q(
    places: list[DossierPlace], *, unit_field: str = "admin_unit", site_field: str | None = "site"
) -> Q:
    condition = Q(pk__in=[])
    for place in places:
        condition |= place.records_q(unit_field=unit_field, site_field=site_field)
    return condition
