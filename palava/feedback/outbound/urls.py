"""Outbound log, dead letters and reply templates (namespace ``outbound``).

Under ``/m/<slug>/outbound/``.
"""

from django.urls import URLPattern, path

from palava.feedback.outbound import views

app_name = "outbound"

urlpatterns: list[URLPattern] = [
    path("", views.outbound_log, name="list"),
    path("dead/", views.dead_letters, name="dead"),
    path("<uuid:outbound_id>/retry/", views.retry, name="retry"),
    path("<uuid:outbound_id>/cancel/", views.cancel, name="cancel"),
    path("templates/", views.templates, name="templates"),
    path("templates/defaults/", views.templates_defaults, name="templates_defaults"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<uuid:template_id>/", views.template_edit, name="template_edit"),
    path("templates/<uuid:template_id>/delete/", views.template_delete, name="template_delete"),
    path("channels/<uuid:channel_id>/sending/", views.channel_sending, name="channel_sending"),
]
