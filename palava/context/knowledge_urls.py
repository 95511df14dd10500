"""Pages of the cultural context: knowledge (see docs/architecture.md)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "context"

urlpatterns: list[URLPattern] = []
