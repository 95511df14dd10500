"""Pages of activities (see docs/architecture.md)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "activities"

urlpatterns: list[URLPattern] = []
