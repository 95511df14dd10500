"""JSON API: cultural context, dossiers."""

from ninja import Router

router = Router(tags=["context"])
