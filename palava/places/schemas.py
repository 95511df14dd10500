"""JSON shapes for places."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from palava.places.models import AccessLevel, AccessStatus, AdminUnit, Site


class PlaceFilters(Schema):
    level: int | None = Field(None, ge=0, le=3, description="Only this admin level.")
    parent: str | None = Field(None, max_length=32, description="Only children of this P-code.")
    q: str | None = Field(None, max_length=200, description="Name search.")
    include_retired: bool = Field(False, description="Include retired units.")


class DetailOptions(Schema):
    include_boundary: bool = Field(False, description="Add the GeoJSON boundary.")


class SitesFilters(Schema):
    include_retired: bool = Field(False, description="Include retired sites.")


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description="Name or part of a name.")
    limit: int = Field(20, ge=1, le=100, description="At most this many results.")


class LocateQuery(Schema):
    lat: float = Field(..., ge=-90, le=90, description="Latitude (WGS 84).")
    lon: float = Field(..., ge=-180, le=180, description="Longitude (WGS 84).")


class PlaceOut(Schema):
    pcode: str
    name: str
    level: int = Field(..., description="Admin level: 0 (country) to 3.")
    country: str
    parent_pcode: str | None
    names: dict[str, str] = Field(..., description="Names by language code.")
    alt_names: list[str]
    valid_from: date | None
    retired: bool
    centroid_lat: float | None
    centroid_lon: float | None
    has_boundary: bool

    @staticmethod
    def resolve_parent_pcode(obj: AdminUnit) -> str | None:
        return obj.parent.pcode if obj.parent is not None else None

    @staticmethod
    def resolve_retired(obj: AdminUnit) -> bool:
        return obj.retired_at is not None

    @staticmethod
    def resolve_has_boundary(obj: AdminUnit) -> bool:
        return obj.boundary is not None


class CrumbOut(Schema):
    pcode: str
    name: str
    level: int
    visible: bool = Field(..., description="False for an ancestor outside the caller's scope.")


class AccessOut(Schema):
    level: AccessLevel
    effective_from: date
    reason: str
    site_code: str | None
    recorded_at: datetime

    @staticmethod
    def resolve_site_code(obj: AccessStatus) -> str | None:
        return obj.site.code if obj.site is not None else None

    @staticmethod
    def resolve_recorded_at(obj: AccessStatus) -> datetime:
        return obj.created_at


class PopulationOut(Schema):
    year: int
    female: int
    male: int
    total: int
    from_children: bool = Field(..., description="True when summed from the child units.")


class PlaceDetailOut(PlaceOut):
    ancestors: list[CrumbOut]
    children_count: int
    sites_count: int
    access: AccessOut | None = Field(..., description="The status in force today, if any.")
    population: PopulationOut | None = Field(..., description="The latest year, if any.")
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON, when asked for.")


class SiteOut(Schema):
    code: str
    name: str
    kind: str
    latitude: float
    longitude: float
    admin_unit_pcode: str
    names: dict[str, str]
    alt_names: list[str]
    retired: bool

    @staticmethod
    def resolve_admin_unit_pcode(obj: Site) -> str:
        return obj.admin_unit.pcode

    @staticmethod
    def resolve_retired(obj: Site) -> bool:
        return obj.retired_at is not None


class SearchHitOut(Schema):
    kind: str = Field(..., description="unit or site.")
    code: str = Field(..., description="The unit's P-code or the site's code.")
    name: str
    level: int | None = Field(..., description="Admin level of a unit; null for a site.")
    unit_pcode: str | None = Field(..., description="The unit itself, or the site's unit.")


class LocateOut(Schema):
    unit: PlaceOut | None
    method: str | None = Field(
        ..., description="polygon, polygon_and_site, nearest_site, or null when not found."
    )
    site: SiteOut | None
    distance_km: float | None


class AccessIn(Schema):
    level: AccessLevel
    effective_from: date
    reason: str = Field("", max_length=2000)
    site_code: str | None = Field(
        None, max_length=40, description="Record for this site of the unit instead."
    )


class ScopeIn(Schema):
    pcodes: list[str] = Field(
        ...,
        max_length=500,
        description="Admin units the member is limited to; an empty list: the whole mission.",
    )


class ScopeOut(Schema):
    username: str
    whole_mission: bool
    pcodes: list[str]
