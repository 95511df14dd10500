"""Read-only admin views of the gazetteer; writes go through the services (audited)."""

from __future__ import annotations

from django.contrib import admin

from palava.missions.admin import ReadOnlyAdmin
from palava.places.models import AccessStatus, AdminUnit, PopulationFigure, Site

_HISTORY = ("public_id", "created_at", "updated_at", "created_by", "updated_by")


@admin.register(AdminUnit)
class AdminUnitAdmin(ReadOnlyAdmin[AdminUnit]):
    list_display = ("pcode", "name", "level", "mission", "retired_at")
    list_filter = ("mission", "level")
    search_fields = ("pcode", "search_text")
    exclude = ("boundary",)  # large geometries: see the place pages' maps
    readonly_fields = _HISTORY
    list_select_related = ("mission",)


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin[Site]):
    list_display = ("code", "name", "kind", "admin_unit", "mission", "retired_at")
    list_filter = ("mission", "kind")
    search_fields = ("code", "search_text")
    readonly_fields = _HISTORY
    list_select_related = ("mission", "admin_unit")


@admin.register(AccessStatus)
class AccessStatusAdmin(ReadOnlyAdmin[AccessStatus]):
    list_display = ("admin_unit", "site", "level", "effective_from", "mission")
    list_filter = ("mission", "level")
    readonly_fields = _HISTORY
    list_select_related = ("mission", "admin_unit", "site")


@admin.register(PopulationFigure)
class PopulationFigureAdmin(ReadOnlyAdmin[PopulationFigure]):
    list_display = ("admin_unit", "year", "sex", "age_band", "count", "mission")
    list_filter = ("mission", "year", "sex")
    readonly_fields = _HISTORY
    list_select_related = ("mission", "admin_unit")
