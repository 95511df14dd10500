"""The dossier map as one inline SVG: no tiles, no fonts, no scripts, nothing fetched.

Projection: equirectangular with a cos(latitude) correction at the middle latitude of the
features' bounds (good enough at the scale of a district or a route), fitted into the view with
margins; north is up and the map is never mirrored, also in right-to-left dossiers (only the
legend follows the page's direction). Shapes are styled with presentation attributes only, so a
browser and WeasyPrint draw the same picture. Words (labels, legend, scale, the north letter) are
HTML laid over the SVG at percentage positions, not SVG ``<text>``: WeasyPrint draws SVG text
letter by letter, without Arabic shaping or right-to-left ordering, while HTML text is shaped
properly by both. Only the route stop numbers (ASCII digits) are SVG text.

Hostile input is expected: coordinates that are not finite or out of range are ignored (a ring
keeps its valid vertices; a feature with nothing valid left is counted and left out), rings are
thinned to vertices at least a fraction of a pixel apart (more when the vertex budget is
exceeded), more than :data:`MAX_FEATURES` features are capped by priority (no-go first) with a
note, labels are shortened to fit and dropped when they would overlap, and every label is
escaped.

Reading geometries and the projection are in :mod:`.mapgeometry`, label placement and text
direction in :mod:`.maplabels`; this module draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from palava.context.dossier.content import MapCategory, MapData
from palava.context.dossier.mapgeometry import (
    MARGIN,
    WIDTH,
    MapProjection,
    MapShape,
    Point,
    Ring,
    fit_projection,
    read_shape,
    ring_area,
    ring_centroid,
    thin_ring,
)
from palava.context.dossier.maplabels import (
    CHAR_WIDTH,
    LABEL_FONT,
    LabelPlacer,
    overlay,
    shorten,
    text_direction,
)
from palava.context.dossier.maplabels import (
    svg_num as _f,
)

__all__ = [
    "MARGIN",
    "MAX_FEATURES",
    "WIDTH",
    "MapSvg",
    "category_label",
    "map_svg",
    "text_direction",
]

MAX_LABEL_CHARS: Final = 32
MAX_TITLE_CHARS: Final = 200
MAX_FEATURES: Final = 1500
MAX_VERTICES: Final = 30_000
MAX_ROUTE_STOPS: Final = 150
FONT_FAMILY: Final = "DejaVu Sans, Noto Sans, Arial, sans-serif"
LEGEND_ROW: Final = 20.0
POINT_RADIUS: Final = 4.5
STOP_RADIUS: Final = 8.0
ROUTE_COLOUR: Final = "#6a1b9a"

# fill, stroke, drawing priority when capping (lower is kept first)
STYLE: Final[dict[MapCategory, tuple[str, str, int]]] = {
    MapCategory.NO_GO: ("#f2a7a7", "#b71c1c", 0),
    MapCategory.RESTRICTED: ("#ffd98a", "#a15c00", 1),
    MapCategory.ACCESSIBLE: ("#bfe3c0", "#2e7d32", 2),
    MapCategory.UNKNOWN: ("#dddddd", "#6d6d6d", 3),
    MapCategory.ROUTE_STOP: (ROUTE_COLOUR, "#ffffff", 4),
    MapCategory.SITE: ("#1f4e79", "#ffffff", 5),
    MapCategory.ADMIN_UNIT: ("#f1f3f6", "#7c8799", 6),
}


def category_label(category: MapCategory) -> str:
    """The legend text of a category, in the active language."""
    labels = {
        MapCategory.ADMIN_UNIT: _("Administrative area"),
        MapCategory.ACCESSIBLE: _("Accessible"),
        MapCategory.RESTRICTED: _("Restricted access"),
        MapCategory.NO_GO: _("No-go"),
        MapCategory.UNKNOWN: _("Access unknown"),
        MapCategory.SITE: _("Site"),
        MapCategory.ROUTE_STOP: _("Route stop"),
    }
    return labels[category]


@dataclass(frozen=True, slots=True)
class MapSvg:
    """The drawn map: ``html`` (the SVG with its labels and legend) is safe to put in a page;
    ``notes`` say what was left out; ``stops`` are the route stops drawn, as (number on the
    map, label); ``areas`` and ``points`` count the shapes drawn."""

    html: SafeString
    notes: tuple[str, ...] = ()
    stops: tuple[tuple[int, str], ...] = ()
    areas: int = 0
    points: int = 0
    empty: bool = False


# --- helpers ----------------------------------------------------------------------------------


def _circle_path(x: float, y: float, r: float) -> str:
    return (
        f"M{_f(x - r)} {_f(y)}a{_f(r)} {_f(r)} 0 1 0 {_f(2 * r)} 0"
        f"a{_f(r)} {_f(r)} 0 1 0 {_f(-2 * r)} 0Z"
    )


def _nice_km(target: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``target``."""
    if target <= 0 or not math.isfinite(target):
        return 0.0
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


def _km_text(km: float) -> str:
    number = f"{km:g}" if km >= 1 else f"{km:.2f}".rstrip("0").rstrip(".")
    return _("%(distance)s km") % {"distance": number}


# --- drawing ----------------------------------------------------------------------------------


def _svg_open(height: float, title: str) -> str:
    return (
        f'<svg class="pv-map-svg" role="img"'
        f' viewBox="0 0 {_f(WIDTH)} {_f(height)}" width="{_f(WIDTH)}" height="{_f(height)}"'
        f' preserveAspectRatio="xMidYMid meet" font-family="{FONT_FAMILY}">'
        f"<title>{escape(title)}</title>"
    )


def _placeholder(notes: tuple[str, ...]) -> MapSvg:
    html = f'<div class="pv-map pv-map-empty" role="img">{escape(_("No map data"))}</div>'
    return MapSvg(html=mark_safe(html), notes=notes, empty=True)  # noqa: S308 (escaped)


def _cap(shapes: list[MapShape]) -> list[MapShape]:
    if len(shapes) <= MAX_FEATURES:
        return shapes
    order = sorted(range(len(shapes)), key=lambda i: (STYLE[shapes[i].feature.category][2], i))
    keep = sorted(order[:MAX_FEATURES])
    return [shapes[i] for i in keep]


def _project_areas(
    shapes: Sequence[MapShape], project: MapProjection
) -> tuple[list[tuple[MapShape, list[Ring]]], bool]:
    """Rings in pixels, thinned until the vertex budget holds; whether it had to thin harder."""
    projected = [(s, [[project(lon, lat) for lon, lat in r] for r in s.rings]) for s in shapes]
    tolerance, harder = 0.6, False
    while True:
        result: list[tuple[MapShape, list[Ring]]] = []
        vertices = 0
        for shape, rings in projected:
            thinned = [t for t in (thin_ring(r, tolerance) for r in rings) if len(t) >= 3]
            vertices += sum(len(t) for t in thinned)
            if thinned:
                result.append((shape, thinned))
        if vertices <= MAX_VERTICES or tolerance > 64:
            return result, harder
        tolerance, harder = tolerance * 2, True


def _swatch(category: MapCategory | None) -> str:
    """A small SVG key for the legend (``None``: the route line)."""
    if category is None:
        shape = f'<line x1="0" y1="5" x2="14" y2="5" stroke="{ROUTE_COLOUR}" stroke-width="3"/>'
    elif category in (MapCategory.SITE, MapCategory.ROUTE_STOP):
        fill = STYLE[category][0]
        shape = f'<circle cx="7" cy="5" r="4.5" fill="{fill}" stroke="#333333"/>'
    else:
        fill, stroke, _priority = STYLE[category]
        dash = ' stroke-dasharray="3 2"' if category == MapCategory.RESTRICTED else ""
        shape = (
            f'<rect x="0.5" y="0.5" width="13" height="9" fill="{fill}" stroke="{stroke}"{dash}/>'
        )
    return (
        '<svg class="pv-swatch" width="14" height="10"'
        f' viewBox="0 0 14 10" aria-hidden="true">{shape}</svg>'
    )


def _legend(categories: Sequence[MapCategory], has_route: bool) -> str:
    entries: list[tuple[MapCategory | None, str]] = [(c, category_label(c)) for c in categories]
    if has_route:
        entries.append((None, _("Route")))
    items = "".join(
        f"<li>{_swatch(category)}<span>{escape(label)}</span></li>" for category, label in entries
    )
    return f'<ul class="pv-legend" aria-label="{escape(_("Legend"))}">{items}</ul>'


def _scale_and_north(project: MapProjection, height: float) -> tuple[list[str], list[str]]:
    """SVG shapes and HTML overlays of the scale bar (bottom left) and north arrow (top right)."""
    shapes: list[str] = []
    texts: list[str] = []
    km = _nice_km((WIDTH - 2 * MARGIN) / 5 / project.px_per_km)
    if km > 0:
        length = km * project.px_per_km
        y = height - 10
        shapes.append(
            f'<rect class="pv-scale" x="{_f(MARGIN)}" y="{_f(y - 4)}" width="{_f(length)}"'
            ' height="4" fill="#333333"/>'
        )
        texts.append(
            overlay(
                _km_text(km), MARGIN + length / 2, y - 13, "middle", WIDTH, height, kind="scale"
            )
        )
    nx = WIDTH - MARGIN - 4
    shapes.append(f'<path class="pv-north" d="M{_f(nx)} 8l7 20l-7 -5l-7 5Z" fill="#333333"/>')
    letter = pgettext("compass point on a map", "N")
    texts.append(overlay(letter, nx, 38, "middle", WIDTH, height, kind="north"))
    return shapes, texts


def _route_coords(data: MapData) -> list[tuple[Point, str]]:
    stops = [((s.lon, s.lat), s.label) for s in data.route if s.is_valid]
    return stops[:MAX_ROUTE_STOPS]


def _all_coords(shapes: Sequence[MapShape], route: Sequence[tuple[Point, str]]) -> Iterator[Point]:
    for shape in shapes:
        for ring in shape.rings:
            yield from ring
        yield from shape.points
    for point, _label in route:
        yield point


def map_svg(data: MapData, *, title: str = "") -> MapSvg:
    """Draw ``data`` as an SVG in the active language (legend, scale bar, notes)."""
    title = shorten(title or _("Map"), MAX_TITLE_CHARS)
    parsed = [(f, read_shape(f)) for f in data.features]
    shapes = [s for _feature, s in parsed if s is not None]
    ignored = len(parsed) - len(shapes)
    ignored_stops = sum(1 for s in data.route if not s.is_valid)
    route = _route_coords(data)
    notes: list[str] = []
    if ignored or ignored_stops:
        count = ignored + ignored_stops
        notes.append(
            ngettext(
                "%(count)s place with missing or invalid coordinates is not shown.",
                "%(count)s places with missing or invalid coordinates are not shown.",
                count,
            )
            % {"count": count}
        )
    if not shapes and not route:
        return _placeholder(tuple(notes))

    total = len(shapes)
    shapes = _cap(shapes)
    project = fit_projection(_all_coords(shapes, route))
    areas, thinned_harder = _project_areas([s for s in shapes if s.is_area], project)
    if len(shapes) < total:
        notes.append(
            _("Map simplified: %(shown)s of %(total)s places shown, no-go areas first.")
            % {"shown": len(shapes), "total": total}
        )
    elif thinned_harder:
        notes.append(_("Map simplified: boundaries are drawn with fewer points."))
    if len(data.route) > MAX_ROUTE_STOPS + ignored_stops:
        notes.append(
            _("Only the first %(count)s stops of the route are drawn.") % {"count": len(route)}
        )

    categories = sorted(
        {s.feature.category for s in shapes} | ({MapCategory.ROUTE_STOP} if route else set()),
        key=lambda c: STYLE[c][2],
    )
    height = project.height
    labels = LabelPlacer(WIDTH, height)
    body: list[str] = [
        f'<rect x="0" y="0" width="{_f(WIDTH)}" height="{_f(height)}" fill="#fbfcfd"'
        ' stroke="#b0b7c3"/>'
    ]

    # areas, the largest first so small ones stay visible on top
    areas.sort(key=lambda item: -max(ring_area(r) for r in item[1]))
    for shape, rings in areas:
        fill, stroke, _priority = STYLE[shape.feature.category]
        d = "".join("M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in ring) + "Z" for ring in rings)
        full = shorten(shape.feature.label, MAX_TITLE_CHARS)
        dash = ' stroke-dasharray="4 3"' if shape.feature.category == MapCategory.RESTRICTED else ""
        body.append(
            f'<path class="pv-area pv-{shape.feature.category.value}" d="{d}" fill="{fill}"'
            f' fill-opacity="0.75" stroke="{stroke}" stroke-width="1"{dash}'
            f' fill-rule="evenodd"><title>{escape(full)}</title></path>'
        )

    # route line and stop markers (reserved first: their numbers always show)
    stop_parts: list[str] = []
    stops: list[tuple[int, str]] = []
    if route:
        pixels = [project(lon, lat) for (lon, lat), _label in route]
        if len(pixels) > 1:
            body.append(
                '<polyline class="pv-route" points="'
                + " ".join(f"{_f(x)},{_f(y)}" for x, y in pixels)
                + f'" fill="none" stroke="{ROUTE_COLOUR}" stroke-width="3"'
                ' stroke-linejoin="round" stroke-linecap="round"/>'
            )
        for number, ((x, y), (_point, label)) in enumerate(zip(pixels, route, strict=True), 1):
            stops.append((number, label))
            labels.reserve((x - STOP_RADIUS, y - STOP_RADIUS, x + STOP_RADIUS, y + STOP_RADIUS))
            size = 9.0 if number < 100 else 7.0
            stop_parts.append(
                f'<g class="pv-stop"><title>{escape(f"{number}. {shorten(label, 200)}")}</title>'
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(STOP_RADIUS)}" fill="{ROUTE_COLOUR}"'
                ' stroke="#ffffff" stroke-width="1.5"/>'
                f'<text x="{_f(x)}" y="{_f(y + size * 0.35)}" text-anchor="middle"'
                f' font-size="{_f(size)}" font-weight="bold" fill="#ffffff">{number}</text></g>'
            )

    # point features
    point_count = 0
    point_positions: list[tuple[MapShape, list[Point]]] = []
    for shape in shapes:
        if shape.is_area:
            continue
        fill, stroke, _priority = STYLE[shape.feature.category]
        pixels = [project(lon, lat) for lon, lat in shape.points]
        point_positions.append((shape, pixels))
        d = "".join(_circle_path(x, y, POINT_RADIUS) for x, y in pixels)
        body.append(
            f'<path class="pv-site pv-{shape.feature.category.value}" d="{d}" fill="{fill}"'
            f' stroke="{stroke}" stroke-width="1">'
            f"<title>{escape(shorten(shape.feature.label, MAX_TITLE_CHARS))}</title></path>"
        )
        for x, y in pixels:
            labels.reserve((x - POINT_RADIUS, y - POINT_RADIUS, x + POINT_RADIUS, y + POINT_RADIUS))
        point_count += 1
    body.extend(stop_parts)

    # labels: points by priority, then areas (largest first)
    point_positions.sort(key=lambda item: STYLE[item[0].feature.category][2])
    for shape, pixels in point_positions:
        label = shorten(shape.feature.label, MAX_LABEL_CHARS)
        x, y = pixels[0]
        room = max(x - 12, WIDTH - x - 12)
        label = shorten(label, int(room / (LABEL_FONT * CHAR_WIDTH)))
        labels.place(label, x, y, beside=POINT_RADIUS + 3)
    for shape, rings in areas:
        outer = max(rings, key=ring_area)
        xs = [p[0] for p in outer]
        fit = int((max(xs) - min(xs)) / (LABEL_FONT * CHAR_WIDTH))
        if fit < 4:
            continue
        label = shorten(shape.feature.label, min(fit, MAX_LABEL_CHARS))
        labels.place(label, *ring_centroid(outer))

    scale_shapes, scale_texts = _scale_and_north(project, height)
    parts = [
        '<div class="pv-map">',
        _svg_open(height, title),
        *body,
        *scale_shapes,
        "</svg>",
        *labels.parts,
        *scale_texts,
        "</div>",
        _legend(categories, bool(route)),
    ]
    return MapSvg(
        html=mark_safe("".join(parts)),  # noqa: S308 (every text and attribute value is escaped)
        notes=tuple(notes),
        stops=tuple(stops),
        areas=len(areas),
        points=point_count,
    )
