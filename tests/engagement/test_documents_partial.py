"""The documents partial can be included twice on one page: ``prefix`` goes before its ids."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

TEMPLATE = "engagement/_documents.html"


def _ids(html: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', html)


def test_default_ids_are_unchanged() -> None:
    html = render_to_string(TEMPLATE, {"documents": [], "upload_url": "/up", "can_upload": True})
    assert _ids(html) == [
        "documents-heading",
        "document-file",
        "document-file-help",
        "document-description",
    ]
    assert 'aria-labelledby="documents-heading"' in html
    assert 'for="document-file"' in html


def test_prefix_makes_every_id_and_reference_distinct() -> None:
    context = {"documents": [], "upload_url": "/up", "can_upload": True}
    first = render_to_string(TEMPLATE, {**context, "prefix": "agreement-"})
    second = render_to_string(TEMPLATE, {**context, "prefix": "project-"})
    assert not set(_ids(first)) & set(_ids(second))
    assert all(i.startswith("agreement-") for i in _ids(first))
    for reference in re.findall(r'(?:for|aria-labelledby|aria-describedby)="([^"]+)"', first):
        assert reference in _ids(first)
