"""JSON API: cultural context, calendar."""

from ninja import Router

router = Router(tags=["context"])
