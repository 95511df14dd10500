"""Notification pages (namespace ``notifications``, under ``/m/<slug>/notifications/``)."""

from django.urls import URLPattern, path

from palava.feedback.cases import notification_views as views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read, name="read"),
    path("count/", views.notification_count, name="count"),
]
