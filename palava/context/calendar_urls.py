"""Pages of the cultural calendar (see :mod:`palava.context.calendar_views`)."""

from django.urls import URLPattern, path

from palava.context import calendar_views as views

app_name = "cultural_calendar"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("events/", views.events, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<uuid:event_id>/", views.event, name="event"),
    path("events/<uuid:event_id>/edit/", views.event_edit, name="event_edit"),
    path("events/<uuid:event_id>/retire/", views.event_retire, name="event_retire"),
    path("holidays/", views.holidays, name="holidays"),
    path("check/", views.check, name="check"),
]
