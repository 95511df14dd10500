"""Pages of engagement (see docs/architecture.md): home, calendar, plan, settings, documents."""

from django.urls import URLPattern, path

from palava.engagement import (
    calendar_views,
    document_views,
    home_views,
    plan_views,
    settings_views,
)

app_name = "engagement"

urlpatterns: list[URLPattern] = [
    path("", home_views.home, name="home"),
    path("calendar/", calendar_views.calendar_month, name="calendar"),
    path("calendar.ics", calendar_views.calendar_ics, name="calendar_ics"),
    path("plan/", plan_views.plan_page, name="plan"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("documents/<uuid:document_id>/", document_views.document_download, name="document"),
]
