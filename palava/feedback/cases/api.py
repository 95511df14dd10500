"""JSON API (mounted under /api/v1/ by palava/api.py)."""

from ninja import Router

router = Router(tags=["cases"])
