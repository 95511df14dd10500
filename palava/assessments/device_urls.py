"""URL patterns (namespace ``devices``), mounted at ``m/<mission_slug>/devices/``."""

from django.urls import URLPattern, path

from palava.assessments import device_views

app_name = "devices"

urlpatterns: list[URLPattern] = [
    path("", device_views.device_list, name="list"),
    path("new/", device_views.device_new, name="new"),
    path("<uuid:app_user_id>/created/", device_views.device_created, name="created"),
    path("<uuid:app_user_id>/revoke/", device_views.device_revoke, name="revoke"),
]
