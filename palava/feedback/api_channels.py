"""API routes of the feedback app."""

from ninja import Router

router = Router(tags=["feedback"])
