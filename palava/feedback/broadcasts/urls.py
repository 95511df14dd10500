"""Broadcast pages (namespace ``broadcasts``, under ``/m/<slug>/broadcasts/``)."""

from django.urls import URLPattern, path

from palava.feedback.broadcasts import views

app_name = "broadcasts"

urlpatterns: list[URLPattern] = [
    path("", views.broadcast_list, name="list"),
    path("new/", views.broadcast_new, name="new"),
    path("preview/", views.broadcast_preview, name="preview"),
    path("<uuid:broadcast_id>/", views.broadcast_detail, name="detail"),
    path("<uuid:broadcast_id>/edit/", views.broadcast_edit, name="edit"),
    path("<uuid:broadcast_id>/stats/", views.broadcast_stats, name="stats"),
    path("<uuid:broadcast_id>/schedule/", views.broadcast_schedule, name="schedule"),
    path("<uuid:broadcast_id>/cancel/", views.broadcast_cancel, name="cancel"),
]
