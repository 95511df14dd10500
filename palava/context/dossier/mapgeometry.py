"""Geometry of the dossier map (no drawing): reading GeoJSON-like features with hostile
coordinates, the fitted equirectangular projection, and ring arithmetic. Drawing is in
:mod:`palava.context.dossier.svgmap`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from palava.context.dossier.content import MapFeature, valid_lon_lat

WIDTH: Final = 720.0
MARGIN: Final = 28.0
MIN_HEIGHT: Final = 320.0
MAX_HEIGHT: Final = 600.0
MIN_SPAN_DEG: Final = 0.02  # about 2 km: the smallest extent a map shows
KM_PER_DEGREE: Final = 111.32

Point = tuple[float, float]
Ring = list[Point]


@dataclass
class MapShape:
    feature: MapFeature
    rings: list[Ring] = field(default_factory=list)  # polygons: rings in lon/lat
    points: list[Point] = field(default_factory=list)  # points in lon/lat

    @property
    def is_area(self) -> bool:
        return bool(self.rings)


# --- reading geometries -------------------------------------------------------------------------


def lon_lat(value: object) -> Point | None:
    if not isinstance(value, list | tuple) or len(value) < 2:
        return None
    lon, lat = value[0], value[1]
    if not valid_lon_lat(lon, lat):
        return None
    return float(lon), float(lat)


def _ring(value: object) -> Ring | None:
    if not isinstance(value, list | tuple):
        return None
    ring = [p for p in (lon_lat(v) for v in value) if p is not None]
    return ring if len(ring) >= 3 else None


def _polygon_rings(value: object) -> list[Ring]:
    if not isinstance(value, list | tuple):
        return []
    return [r for r in (_ring(v) for v in value) if r is not None]


def read_shape(feature: MapFeature) -> MapShape | None:
    geometry: Mapping[str, Any] = feature.geometry if isinstance(feature.geometry, Mapping) else {}
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    shape = MapShape(feature)
    if kind == "Point":
        point = lon_lat(coords)
        shape.points = [point] if point else []
    elif kind == "MultiPoint" and isinstance(coords, list | tuple):
        shape.points = [p for p in (lon_lat(c) for c in coords) if p is not None]
    elif kind == "Polygon":
        shape.rings = _polygon_rings(coords)
    elif kind == "MultiPolygon" and isinstance(coords, list | tuple):
        shape.rings = [r for polygon in coords for r in _polygon_rings(polygon)]
    if not shape.points and not shape.rings:
        return None
    return shape


# --- projection -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapProjection:
    lon_min: float
    lat_max: float
    k: float  # cos(latitude) correction
    scale: float  # pixels per degree of latitude
    x0: float
    y0: float
    height: float  # of the map area

    def __call__(self, lon: float, lat: float) -> Point:
        return (
            self.x0 + (lon - self.lon_min) * self.k * self.scale,
            self.y0 + (self.lat_max - lat) * self.scale,
        )

    @property
    def px_per_km(self) -> float:
        return self.scale / KM_PER_DEGREE


def fit_projection(coords: Iterable[Point]) -> MapProjection:
    lons: list[float] = []
    lats: list[float] = []
    for lon, lat in coords:
        lons.append(lon)
        lats.append(lat)
    lon_min, lon_max, lat_min, lat_max = min(lons), max(lons), min(lats), max(lats)
    if lat_max - lat_min < MIN_SPAN_DEG:
        mid = (lat_max + lat_min) / 2
        lat_min, lat_max = max(mid - MIN_SPAN_DEG / 2, -90.0), min(mid + MIN_SPAN_DEG / 2, 90.0)
    k = max(math.cos(math.radians((lat_min + lat_max) / 2)), 0.05)
    if (lon_max - lon_min) * k < MIN_SPAN_DEG:
        mid = (lon_max + lon_min) / 2
        half = MIN_SPAN_DEG / k / 2
        lon_min, lon_max = mid - half, mid + half
    span_x = (lon_max - lon_min) * k
    span_y = lat_max - lat_min
    inner_w = WIDTH - 2 * MARGIN
    scale = min(inner_w / span_x, (MAX_HEIGHT - 2 * MARGIN) / span_y)
    height = max(span_y * scale + 2 * MARGIN, MIN_HEIGHT)
    x0 = MARGIN + (inner_w - span_x * scale) / 2
    y0 = (height - span_y * scale) / 2
    return MapProjection(lon_min, lat_max, k, scale, x0, y0, height)


def thin_ring(ring: Sequence[Point], tolerance: float) -> Ring:
    """Drop vertices closer than ``tolerance`` pixels to the previous kept one."""
    kept: Ring = [ring[0]]
    t2 = tolerance * tolerance
    for x, y in ring[1:]:
        px, py = kept[-1]
        if (x - px) ** 2 + (y - py) ** 2 >= t2:
            kept.append((x, y))
    return kept


def ring_area(ring: Sequence[Point]) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def ring_centroid(ring: Sequence[Point]) -> Point:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
