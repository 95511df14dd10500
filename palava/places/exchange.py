"""Exports of places with HXL hashtags: admin units (CSV/XLSX, boundaries as GeoJSON) and sites.

Kinds registered with :mod:`palava.core.exporters`:

``places``
    Admin units (admin 1 and below, current ones), one row per unit in the OCHA gazetteer's long
    format, so the file imports back with ``palava import places``: ``#country+code``,
    ``#geo+admin_level``, ``#adm+code``, ``#adm+name``, ``#adm+code+parent``, ``#date+start``;
    then alternate names (``#adm+name+alt``, ``;``-separated), the map position
    (``#geo+lat``, ``#geo+lon``) and the unit's chain of ancestors in the wide form
    (``#adm1+code``, ``#adm1+name``, ... ``#adm3+name``; a unit is its own ``#admN`` at its
    level). As GeoJSON: one feature per unit with a boundary, properties ``pcode``, ``name``,
    ``level``, ``parent_pcode``.
``sites``
    Settlements and sites: ``#loc+code``, ``#loc+name``, ``#loc+type``, ``#geo+lat``,
    ``#geo+lon``, then ``#adm1+code`` ... ``#adm3+name`` of the unit the site lies in, and
    ``#loc+name+alt``. As GeoJSON: points.

Both list only what the reader's geographic scope covers (through the places selectors).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet

from palava.core.exporters import Cell, Column, ExportKind, Features, Table, export_kind_register
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.models import AdminUnit, Site
from palava.places.selectors import admin_units_visible, sites_visible

ANCESTOR_LEVELS = (1, 2, 3)


def ancestor_columns() -> list[Column]:
    """``Admin 1 P-code #adm1+code``, ``Admin 1 name #adm1+name`` ... down to admin 3."""
    columns: list[Column] = []
    for level in ANCESTOR_LEVELS:
        columns.append(Column(f"Admin {level} P-code", f"#adm{level}+code"))
        columns.append(Column(f"Admin {level} name", f"#adm{level}+name"))
    return columns


class Hierarchy:
    """P-code -> (level, name) of every unit of a mission, to fill ancestor columns from a path.

    Names and P-codes of ancestors are public reference data (see ``palava.places.selectors``),
    so a scoped reader's rows carry their province's code and name like anyone's.
    """

    def __init__(self, mission_id: int) -> None:
        self.units: dict[str, tuple[int, str]] = {
            pcode: (level, name)
            for pcode, level, name in AdminUnit.objects.filter(mission_id=mission_id).values_list(
                "pcode", "level", "name"
            )
        }

    def cells(self, path: str | None) -> list[Cell]:
        """``[adm1 code, adm1 name, adm2 code, ...]`` for a unit's path (empty cells above it)."""
        by_level: dict[int, tuple[str, str]] = {}
        for pcode in (path or "").strip("/").split("/"):
            found = self.units.get(pcode)
            if found is not None:
                by_level[found[0]] = (pcode, found[1])
        out: list[Cell] = []
        for level in ANCESTOR_LEVELS:
            code, name = by_level.get(level, ("", ""))
            out += [code, name]
        return out


def _join(values: Sequence[object]) -> str:
    return "; ".join(str(v) for v in values if isinstance(v, str) and v)


# --- Admin units -----------------------------------------------------------------------------

PLACES_COLUMNS: tuple[Column, ...] = (
    Column("Location", "#country+code"),
    Column("Admin Level", "#geo+admin_level"),
    Column("P-Code", "#adm+code"),
    Column("Name", "#adm+name"),
    Column("Parent P-Code", "#adm+code+parent"),
    Column("Valid from date", "#date+start"),
    Column("Alternate names", "#adm+name+alt"),
    Column("Latitude", "#geo+lat"),
    Column("Longitude", "#geo+lon"),
    *ancestor_columns(),
)


def _units(reader: Membership) -> QuerySet[AdminUnit]:
    return (
        admin_units_visible(membership=reader)
        .filter(retired_at__isnull=True, level__gte=1)
        .select_related("parent")
        .order_by("path")
    )


def places_table(reader: Membership) -> Table:
    units = _units(reader)
    hierarchy = Hierarchy(reader.mission_id)

    def rows() -> Iterator[list[Cell]]:
        for unit in units.iterator(chunk_size=1000):
            yield [
                unit.country,
                unit.level,
                unit.pcode,
                unit.name,
                unit.parent.pcode if unit.parent else "",
                unit.valid_from.isoformat() if unit.valid_from else "",
                _join(unit.alt_names or []),
                unit.centroid_lat,
                unit.centroid_lon,
                *hierarchy.cells(unit.path),
            ]

    return Table(columns=PLACES_COLUMNS, rows=rows(), total=units.count())


def places_geojson(reader: Membership) -> Features:
    units = _units(reader).filter(boundary__isnull=False)

    def features() -> Iterator[dict[str, object]]:
        for unit in units.iterator(chunk_size=200):
            yield {
                "type": "Feature",
                "properties": {
                    "pcode": unit.pcode,
                    "name": unit.name,
                    "level": unit.level,
                    "parent_pcode": unit.parent.pcode if unit.parent else None,
                },
                "geometry": unit.boundary,
            }

    return Features(features=features(), total=units.count())


# --- Sites -----------------------------------------------------------------------------------

SITES_COLUMNS: tuple[Column, ...] = (
    Column("Code", "#loc+code"),
    Column("Name", "#loc+name"),
    Column("Kind", "#loc+type"),
    Column("Latitude", "#geo+lat"),
    Column("Longitude", "#geo+lon"),
    *ancestor_columns(),
    Column("Alternate names", "#loc+name+alt"),
)


def _sites(reader: Membership) -> QuerySet[Site]:
    return (
        sites_visible(membership=reader)
        .filter(retired_at__isnull=True)
        .select_related("admin_unit")
        .order_by("admin_unit__path", "code")
    )


def sites_table(reader: Membership) -> Table:
    sites = _sites(reader)
    hierarchy = Hierarchy(reader.mission_id)

    def rows() -> Iterator[list[Cell]]:
        for site in sites.iterator(chunk_size=1000):
            yield [
                site.code,
                site.name,
                site.kind,
                site.latitude,
                site.longitude,
                *hierarchy.cells(site.admin_unit.path),
                _join(site.alt_names or []),
            ]

    return Table(columns=SITES_COLUMNS, rows=rows(), total=sites.count())


def sites_geojson(reader: Membership) -> Features:
    sites = _sites(reader)

    def features() -> Iterator[dict[str, object]]:
        for site in sites.iterator(chunk_size=1000):
            yield {
                "type": "Feature",
                "properties": {
                    "code": site.code,
                    "name": site.name,
                    "kind": site.kind,
                    "admin_pcode": site.admin_unit.pcode,
                },
                "geometry": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
            }

    return Features(features=features(), total=sites.count())


export_kind_register(
    ExportKind(
        name="places",
        help="admin units (gazetteer long format with HXL; boundaries as GeoJSON)",
        perm=Perm.PLACE_VIEW,
        table=places_table,
        geojson=places_geojson,
    )
)
export_kind_register(
    ExportKind(
        name="sites",
        help="settlements and sites with coordinates and their admin units",
        perm=Perm.PLACE_VIEW,
        table=sites_table,
        geojson=sites_geojson,
    )
)
