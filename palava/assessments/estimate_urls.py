"""Estimates pages (namespace ``estimates``, under ``/m/<slug>/estimates/``)."""

from django.urls import URLPattern, path

from palava.assessments import estimate_views as views

app_name = "estimates"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("<uuid:round_id>/", views.round_detail, name="round"),
    path("<uuid:round_id>/export.csv", views.round_export, {"fmt": "csv"}, name="export_csv"),
    path("<uuid:round_id>/export.xlsx", views.round_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<uuid:round_id>/map/<str:code>/", views.round_map, name="map"),
    path("<uuid:round_id>/map/<str:code>/data.geojson", views.round_map_data, name="map_data"),
    path("trend/<slug:series>/<str:code>/", views.trend, name="trend"),
]
