"""Estimates pages (namespace ``estimates``, under ``/m/<slug>/estimates/``)."""

from django.urls import URLPattern, path

from palava.assessments import estimate_map_views as map_views
from palava.assessments import estimate_trend_views as trend_views
from palava.assessments import estimate_views as views

app_name = "estimates"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("<uuid:round_id>/", views.round_detail, name="round"),
    path("<uuid:round_id>/export.csv", map_views.round_export, {"fmt": "csv"}, name="export_csv"),
    path(
        "<uuid:round_id>/export.xlsx", map_views.round_export, {"fmt": "xlsx"}, name="export_xlsx"
    ),
    path("<uuid:round_id>/map/<str:code>/", map_views.round_map, name="map"),
    path("<uuid:round_id>/map/<str:code>/data.geojson", map_views.round_map_data, name="map_data"),
    path("trend/<slug:series>/<str:code>/", trend_views.trend, name="trend"),
]
