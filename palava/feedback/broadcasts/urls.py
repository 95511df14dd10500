"""Broadcast pages (namespace ``broadcasts``, under ``/m/<slug>/broadcasts/``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "broadcasts"

urlpatterns: list[URLPattern] = []
