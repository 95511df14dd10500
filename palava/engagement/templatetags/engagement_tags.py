"""Template helpers of the engagement pages: ``{% load engagement_tags %}``."""

from __future__ import annotations

from django import template

from palava.engagement.documents import TYPE_LABELS

register = template.Library()


@register.filter(name="document_type")
def document_type(content_type: str) -> str:
    """ "PDF", "Word (docx)" ... for a stored document's detected type (the type itself if
    unknown)."""
    return TYPE_LABELS.get(content_type, content_type)
