"""Words on the dossier map: HTML labels laid over the SVG (placed greedily so none overlap),
their direction, and SVG number formatting. Drawing is in :mod:`palava.context.dossier.svgmap`."""

from __future__ import annotations

import unicodedata
from typing import Final

from django.utils.html import escape

LABEL_FONT: Final = 10.0
CHAR_WIDTH: Final = 0.58  # average glyph advance as a share of the font size (estimate)
MAX_LABELS: Final = 120


def svg_num(value: float) -> str:
    """An SVG number: one decimal, never a locale's decimal comma."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def shorten(label: str, max_chars: int) -> str:
    label = " ".join(label.split())
    if len(label) <= max_chars:
        return label
    return label[: max(max_chars - 1, 1)].rstrip() + "\u2026"


class LabelPlacer:
    """Greedy label placement: a label is drawn only where it overlaps no earlier one."""

    def __init__(self, width: float, height: float) -> None:
        self.width = width
        self.height = height
        self.boxes: list[tuple[float, float, float, float]] = []
        self.parts: list[str] = []

    def _free(self, box: tuple[float, float, float, float]) -> bool:
        x1, y1, x2, y2 = box
        if x1 < 2 or x2 > self.width - 2 or y1 < 2 or y2 > self.height - 2:
            return False
        return all(x2 <= a1 or x1 >= a2 or y2 <= b1 or y1 >= b2 for a1, b1, a2, b2 in self.boxes)

    def reserve(self, box: tuple[float, float, float, float]) -> None:
        self.boxes.append(box)

    def place(self, text: str, x: float, y: float, *, beside: float = 0.0) -> bool:
        """Put ``text`` centred on (x, y), or, with ``beside`` > 0, to the right of a point at
        that distance (to the left when the right has no room)."""
        if len(self.parts) >= MAX_LABELS or not text:
            return False
        w = text_width(text, LABEL_FONT)
        top, bottom = y - LABEL_FONT * 0.8, y + LABEL_FONT * 0.4
        if beside:
            options = [(x + beside, "start", (x + beside, top, x + beside + w, bottom))]
            options.append((x - beside, "end", (x - beside - w, top, x - beside, bottom)))
        else:
            options = [(x, "middle", (x - w / 2, top, x + w / 2, bottom))]
        for tx, anchor, box in options:
            if self._free(box):
                self.boxes.append(box)
                self.parts.append(overlay(text, tx, y, anchor, self.width, self.height))
                return True
        return False


def text_direction(text: str) -> str:
    """``rtl`` when the first strongly directional character of ``text`` is right-to-left
    (Arabic, Hebrew...), else ``ltr``: what ``dir="auto"`` does in a browser, which WeasyPrint
    does not implement."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def overlay(
    text: str, x: float, y: float, anchor: str, width: float, height: float, kind: str = "label"
) -> str:
    """An HTML label over the SVG at (x, y) in view units, as percentages so it follows the
    SVG when the page scales it. ``anchor`` is where (x, y) is: ``start`` (left end of the
    text), ``end`` (right end) or ``middle``; positions are physical: a map is never mirrored."""
    top = f"top:{svg_num(y / height * 100)}%"
    if anchor == "end":
        where = f"right:{svg_num((width - x) / width * 100)}%"
    else:
        where = f"left:{svg_num(x / width * 100)}%"
    return (
        f'<span class="pv-map-{kind} pv-at-{anchor}" dir="{text_direction(text)}"'
        f' style="{where};{top}">'
        f"{escape(text)}</span>"
    )
