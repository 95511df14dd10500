"""Dossiers rendered to one self-contained HTML file and to a PDF (English and Arabic)."""

from __future__ import annotations

import base64
import importlib
import io
import re
import time
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
from PIL import Image

from palava.context.dossier import (
    Block,
    BulletList,
    DossierContent,
    EventList,
    KeyValueTable,
    MapBlock,
    MapCategory,
    MapData,
    MapFeature,
    Paragraph,
    RouteStop,
    Section,
    Table,
    UpcomingEvent,
    render_html,
    render_pdf,
)
from palava.context.dossier.render import css_string, soft_breaks

# pypdfium2 ships no type information: imported as module objects, its API is ``Any``.
pdfium: Any = importlib.import_module("pypdfium2")
pdfium_c: Any = importlib.import_module("pypdfium2.raw")

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
HOSTILE = '<script>alert("x")</script> "&'
CLASSIFICATION = "UN Internal"


def _square(lon: float, lat: float, size: float, label: str, category: MapCategory) -> MapFeature:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return MapFeature({"type": "Polygon", "coordinates": [ring]}, label, category)


def _map() -> MapData:
    return MapData(
        features=[
            _square(29.0, -1.6, 0.4, "Nyiragongo", MapCategory.ADMIN_UNIT),
            _square(29.1, -1.5, 0.1, HOSTILE, MapCategory.NO_GO),
            _square(29.25, -1.45, 0.1, "Kibumba", MapCategory.RESTRICTED),
            MapFeature(
                {"type": "Point", "coordinates": [29.3, -1.35]},
                "مخيم كانياروتشينيا",
                MapCategory.SITE,
            ),
        ],
        route=[
            RouteStop(29.22, -1.52, "Goma"),
            RouteStop(29.26, -1.42, "Kibumba"),
            RouteStop(29.27, -1.3, "Rugari"),
        ],
    )


TEXT = {
    "en": {
        "title": "Briefing: Nyiragongo territory",
        "context": "Context",
        "body": "Land disputes follow the **return of displaced families**. See [the OCHA page](https://example.org/ocha).",
    },
    "ar": {
        "title": "إحاطة: إقليم نيراغونغو",
        "context": "السياق",
        "body": "يعيش في المنطقة **حوالي عشرين ألف نسمة** والنزاع على الأرض مستمر.",
    },
}


def dossier(language: str, *, sections: int = 1) -> DossierContent:
    text = TEXT[language]
    blocks: list[Block] = [
        Paragraph(text["body"] + "\n\n<script>alert(1)</script> [bad](javascript:alert(1))"),
        KeyValueTable([("Name", "Mwami Bigirimana"), ("Stance", HOSTILE)], caption="Chief"),
        Table(
            ["Actor", "Type", "Influence"],
            [["Women's league", "CSO", "High"], ["Youth", "Group"], ["x" * 3000]],
        ),
        BulletList(["Water points", "Land", HOSTILE]),
        EventList(
            [
                UpcomingEvent(date(2026, 12, 25), "Christmas", place="Goma"),
                UpcomingEvent(
                    date(2026, 12, 1), "Market days", end=date(2026, 12, 3), note="weekly"
                ),
            ]
        ),
        MapBlock(_map(), caption="Access status"),
    ]
    return DossierContent(
        title=text["title"],
        language=language,
        generated_at=datetime(2026, 11, 25, 8, 30, tzinfo=UTC),
        reader="Officer A",
        classification=CLASSIFICATION,
        sections=[Section(f"{text['context']} {i + 1}", blocks) for i in range(sections)],
    )


class _Document(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.doctype = ""
        self.styles: list[str] = []
        self._in_style = False
        self.open: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def parse(html: bytes) -> _Document:
    document = _Document()
    document.feed(html.decode("utf-8"))
    document.close()
    return document


@pytest.fixture(scope="module")
def html_en() -> bytes:
    return render_html(dossier("en"))


@pytest.fixture(scope="module")
def html_ar() -> bytes:
    return render_html(dossier("ar"))


@pytest.fixture(scope="module")
def pdf_en(html_en: bytes) -> bytes:
    return render_pdf(html_en)


@pytest.fixture(scope="module")
def pdf_ar(html_ar: bytes) -> bytes:
    return render_pdf(html_ar)


@pytest.fixture(params=["en", "ar"])
def rendered(request: pytest.FixtureRequest) -> tuple[str, bytes]:
    language = str(request.param)
    return language, request.getfixturevalue(f"html_{language}")


def test_html_is_one_parseable_html5_document_in_the_readers_language(
    rendered: tuple[str, bytes],
) -> None:
    language, html = rendered

    document = parse(html)

    assert document.doctype.lower() == "doctype html"
    tag, attributes = document.tags[0]
    assert tag == "html"
    assert attributes == {"lang": language, "dir": "rtl" if language == "ar" else "ltr"}
    metas = [a for t, a in document.tags if t == "meta"]
    assert {"http-equiv": "Content-Security-Policy", "content": CSP} in metas
    assert ("title", {}) in document.tags
    assert TEXT[language]["title"] in html.decode()


def test_html_references_nothing_outside_itself(rendered: tuple[str, bytes]) -> None:
    _language, html = rendered
    document = parse(html)
    text = html.decode()

    assert "<script" not in text.lower()
    assert not [
        t
        for t, _a in document.tags
        if t in ("script", "link", "img", "iframe", "object", "embed", "base")
    ]
    for tag, attributes in document.tags:
        for name, value in attributes.items():
            if name in ("src", "href", "xlink:href", "action", "poster", "srcset", "data"):
                if tag == "a" and "nofollow" in attributes.get("rel", ""):
                    continue  # a link written in Markdown: text to click, nothing fetched
                assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
                assert value.startswith(("#", "data:")), (tag, name, value)
    assert "url(" not in "".join(document.styles)
    assert "url(" not in text
    assert "@import" not in text
    without_markdown_links = re.sub(
        r'<a href="https?://[^"]*" rel="nofollow noopener noreferrer">', "", text
    )
    assert "http://" not in without_markdown_links
    assert "https://" not in without_markdown_links


def test_every_block_type_is_rendered_and_escaped(html_en: bytes) -> None:
    text = html_en.decode()

    assert "<strong>return of displaced families</strong>" in text
    assert '<a href="https://example.org/ocha" rel="nofollow noopener noreferrer">' in text
    assert 'href="javascript:' not in text
    assert "[bad](javascript:alert(1))" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;&amp;" in text
    assert '<th scope="row">Stance</th>' in text
    assert text.count('<th scope="col">') == 3
    assert "<li>Water points</li>" in text
    # events in date order, a span given as its two ends
    assert text.index("Market days") < text.index("Christmas")
    assert '<time datetime="2026-12-01/2026-12-03">' in text
    assert "Prepared for" in text
    assert "Officer A" in text
    assert text.count(f'<p class="pv-classification">{CLASSIFICATION}</p>') == 2


def test_the_map_is_inline_svg_with_its_shapes_labels_and_route_list(
    rendered: tuple[str, bytes],
) -> None:
    _language, html = rendered
    text = html.decode()
    document = parse(html)

    def count(name: str) -> int:
        return sum(1 for _t, a in document.tags if name in a.get("class", "").split())

    assert count("pv-map-svg") == 1
    assert (count("pv-area"), count("pv-site"), count("pv-stop"), count("pv-route")) == (3, 1, 3, 1)
    assert 'class="pv-stops"' in text
    assert re.search(r'<li value="3">\s*Rugari\s*</li>', text)
    assert "&lt;script&gt;alert(&quot;x&quot;)" in text.split('class="pv-map"')[1]
    assert 'dir="rtl"' in text.split('class="pv-map"')[1]  # the Arabic site label


def test_arabic_dossier_is_right_to_left_with_logical_css(html_ar: bytes) -> None:
    text = html_ar.decode()

    assert '<html lang="ar" dir="rtl">' in text
    assert "padding-inline-start" in text
    assert "margin-inline-end" in text
    assert "text-align: start" in text
    assert "padding-left" not in text
    assert "margin-right" not in text


def test_print_css_sets_a4_margins_and_page_numbers(html_en: bytes) -> None:
    style = "".join(parse(html_en).styles)

    assert "size: A4" in style
    assert re.search(r"margin: \d+mm", style)
    assert 'content: "Page " counter(page) " of " counter(pages);' in style
    assert "string-set: classification content()" in style


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Page "x"', '"Page \\22 x\\22 "'),
        ("</style>", '"\\3c /style\\3e "'),
        ("a\\b\n", '"a\\5c b\\a "'),
    ],
)
def test_css_strings_cannot_break_out(text: str, expected: str) -> None:
    assert css_string(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("short words stay as they are", "short words stay as they are"),
        ("a " + "x" * 45 + " b", "a " + "x" * 20 + "\u200b" + "x" * 20 + "\u200b" + "x" * 5 + " b"),
        ("y" * 29, "y" * 29),
    ],
)
def test_long_runs_get_break_opportunities(text: str, expected: str) -> None:
    assert soft_breaks(text) == expected


def test_a_hostile_blob_in_a_table_cell_wraps_and_renders_quickly() -> None:
    blob = "\u0627" * 4000 + "x" * 4000
    content = DossierContent(
        title="T",
        language="en",
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        reader="R",
        sections=[Section("S", [Table(["A", "B"], [[blob, blob]]), BulletList([blob])])],
    )

    started = time.perf_counter()
    document = pdfium.PdfDocument(render_pdf(render_html(content)))

    assert time.perf_counter() - started < 30
    assert len(document) >= 2
    text = "".join(_text(document, i) for i in range(len(document)))
    assert "\u0627" * 10 in text


def test_a_naive_generation_time_is_taken_as_utc() -> None:
    content = dossier("en")
    naive = DossierContent(
        title=content.title,
        language="en",
        generated_at=datetime(2026, 11, 25, 8, 30),  # noqa: DTZ001 (the case under test)
        reader="R",
    )

    text = render_html(naive).decode()

    assert '<time datetime="2026-11-25T08:30+00:00">' in text
    assert "Nothing" not in text  # no sections at all: no empty section markers
    assert 'class="pv-toc"' not in text


def test_an_empty_map_and_empty_section_show_placeholders() -> None:
    content = DossierContent(
        title="T",
        language="en",
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        reader="R",
        sections=[Section("Map", [MapBlock(MapData())]), Section("Open alerts", [])],
    )

    text = render_html(content).decode()

    assert "No map data" in text
    assert "Nothing to report." in text
    assert "<svg" not in text


# --- PDF ----------------------------------------------------------------------------------------


def _text(pdf: Any, index: int) -> str:
    return str(pdf[index].get_textpage().get_text_range())


def _png(pdf: Any, index: int) -> bytes:
    buffer = io.BytesIO()
    pdf[index].render(scale=1).to_pil().save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(params=["en", "ar"])
def pdf(request: pytest.FixtureRequest) -> tuple[str, Any]:
    language = str(request.param)
    data: bytes = request.getfixturevalue(f"pdf_{language}")
    assert data.startswith(b"%PDF-")
    return language, pdfium.PdfDocument(data)


def test_the_pdf_renders_and_a_page_converts_to_a_non_blank_png(
    pdf: tuple[str, Any],
) -> None:
    _language, document = pdf

    assert len(document) >= 2
    png = _png(document, 0)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size[0] < image.size[1]  # portrait A4
    dark = sum(count for value, count in enumerate(image.histogram()) if value < 200)
    assert dark > 1000


def test_the_pdf_has_page_numbers_and_the_classification_on_every_page(pdf_en: bytes) -> None:
    document = pdfium.PdfDocument(pdf_en)
    pages = len(document)

    for index in range(pages):
        text = _text(document, index)
        assert f"Page {index + 1} of {pages}" in text
        assert CLASSIFICATION.upper() in text


def test_the_arabic_pdf_contains_arabic_text(pdf_ar: bytes) -> None:
    document = pdfium.PdfDocument(pdf_ar)
    text = "\n".join(_text(document, i) for i in range(len(document)))

    assert "إحاطة" in text
    assert "المنطقة" in text
    assert "نسمة" in text
    assert "مخيم" in text  # the map label, drawn as shaped HTML text


def test_the_map_is_drawn_in_the_pdf(pdf_en: bytes) -> None:
    document = pdfium.PdfDocument(pdf_en)
    text = "\n".join(_text(document, i) for i in range(len(document)))

    assert HOSTILE in text  # shown as text, not interpreted
    assert "Kibumba" in text
    assert "km" in text


def _one_pixel_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_map_is_painted_in_the_pdf(pdf_en: bytes) -> None:
    document = pdfium.PdfDocument(pdf_en)
    (index,) = [i for i in range(len(document)) if "Route stops" in _text(document, i)]

    rgb = np.asarray(document[index].render(scale=1).to_pil().convert("RGB"), dtype=np.int32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]

    reddish = (r > 220) & (r - g > 40) & (r - b > 40)  # the no-go fill
    purple = (b > r) & (r > g + 40)  # the route
    assert int(reddish.sum()) > 500
    assert int(purple.sum()) > 50


@pytest.mark.parametrize(
    ("language", "direction", "expected"),
    [("fr", None, "ltr"), ("ar", None, "rtl"), ("en", "rtl", "rtl"), ("xx", None, "ltr")],
)
def test_direction_comes_from_the_language_unless_given(
    language: str, direction: Literal["ltr", "rtl"] | None, expected: str
) -> None:
    content = DossierContent(
        title="T",
        language=language,
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        reader="R",
        direction=direction,
    )

    assert f'<html lang="{language}" dir="{expected}">' in render_html(content).decode()


def test_the_pdf_renderer_fetches_nothing_but_data_urls(tmp_path: Path) -> None:
    png = _one_pixel_png()
    local = tmp_path / "secret.png"
    local.write_bytes(png)
    inline = "data:image/png;base64," + base64.b64encode(png).decode()
    html = (
        "<!DOCTYPE html><html><head>"
        f'<link rel="stylesheet" href="{local.as_uri()}.css">'
        "<style>@import url('http://127.0.0.1:9/x.css');</style></head><body>"
        f'<img src="{local.as_uri()}" width="20"><img src="http://127.0.0.1:9/x.png" width="20">'
        f'<img src="secret.png" width="20"><img src="{inline}" width="20"></body></html>'
    ).encode()

    document = pdfium.PdfDocument(render_pdf(html))

    images = list(document[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    assert len(images) == 1  # only the data: URL


def test_a_long_dossier_paginates(pdf_en: bytes) -> None:
    html = render_html(dossier("en", sections=4))

    document = pdfium.PdfDocument(render_pdf(html))

    assert len(document) > len(pdfium.PdfDocument(pdf_en))
    assert f"Page {len(document)} of {len(document)}" in _text(document, len(document) - 1)
