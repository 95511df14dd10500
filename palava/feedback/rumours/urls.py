"""Rumour log pages (namespace ``rumours``, under ``/m/<slug>/rumours/``)."""

from django.urls import URLPattern, path

from palava.feedback.rumours import views

app_name = "rumours"

urlpatterns: list[URLPattern] = [
    path("", views.rumour_list, name="list"),
    path("new/", views.rumour_new, name="new"),
    path("<uuid:rumour_id>/", views.rumour_detail, name="detail"),
    path("<uuid:rumour_id>/edit/", views.rumour_edit, name="edit"),
    path("<uuid:rumour_id>/link/", views.rumour_link, name="link"),
    path(
        "<uuid:rumour_id>/messages/<uuid:message_id>/unlink/",
        views.rumour_unlink,
        name="unlink",
    ),
    path("<uuid:rumour_id>/status/", views.rumour_status, name="status"),
    path("<uuid:rumour_id>/counter/", views.rumour_counter, name="counter"),
]
