"""URL patterns (namespace ``openrosa``)."""

from django.urls import URLPattern

app_name = "openrosa"

urlpatterns: list[URLPattern] = []
