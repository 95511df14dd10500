"""URL patterns (namespace ``channels``): channel pages under ``/m/<mission_slug>/channels/``."""

from django.urls import URLPattern, path

from palava.feedback import channel_views as views

app_name = "channels"

urlpatterns: list[URLPattern] = [
    path("", views.channel_list, name="list"),
    path("new/", views.channel_create, name="create"),
    path("<uuid:channel_id>/", views.channel_detail, name="detail"),
    path("<uuid:channel_id>/edit/", views.channel_edit, name="edit"),
    path("<uuid:channel_id>/rotate/", views.channel_rotate, name="rotate"),
    path("<uuid:channel_id>/deactivate/", views.channel_deactivate, name="deactivate"),
    path("<uuid:channel_id>/activate/", views.channel_activate, name="activate"),
]
