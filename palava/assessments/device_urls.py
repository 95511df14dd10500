"""URL patterns (namespace ``devices``)."""

from django.urls import URLPattern

app_name = "devices"

urlpatterns: list[URLPattern] = []
