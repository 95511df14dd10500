"""The dossier map: projection, shapes, labels, legend, scale, and hostile input."""

from __future__ import annotations

import math
import re
import time
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palava.context.dossier.content import (
    MapCategory,
    MapData,
    MapFeature,
    RouteStop,
)
from palava.context.dossier.svgmap import (
    MARGIN,
    MAX_FEATURES,
    MAX_LABEL_CHARS,
    MAX_VERTICES,
    WIDTH,
    _nice_km,
    map_svg,
    text_direction,
)


class _Elements(HTMLParser):
    """Every element of a fragment as (tag, attributes), and the text of overlay labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.labels: list[str] = []
        self._in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        self._in_label = tag == "span" and "pv-map-label" in attributes.get("class", "")

    def handle_endtag(self, tag: str) -> None:
        self._in_label = False

    def handle_data(self, data: str) -> None:
        if self._in_label:
            self.labels.append(data)


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def with_class(parsed: _Elements, name: str) -> list[dict[str, str]]:
    return [a for _t, a in parsed.elements if name in a.get("class", "").split()]


def square(lon: float, lat: float, size: float, label: str, category: MapCategory) -> MapFeature:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return MapFeature({"type": "Polygon", "coordinates": [ring]}, label, category)


def point(
    lon: float, lat: float, label: str, category: MapCategory = MapCategory.SITE
) -> MapFeature:
    return MapFeature({"type": "Point", "coordinates": [lon, lat]}, label, category)


def path_numbers(d: str) -> list[tuple[float, float]]:
    """Absolute vertices of an ``M x yL x y...Z`` path."""
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+) (-?[\d.]+)", d)]


def test_areas_points_and_route_are_drawn_with_a_legend_of_what_is_there() -> None:
    data = MapData(
        features=[
            square(29.0, -1.6, 0.4, "Nyiragongo", MapCategory.ADMIN_UNIT),
            square(29.1, -1.5, 0.1, "Zone A", MapCategory.NO_GO),
            square(29.25, -1.45, 0.1, "Kibumba", MapCategory.RESTRICTED),
            point(29.22, -1.52, "Goma base"),
            point(29.3, -1.35, "Camp", MapCategory.ACCESSIBLE),
        ],
        route=[RouteStop(29.22, -1.52, "Goma"), RouteStop(29.27, -1.3, "Rugari")],
    )

    drawn = map_svg(data, title="Access")
    parsed = parse(drawn.html)

    assert (drawn.areas, drawn.points) == (3, 2)
    assert len(with_class(parsed, "pv-area")) == 3
    assert len(with_class(parsed, "pv-site")) == 2
    assert len(with_class(parsed, "pv-no_go")) == 1
    assert len(with_class(parsed, "pv-route")) == 1
    assert len(with_class(parsed, "pv-stop")) == 2
    assert drawn.stops == ((1, "Goma"), (2, "Rugari"))
    legend = re.findall(r"<li>.*?<span>(.*?)</span></li>", drawn.html)
    assert legend == [
        "No-go",
        "Restricted access",
        "Accessible",
        "Route stop",
        "Site",
        "Administrative area",
        "Route",
    ]
    assert with_class(parsed, "pv-scale")
    assert with_class(parsed, "pv-north")
    assert not drawn.notes
    assert not drawn.empty


def test_the_features_are_fitted_inside_the_margins_with_north_up() -> None:
    data = MapData([square(10.0, 5.0, 2.0, "A", MapCategory.ACCESSIBLE)])

    parsed = parse(map_svg(data).html)

    (area,) = with_class(parsed, "pv-area")
    vertices = path_numbers(area["d"])
    xs = [x for x, _y in vertices]
    ys = [y for _x, y in vertices]
    assert min(xs) >= MARGIN - 0.1
    assert max(xs) <= WIDTH - MARGIN + 0.1
    assert min(ys) >= MARGIN - 0.1
    # the ring starts at the south-west corner: bottom left of the picture
    assert vertices[0] == (min(xs), max(ys))


@pytest.mark.parametrize("lat", [0.0, 45.0, 60.0])
def test_longitude_is_shortened_by_the_cosine_of_the_latitude(lat: float) -> None:
    parsed = parse(
        map_svg(MapData([square(20.0, lat - 0.5, 1.0, "A", MapCategory.RESTRICTED)])).html
    )

    vertices = path_numbers(with_class(parsed, "pv-area")[0]["d"])
    width = max(x for x, _y in vertices) - min(x for x, _y in vertices)
    height = max(y for _x, y in vertices) - min(y for _x, y in vertices)
    assert width / height == pytest.approx(math.cos(math.radians(lat)), rel=0.02)


def test_labels_are_escaped_everywhere() -> None:
    hostile = '<script>alert("x")</script> "&\' <b>'
    data = MapData(
        [square(1.0, 1.0, 5.0, hostile, MapCategory.NO_GO), point(3.0, 3.0, hostile)],
        route=[RouteStop(2.0, 2.0, hostile), RouteStop(4.0, 4.0, "B")],
    )

    drawn = map_svg(data, title=hostile)

    assert "<script" not in drawn.html
    assert "<b>" not in drawn.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;&amp;&#x27;" in drawn.html
    parsed = parse(drawn.html)
    assert not [t for t, _a in parsed.elements if t in ("script", "b")]
    assert any(label.startswith('<script>alert("x")') for label in parsed.labels)


def test_a_very_long_label_is_shortened_to_fit_and_the_picture_stays_inside() -> None:
    long_label = "Kanyabayonga-" * 400
    data = MapData(
        [
            point(29.0, -1.0, long_label),
            point(29.5, -1.5, "x" * 5000),
            square(28.9, -1.6, 0.8, long_label, MapCategory.ADMIN_UNIT),
        ]
    )

    drawn = map_svg(data)
    parsed = parse(drawn.html)

    assert parsed.labels
    assert all(len(label) <= MAX_LABEL_CHARS for label in parsed.labels)
    assert all(label.endswith("\u2026") for label in parsed.labels)
    assert len(drawn.html) < 10_000
    for span in with_class(parsed, "pv-map-label"):
        side, value = re.match(r"(left|right):(-?[\d.]+)%", span["style"]).groups()  # type: ignore[union-attr]
        assert 0 <= float(value) <= 100, side


def test_overlapping_labels_are_dropped_not_stacked() -> None:
    crowd = [point(10.0 + i * 0.0001, 10.0, f"Village {i}") for i in range(30)]
    crowd.append(point(10.5, 10.5, "Far away"))

    drawn = map_svg(MapData(crowd))
    labels = parse(drawn.html).labels

    assert drawn.points == 31
    assert "Far away" in labels
    assert 1 <= len(labels) < 10


def test_five_thousand_features_are_capped_no_go_first_with_a_note() -> None:
    features = [point(20 + (i % 100) * 0.01, 5 + (i // 100) * 0.01, f"S{i}") for i in range(4990)]
    features += [
        square(20.2 + i * 0.05, 5.2, 0.03, f"No-go {i}", MapCategory.NO_GO) for i in range(10)
    ]

    started = time.perf_counter()
    drawn = map_svg(MapData(features))
    elapsed = time.perf_counter() - started

    assert drawn.areas + drawn.points == MAX_FEATURES
    assert drawn.areas == 10
    assert drawn.notes == (
        f"Map simplified: {MAX_FEATURES} of 5000 places shown, no-go areas first.",
    )
    assert elapsed < 5


def test_a_huge_boundary_is_thinned_to_the_vertex_budget_with_a_note() -> None:
    n = 200_000
    ring = [
        [30 + math.cos(2 * math.pi * i / n), 0 + math.sin(2 * math.pi * i / n) * 0.9]
        for i in range(n)
    ]
    data = MapData(
        [MapFeature({"type": "Polygon", "coordinates": [ring]}, "Big", MapCategory.ACCESSIBLE)]
    )

    drawn = map_svg(data)

    vertices = path_numbers(with_class(parse(drawn.html), "pv-area")[0]["d"])
    assert 100 < len(vertices) <= MAX_VERTICES
    assert drawn.areas == 1


def test_an_empty_map_is_a_placeholder() -> None:
    drawn = map_svg(MapData())

    assert drawn.empty
    assert "No map data" in drawn.html
    assert "<svg" not in drawn.html


BAD_COORDINATES: list[Any] = [
    [float("nan"), 1.0],
    [1.0, float("inf")],
    [200.0, 10.0],
    [10.0, -95.0],
    ["10", "5"],
    [True, False],
    None,
    [1.0],
    "POINT(1 2)",
]


@pytest.mark.parametrize("coordinates", BAD_COORDINATES)
def test_invalid_coordinates_are_ignored_and_counted(coordinates: Any) -> None:
    data = MapData(
        [
            point(10.0, 10.0, "Good"),
            MapFeature({"type": "Point", "coordinates": coordinates}, "Bad"),
        ]
    )

    drawn = map_svg(data)

    assert drawn.points == 1
    assert drawn.notes == ("1 place with missing or invalid coordinates is not shown.",)
    assert "nan" not in drawn.html.lower()
    assert "inf" not in drawn.html.lower()


def test_a_ring_keeps_its_valid_vertices_and_garbage_geometries_are_dropped() -> None:
    ring = [[0, 0], [1, 0], [float("nan"), 5], [1, 1], [999, 0], [0, 1], [0, 0]]
    data = MapData(
        [
            MapFeature({"type": "Polygon", "coordinates": [ring]}, "Kept", MapCategory.RESTRICTED),
            MapFeature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "Too few"),
            MapFeature({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "Unsupported"),
            MapFeature({"type": "MultiPolygon", "coordinates": "nonsense"}, "Garbage"),
            MapFeature({}, "No geometry"),
        ]
    )

    drawn = map_svg(data)

    assert drawn.areas == 1
    assert len(path_numbers(with_class(parse(drawn.html), "pv-area")[0]["d"])) == 5
    assert drawn.notes == ("4 places with missing or invalid coordinates are not shown.",)


def test_nothing_valid_gives_the_placeholder_with_the_note() -> None:
    data = MapData([MapFeature({"type": "Point", "coordinates": [float("nan"), 0]}, "Bad")])

    drawn = map_svg(data)

    assert drawn.empty
    assert "No map data" in drawn.html
    assert drawn.notes == ("1 place with missing or invalid coordinates is not shown.",)


def test_route_stops_are_numbered_in_order_skipping_invalid_ones() -> None:
    route = [
        RouteStop(15.0, 4.0, "Bangui"),
        RouteStop(float("nan"), 4.5, "Lost"),
        RouteStop(16.0, 5.0, "Damara"),
        RouteStop(17.0, 6.0, "Sibut"),
    ]

    drawn = map_svg(MapData(route=route))
    parsed = parse(drawn.html)

    assert drawn.stops == ((1, "Bangui"), (2, "Damara"), (3, "Sibut"))
    (line,) = with_class(parsed, "pv-route")
    assert len(line["points"].split()) == 3
    numbers = re.findall(r'font-weight="bold" fill="#ffffff">(\d+)</text>', drawn.html)
    assert numbers == ["1", "2", "3"]
    assert drawn.notes == ("1 place with missing or invalid coordinates is not shown.",)


def test_a_single_point_gets_a_small_neighbourhood_and_a_scale_bar() -> None:
    drawn = map_svg(MapData([point(-10.8, 6.3, "Monrovia")]))
    parsed = parse(drawn.html)

    (scale,) = with_class(parsed, "pv-scale")
    assert float(scale["width"]) > 0
    assert re.search(r">\d+(\.\d+)? km</span>", drawn.html)


@pytest.mark.parametrize(
    ("target", "expected"),
    [(7.3, 5.0), (10.0, 10.0), (19.9, 10.0), (0.37, 0.2), (2.5, 2.0), (0.0, 0.0), (math.inf, 0.0)],
)
def test_scale_bar_lengths_are_round_numbers(target: float, expected: float) -> None:
    assert _nice_km(target) == pytest.approx(expected)


def test_the_scale_bar_measures_kilometres() -> None:
    # one degree of latitude is about 111 km; the bar's length in pixels over its km must
    # match the map's pixels per degree of latitude
    drawn = map_svg(MapData([square(0.0, 0.0, 1.0, "A", MapCategory.ACCESSIBLE)]))
    parsed = parse(drawn.html)
    vertices = path_numbers(with_class(parsed, "pv-area")[0]["d"])
    px_per_degree = max(y for _x, y in vertices) - min(y for _x, y in vertices)
    km = float(re.search(r">(\d+(?:\.\d+)?) km<", drawn.html).group(1))  # type: ignore[union-attr]
    bar = float(with_class(parsed, "pv-scale")[0]["width"])
    assert bar / km * 111.32 == pytest.approx(px_per_degree, rel=0.01)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Goma", "ltr"), ("مخيم", "rtl"), ("12 مخيم", "rtl"), ("<Zone> A", "ltr"), ("123", "ltr")],
)
def test_label_direction_follows_its_first_strong_character(text: str, expected: str) -> None:
    assert text_direction(text) == expected


def test_features_read_from_geojson() -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [1, 2]},
                "properties": {"label": "A", "category": "no_go"},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"label": "B", "category": "bogus"},
            },
            "not a feature",
        ],
    }

    data = MapData.from_geojson(collection)

    assert [(f.label, f.category) for f in data.features] == [
        ("A", MapCategory.NO_GO),
        ("B", MapCategory.UNKNOWN),
    ]


_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-1000, max_value=1000),
    st.none(),
    st.text(max_size=3),
)
_position = st.lists(_number, min_size=0, max_size=3)
_geometry = st.one_of(
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": _position}),
    st.fixed_dictionaries(
        {"type": st.just("MultiPoint"), "coordinates": st.lists(_position, max_size=5)}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("Polygon"),
            "coordinates": st.lists(st.lists(_position, max_size=8), max_size=3),
        }
    ),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    geometries=st.lists(_geometry, max_size=12),
    labels=st.lists(st.text(max_size=60), min_size=12, max_size=12),
    categories=st.lists(st.sampled_from(list(MapCategory)), min_size=12, max_size=12),
)
def test_any_input_draws_a_well_formed_map_or_the_placeholder(
    geometries: list[dict[str, Any]], labels: list[str], categories: list[MapCategory]
) -> None:
    features = [MapFeature(g, labels[i], categories[i]) for i, g in enumerate(geometries)]

    drawn = map_svg(MapData(features))
    parsed = parse(drawn.html)

    assert drawn.empty or drawn.areas + drawn.points > 0
    assert not [t for t, _a in parsed.elements if t == "script"]
    for _tag, attributes in parsed.elements:
        for name in ("d", "points", "x", "y", "width", "height", "cx", "cy"):
            assert "nan" not in attributes.get(name, "").lower()
            assert "inf" not in attributes.get(name, "").lower()
