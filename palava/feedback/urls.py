"""URL patterns of the message pages (namespace ``messages``, under ``/m/<slug>/messages/``)."""

from django.urls import URLPattern, path

from palava.feedback import views

app_name = "messages"

urlpatterns: list[URLPattern] = [
    path("", views.message_list, name="list"),
    path("restricted/", views.restricted_list, name="restricted"),
    path("bulk/", views.message_bulk, name="bulk"),
    path("map/", views.message_map, name="map"),
    path("map.geojson", views.message_map_data, name="map_data"),
    path("new/", views.hotline_create, name="hotline"),
    path("place-options/", views.place_options, name="place_options"),
    path("<uuid:message_id>/", views.message_detail, name="detail"),
    path("<uuid:message_id>/labels/", views.message_relabel, name="relabel"),
    path("<uuid:message_id>/contact/", views.message_contact, name="contact"),
]
