"""Round pages (namespace ``rounds``, under ``/m/<slug>/rounds/``)."""

from django.urls import URLPattern, path

from palava.assessments import round_quota_views, round_views

app_name = "rounds"

urlpatterns: list[URLPattern] = [
    path("", round_views.round_list, name="list"),
    path("new/", round_views.round_new, name="new"),
    path("<uuid:round_id>/", round_views.round_detail, name="detail"),
    path("<uuid:round_id>/edit/", round_views.round_edit, name="edit"),
    path("<uuid:round_id>/quotas/", round_quota_views.round_quotas, name="quotas"),
    path("<uuid:round_id>/status/", round_views.round_status, name="status"),
    path("<uuid:round_id>/recompute/", round_views.round_recompute, name="recompute"),
]
