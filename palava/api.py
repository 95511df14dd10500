"""Mounts every app's router under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Palava API", version="1", urls_namespace="api")
