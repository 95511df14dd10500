"""Indicator bank pages (namespace ``indicators``, under ``/m/<slug>/indicators/``)."""

from django.urls import URLPattern, path

from palava.assessments import indicator_views

app_name = "indicators"

urlpatterns: list[URLPattern] = [
    path("", indicator_views.bank, name="bank"),
    path("build/", indicator_views.build, name="build"),
]
