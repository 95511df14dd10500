"""What a briefing dossier says, independent of where it came from and how it is drawn.

The data-gathering side (selectors filtered by mission, scope and the reader's clearance) builds a
:class:`DossierContent`; :mod:`palava.context.dossier.render` turns it into one self-contained HTML
file and a PDF. Everything here is plain, immutable data: text is *text* (escaped when drawn),
except :class:`Paragraph`, whose Markdown goes through :func:`palava.core.markdown.render_markdown`
(raw HTML shown as text, unsafe links dropped).

The map is given as GeoJSON-shaped features in longitude/latitude (WGS 84): polygons of admin
units and points of sites, each with a label and a :class:`MapCategory`, plus an ordered route
(the stops of a journey) when the dossier is for a route.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from django.utils import translation

__all__ = [
    "Block",
    "BulletList",
    "DossierContent",
    "EventList",
    "KeyValueTable",
    "MapBlock",
    "MapCategory",
    "MapData",
    "MapFeature",
    "Paragraph",
    "RouteStop",
    "Section",
    "Table",
    "UpcomingEvent",
]

Direction = Literal["ltr", "rtl"]


class MapCategory(StrEnum):
    """How a map feature is drawn (fill colour and legend entry)."""

    ADMIN_UNIT = "admin_unit"  # a boundary for orientation, no access judgement
    ACCESSIBLE = "accessible"
    RESTRICTED = "restricted"
    NO_GO = "no_go"
    UNKNOWN = "unknown"  # access status not known
    SITE = "site"  # a settlement, base or other place without an access judgement
    ROUTE_STOP = "route_stop"


@dataclass(frozen=True, slots=True)
class MapFeature:
    """One GeoJSON geometry (``Point``, ``MultiPoint``, ``Polygon`` or ``MultiPolygon``; other
    types are ignored when drawn) with its label and category."""

    geometry: Mapping[str, Any]
    label: str
    category: MapCategory = MapCategory.SITE

    @classmethod
    def from_geojson(cls, feature: Mapping[str, Any]) -> MapFeature:
        """A feature from a GeoJSON ``Feature`` whose properties carry ``label`` and
        ``category``; an unknown or missing category becomes ``unknown``."""
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        try:
            category = MapCategory(str(props.get("category", MapCategory.UNKNOWN)))
        except ValueError:
            category = MapCategory.UNKNOWN
        return cls(
            geometry=geometry if isinstance(geometry, Mapping) else {},
            label=str(props.get("label") or ""),
            category=category,
        )


@dataclass(frozen=True, slots=True)
class RouteStop:
    """A stop of a route, in travel order; ``lon``/``lat`` in degrees."""

    lon: float
    lat: float
    label: str

    @property
    def is_valid(self) -> bool:
        return valid_lon_lat(self.lon, self.lat)


@dataclass(frozen=True, slots=True)
class MapData:
    features: Sequence[MapFeature] = ()
    route: Sequence[RouteStop] = ()

    @classmethod
    def from_geojson(
        cls, collection: Mapping[str, Any], route: Sequence[RouteStop] = ()
    ) -> MapData:
        """Map data from a GeoJSON ``FeatureCollection`` (see :meth:`MapFeature.from_geojson`)."""
        features = collection.get("features") or []
        return cls(
            features=tuple(MapFeature.from_geojson(f) for f in features if isinstance(f, Mapping)),
            route=tuple(route),
        )

    @property
    def is_empty(self) -> bool:
        return not self.features and not self.route


def valid_lon_lat(lon: object, lat: object) -> bool:
    """Whether ``lon``/``lat`` are finite numbers within [-180, 180] and [-90, 90]."""
    if isinstance(lon, bool) or isinstance(lat, bool):
        return False
    if not isinstance(lon, int | float) or not isinstance(lat, int | float):
        return False
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


# --- blocks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Safe Markdown (CommonMark, tables; raw HTML is shown as text)."""

    kind: ClassVar[str] = "paragraph"
    markdown: str


@dataclass(frozen=True, slots=True)
class KeyValueTable:
    """Label/value pairs, e.g. an actor's visible fields."""

    kind: ClassVar[str] = "key_value"
    rows: Sequence[tuple[str, str]]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row; short rows are padded, long rows cut to the headers."""

    kind: ClassVar[str] = "table"
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""

    @property
    def normalised_rows(self) -> list[list[str]]:
        width = len(self.headers)
        return [[*list(row)[:width], *[""] * (width - len(row))] for row in self.rows]


@dataclass(frozen=True, slots=True)
class BulletList:
    kind: ClassVar[str] = "bullets"
    items: Sequence[str]


@dataclass(frozen=True, slots=True)
class UpcomingEvent:
    """A calendar event: a day or an inclusive span, with where and a short note."""

    start: date
    title: str
    end: date | None = None
    place: str = ""
    note: str = ""

    @property
    def is_span(self) -> bool:
        return self.end is not None and self.end != self.start


@dataclass(frozen=True, slots=True)
class EventList:
    kind: ClassVar[str] = "events"
    events: Sequence[UpcomingEvent]


@dataclass(frozen=True, slots=True)
class MapBlock:
    """The map (an inline SVG) with, for a route, the numbered list of stops under it."""

    kind: ClassVar[str] = "map"
    map: MapData
    caption: str = ""


Block = Paragraph | KeyValueTable | Table | BulletList | EventList | MapBlock


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: Sequence[Block] = ()


@dataclass(frozen=True, slots=True)
class DossierContent:
    """A whole dossier. ``language`` is the reader's (``en``, ``fr``, ``ar``); ``direction``
    defaults to the language's (Arabic right-to-left). ``classification`` is the line printed at
    the top and bottom of every page (e.g. "Internal"); ``reader`` names who it was made for."""

    title: str
    language: str
    generated_at: datetime
    reader: str
    sections: Sequence[Section] = ()
    classification: str = ""
    subtitle: str = ""
    direction: Direction | None = None

    @property
    def text_direction(self) -> Direction:
        if self.direction is not None:
            return self.direction
        try:
            bidi = bool(translation.get_language_info(self.language)["bidi"])
        except KeyError:
            bidi = False
        return "rtl" if bidi else "ltr"
