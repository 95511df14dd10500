"""Pages of inclusion (see docs/architecture.md)."""

from django.urls import URLPattern, path

from palava.engagement import inclusion_views as views

app_name = "inclusion"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/data.geojson", views.coverage_geojson, name="coverage_geojson"),
]
