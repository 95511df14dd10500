"""Pages of the cultural context: dossier (see docs/architecture.md)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "dossiers"

urlpatterns: list[URLPattern] = []
