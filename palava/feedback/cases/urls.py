"""Case pages (namespace ``cases``, under ``/m/<slug>/cases/``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cases"

urlpatterns: list[URLPattern] = []
