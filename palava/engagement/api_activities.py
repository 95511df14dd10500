"""JSON API: activities (mounted under /api/v1/ by palava.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["activities"])
