"""Teams, assignment rules and SLA pages (namespace ``routing``, under ``/m/<slug>/routing/``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "routing"

urlpatterns: list[URLPattern] = []
