"""Locating a coordinate: which admin unit is it in, which site is nearest.

* :func:`locate_admin_unit` tests the point against the units' GeoJSON boundaries with a shapely
  2 ``STRtree`` and returns the **deepest** unit that covers it. A point exactly on a boundary
  counts as inside (``covers``, not ``contains``): GPS readings on a river or a road that forms
  a border must still land somewhere. Where two units of the same level share that border, the
  one whose interior holds the point wins, then the smaller P-code, so answers are stable. A
  point in a polygon's hole is not inside it.
* :func:`nearest_site` finds the nearest current site by great-circle (haversine) distance.
* :func:`locate` combines them: the polygon answer, refined by the nearest site when the area has
  no deeper polygons; without any polygon, the admin unit of the nearest site within ``max_km``.

The indexes are built once per mission and process and rebuilt when the data changes (a version
key of row counts and the latest ``updated_at``; writers that bypass ``save()`` must set
``updated_at`` or call :func:`locate_cache_clear`).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import shapely
from django.db.models import Count, Max, Q
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from palava.missions.models import Mission
from palava.places.models import AdminUnit, Site

logger = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
DEFAULT_MAX_KM = 50.0
"""How far :func:`locate` looks for a site when no polygon decides."""


def check_coordinates(lat: float, lon: float) -> None:
    """Refuse coordinates that are not on the globe (ValueError)."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("coordinates must be finite numbers")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError("latitude must be within -90..90 and longitude within -180..180")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# --- Polygons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """One boundary in the index."""

    unit_id: int
    level: int
    pcode: str
    geometry: BaseGeometry


def geometry_from_geojson(data: Any) -> BaseGeometry | None:
    """A valid shapely geometry from a GeoJSON geometry (or Feature), or None if unusable."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict):
        return None
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError):
        return None
    if geometry.is_empty:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if geometry.is_empty or geometry.area <= 0:
        return None
    return geometry


class AreaIndex:
    """Point-in-polygon over many areas (pure: no database), the deepest covering area first."""

    def __init__(self, areas: Sequence[Area]) -> None:
        self.areas = list(areas)
        self._tree = shapely.STRtree([a.geometry for a in self.areas])
        for area in self.areas:
            shapely.prepare(area.geometry)

    def __len__(self) -> int:
        return len(self.areas)

    def covering(self, *, lat: float, lon: float) -> list[Area]:
        """Every area that covers the point, deepest first, then interior before border, then
        by P-code."""
        point = Point(lon, lat)
        hits = [self.areas[int(i)] for i in self._tree.query(point, predicate="covered_by")]
        return sorted(
            hits,
            key=lambda a: (-a.level, not a.geometry.contains_properly(point), a.pcode),
        )

    def find(self, *, lat: float, lon: float, level: int | None = None) -> Area | None:
        for area in self.covering(lat=lat, lon=lon):
            if level is None or area.level == level:
                return area
        return None


@dataclass
class _Cached:
    version: tuple[Any, ...]
    value: Any


_cache: dict[tuple[str, int], _Cached] = {}
_lock = threading.Lock()


def locate_cache_clear() -> None:
    """Forget every index (after writes that bypass ``save()``, and in tests)."""
    with _lock:
        _cache.clear()


def _cached(key: tuple[str, int], version: tuple[Any, ...], build: Any) -> Any:
    with _lock:
        entry = _cache.get(key)
        if entry is not None and entry.version == version:
            return entry.value
    value = build()
    with _lock:
        _cache[key] = _Cached(version=version, value=value)
    return value


def _units_version(mission: Mission) -> tuple[Any, ...]:
    stats = AdminUnit.objects.filter(mission=mission).aggregate(
        n=Count("id"), shaped=Count("id", filter=Q(boundary__isnull=False)), last=Max("updated_at")
    )
    return (stats["n"], stats["shaped"], stats["last"])


def _build_area_index(mission: Mission) -> AreaIndex:
    areas: list[Area] = []
    rows = AdminUnit.objects.filter(
        mission=mission, retired_at__isnull=True, boundary__isnull=False
    ).values_list("id", "level", "pcode", "boundary")
    for unit_id, level, pcode, boundary in rows.iterator(chunk_size=500):
        geometry = geometry_from_geojson(boundary)
        if geometry is None:
            logger.warning("unusable boundary skipped for unit %s", pcode)
            continue
        areas.append(Area(unit_id=unit_id, level=level, pcode=pcode, geometry=geometry))
    return AreaIndex(areas)


def area_index(mission: Mission) -> AreaIndex:
    """The mission's polygon index (cached; rebuilt when units change)."""
    return _cached(  # type: ignore[no-any-return]
        ("areas", mission.pk), _units_version(mission), lambda: _build_area_index(mission)
    )


def locate_admin_unit(
    *, mission: Mission, lat: float, lon: float, level: int | None = None
) -> AdminUnit | None:
    """The deepest current unit whose boundary covers the point, or None.

    With ``level``, the unit of that level: its own polygon if it has one, else the ancestor at
    that level of the deepest unit found.
    """
    check_coordinates(lat, lon)
    index = area_index(mission)
    covering = index.covering(lat=lat, lon=lon)
    if not covering:
        return None
    if level is not None:
        exact = next((a for a in covering if a.level == level), None)
        if exact is None:
            deepest = AdminUnit.objects.get(pk=covering[0].unit_id)
            return (
                AdminUnit.objects.filter(
                    mission=mission, level=level, pcode__in=deepest.path.strip("/").split("/")
                )
                .select_related("parent")
                .first()
            )
        return AdminUnit.objects.select_related("parent").filter(pk=exact.unit_id).first()
    return AdminUnit.objects.select_related("parent").filter(pk=covering[0].unit_id).first()


# --- Nearest site ----------------------------------------------------------------------------


class SiteIndex:
    """Nearest point by haversine over many points (pure: no database)."""

    def __init__(self, ids: Sequence[int], lats: Sequence[float], lons: Sequence[float]) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self._lat = np.radians(np.asarray(lats, dtype=np.float64))
        self._lon = np.radians(np.asarray(lons, dtype=np.float64))
        self._cos_lat = np.cos(self._lat)

    def __len__(self) -> int:
        return int(self.ids.size)

    def distances_km(self, *, lat: float, lon: float) -> Any:
        p, lam = math.radians(lat), math.radians(lon)
        a = (
            np.sin((self._lat - p) / 2) ** 2
            + math.cos(p) * self._cos_lat * np.sin((self._lon - lam) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

    def nearest(
        self, *, lat: float, lon: float, mask: Any = None, max_km: float | None = None
    ) -> tuple[int, float] | None:
        """(id, km) of the nearest point (the first on a tie), among ``mask`` if given."""
        if not len(self):
            return None
        distances = self.distances_km(lat=lat, lon=lon)
        if mask is not None:
            distances = np.where(mask, distances, np.inf)
        best = int(np.argmin(distances))
        km = float(distances[best])
        if not math.isfinite(km) or (max_km is not None and km > max_km):
            return None
        return int(self.ids[best]), km


@dataclass(frozen=True)
class _SiteData:
    index: SiteIndex
    unit_paths: Any  # numpy array of str: each site's admin unit path
    shaped_level: Any  # numpy array of int: deepest level with a polygon on that path, or -1


def _sites_version(mission: Mission) -> tuple[Any, ...]:
    stats = Site.objects.filter(mission=mission).aggregate(n=Count("id"), last=Max("updated_at"))
    return (stats["n"], stats["last"], *_units_version(mission))


def _build_site_data(mission: Mission) -> _SiteData:
    rows = list(
        Site.objects.filter(mission=mission, retired_at__isnull=True)
        .order_by("code")
        .values_list("id", "latitude", "longitude", "admin_unit__path")
    )
    shaped = dict(
        AdminUnit.objects.filter(
            mission=mission, retired_at__isnull=True, boundary__isnull=False
        ).values_list("pcode", "level")
    )

    def deepest_shaped(path: str) -> int:
        return max((shaped.get(code, -1) for code in path.strip("/").split("/")), default=-1)

    return _SiteData(
        index=SiteIndex([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]),
        unit_paths=np.asarray([r[3] for r in rows], dtype=object),
        shaped_level=np.asarray([deepest_shaped(r[3]) for r in rows], dtype=np.int64),
    )


def _site_data(mission: Mission) -> _SiteData:
    return _cached(  # type: ignore[no-any-return]
        ("sites", mission.pk), _sites_version(mission), lambda: _build_site_data(mission)
    )


@dataclass(frozen=True)
class NearestSite:
    site: Site
    distance_km: float


def _nearest(
    *,
    mission: Mission,
    lat: float,
    lon: float,
    max_km: float | None,
    within: AdminUnit | None,
    unshaped_below: bool = False,
) -> NearestSite | None:
    check_coordinates(lat, lon)
    data = _site_data(mission)
    mask = None
    if within is not None:
        mask = np.fromiter(
            (path.startswith(within.path) for path in data.unit_paths),
            dtype=bool,
            count=len(data.unit_paths),
        )
        if unshaped_below:
            mask &= data.shaped_level <= within.level
    found = data.index.nearest(lat=lat, lon=lon, mask=mask, max_km=max_km)
    if found is None:
        return None
    site_id, km = found
    site = Site.objects.select_related("admin_unit").filter(pk=site_id).first()
    if site is None:  # pragma: no cover - deleted between the version check and now
        return None
    return NearestSite(site=site, distance_km=km)


def nearest_site(
    *,
    mission: Mission,
    lat: float,
    lon: float,
    max_km: float | None = None,
    within: AdminUnit | None = None,
) -> NearestSite | None:
    """The nearest current site (within ``max_km`` and inside ``within`` when given), or None.

    On equal distances the site with the smaller code wins.
    """
    return _nearest(mission=mission, lat=lat, lon=lon, max_km=max_km, within=within)


# --- Both ------------------------------------------------------------------------------------

Method = Literal["polygon", "polygon_and_site", "nearest_site"]


@dataclass(frozen=True)
class Located:
    unit: AdminUnit
    method: Method
    site: Site | None = None
    distance_km: float | None = None


def locate(
    *, mission: Mission, lat: float, lon: float, max_km: float = DEFAULT_MAX_KM
) -> Located | None:
    """The admin unit of a coordinate, or None when nothing decides.

    1. The deepest unit whose polygon covers the point.
    2. If the nearest site within ``max_km`` inside that unit lies in a deeper unit that has
       no polygon (nor any unit between), that deeper unit ("polygon_and_site").
    3. Without a covering polygon, the unit of the nearest site within ``max_km``.
    """
    unit = locate_admin_unit(mission=mission, lat=lat, lon=lon)
    if unit is not None:
        # Only sites whose units have no polygon below ``unit``: a deeper polygon would have
        # covered the point had it been inside.
        near = _nearest(
            mission=mission, lat=lat, lon=lon, max_km=max_km, within=unit, unshaped_below=True
        )
        if near is not None and near.site.admin_unit.level > unit.level:
            return Located(
                unit=near.site.admin_unit,
                method="polygon_and_site",
                site=near.site,
                distance_km=near.distance_km,
            )
        return Located(unit=unit, method="polygon")
    near = nearest_site(mission=mission, lat=lat, lon=lon, max_km=max_km)
    if near is None:
        return None
    return Located(
        unit=near.site.admin_unit,
        method="nearest_site",
        site=near.site,
        distance_km=near.distance_km,
    )


def locate_many(
    *, mission: Mission, points: Sequence[tuple[float, float]], max_km: float = DEFAULT_MAX_KM
) -> list[Located | None]:
    """:func:`locate` for many ``(lat, lon)`` points at once, with the same answers.

    The indexes' version is checked once and the units and sites found are read in two
    queries, so locating a batch costs a handful of queries whatever its size (message
    triage). A point off the globe gives None instead of raising.
    """
    if not points:
        return []
    index = area_index(mission)
    data = _site_data(mission)
    deepest: list[int | None] = []
    valid: list[bool] = []
    for lat, lon in points:
        try:
            check_coordinates(lat, lon)
        except ValueError:
            deepest.append(None)
            valid.append(False)
            continue
        valid.append(True)
        covering = index.covering(lat=lat, lon=lon)
        deepest.append(covering[0].unit_id if covering else None)
    units = {
        u.pk: u
        for u in AdminUnit.objects.select_related("parent").filter(
            pk__in={u for u in deepest if u is not None}
        )
    }
    masks: dict[int, Any] = {}
    nearest: list[tuple[int, float] | None] = []
    for (lat, lon), unit_id, ok in zip(points, deepest, valid, strict=True):
        unit = units.get(unit_id) if unit_id is not None else None
        if not ok or (unit_id is not None and unit is None):  # off the globe, or deleted
            nearest.append(None)
            continue
        mask = None
        if unit is not None:
            mask = masks.get(unit.pk)
            if mask is None:
                mask = np.fromiter(
                    (path.startswith(unit.path) for path in data.unit_paths),
                    dtype=bool,
                    count=len(data.unit_paths),
                ) & (data.shaped_level <= unit.level)
                masks[unit.pk] = mask
        nearest.append(data.index.nearest(lat=lat, lon=lon, mask=mask, max_km=max_km))
    sites = {
        s.pk: s
        for s in Site.objects.select_related("admin_unit", "admin_unit__parent").filter(
            pk__in={n[0] for n in nearest if n is not None}
        )
    }
    out: list[Located | None] = []
    for unit_id, near in zip(deepest, nearest, strict=True):
        unit = units.get(unit_id) if unit_id is not None else None
        site = sites.get(near[0]) if near is not None else None
        if unit is not None:
            if site is not None and near is not None and site.admin_unit.level > unit.level:
                out.append(
                    Located(
                        unit=site.admin_unit,
                        method="polygon_and_site",
                        site=site,
                        distance_km=near[1],
                    )
                )
            else:
                out.append(Located(unit=unit, method="polygon"))
        elif site is not None and near is not None:
            out.append(
                Located(unit=site.admin_unit, method="nearest_site", site=site, distance_km=near[1])
            )
        else:
            out.append(None)
    return out
