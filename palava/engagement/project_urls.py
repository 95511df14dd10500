"""Pages of projects (see docs/architecture.md)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "projects"

urlpatterns: list[URLPattern] = []
