"""Outbound log, dead letters and reply templates (namespace ``outbound``).

Under ``/m/<slug>/outbound/``.
"""

from django.urls import URLPattern, path  # noqa: F401

app_name = "outbound"

urlpatterns: list[URLPattern] = []
