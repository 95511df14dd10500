"""URL patterns (namespace ``public``): public pages under ``/p/<mission_slug>/``.

Every view here must name its authenticator (``palava.feedback.channels.inbound``); the registry
test walks this module.
"""

from django.urls import URLPattern, path

from palava.feedback import public_views

app_name = "public"

urlpatterns: list[URLPattern] = [
    path("report/", public_views.report, name="report"),
    path("report/thanks/", public_views.thanks, name="thanks"),
    path("report/map.geojson", public_views.report_map, name="report_map"),
]
