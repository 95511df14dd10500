"""Pages of the cultural context: calendar (see docs/architecture.md)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cultural_calendar"

urlpatterns: list[URLPattern] = []
