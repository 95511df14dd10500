"""Teams, assignment rules and SLA pages (namespace ``routing``, under ``/m/<slug>/routing/``)."""

from django.urls import URLPattern, path

from palava.feedback.cases import routing_views as views

app_name = "routing"

urlpatterns: list[URLPattern] = [
    path("", views.routing_index, name="index"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<uuid:team_id>/", views.team_edit, name="team_edit"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<uuid:rule_id>/", views.rule_edit, name="rule_edit"),
    path("rules/<uuid:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("sla/new/", views.sla_create, name="sla_create"),
    path("sla/<uuid:sla_id>/", views.sla_edit, name="sla_edit"),
    path("sla/<uuid:sla_id>/delete/", views.sla_delete, name="sla_delete"),
]
