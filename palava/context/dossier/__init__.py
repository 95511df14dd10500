"""Briefing dossiers for a place or a route: the content model and its rendering (one
self-contained HTML file with an inline SVG map, and a PDF). Gathering the content (scoped and
clearance-filtered selectors, the task with progress) lives elsewhere and builds a
:class:`DossierContent`."""

from palava.context.dossier.content import (
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
)
from palava.context.dossier.render import render_html, render_pdf

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
    "render_html",
    "render_pdf",
]
