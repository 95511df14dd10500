"""Pages (namespace ``survey_import``)."""

from django.urls import URLPattern

app_name = "survey_import"

urlpatterns: list[URLPattern] = []
