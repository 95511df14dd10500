"""Web entry pages (namespace ``entry``, under ``/m/<slug>/entry/``)."""

from django.urls import URLPattern, path

from palava.assessments.entry import views

app_name = "entry"

urlpatterns: list[URLPattern] = [
    path("<uuid:form_id>/", views.entry_fill, name="fill"),
    path("<uuid:form_id>/received/", views.entry_received, name="received"),
]
