"""Pages of partners (see docs/architecture.md)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "partners"

urlpatterns: list[URLPattern] = []
