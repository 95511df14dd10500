"""JSON API: cultural context, knowledge."""

from ninja import Router

router = Router(tags=["context"])
