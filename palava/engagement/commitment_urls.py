"""Pages of commitments (see docs/architecture.md)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "commitments"

urlpatterns: list[URLPattern] = []
