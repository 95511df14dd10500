"""Rumour log pages (namespace ``rumours``, under ``/m/<slug>/rumours/``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "rumours"

urlpatterns: list[URLPattern] = []
