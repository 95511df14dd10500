from django.urls import path

from palava.actors import import_views, relationship_views, views

app_name = "actors"
urlpatterns = [
    path("", views.actor_list, name="list"),
    path("new/", views.actor_create, name="create"),
    path("grid/", views.actor_grid, name="grid"),
    path("graph/", views.actor_graph, name="graph"),
    path("duplicates/", views.actor_duplicates, name="duplicates"),
    path("duplicates/merge/", views.actor_merge, name="merge"),
    path("import/", import_views.actors_import, name="import"),
    path("import/<uuid:import_id>/", import_views.actors_import_progress, name="import_progress"),
    path("<uuid:actor_id>/", views.actor_detail, name="detail"),
    path("<uuid:actor_id>/edit/", views.actor_edit, name="edit"),
    path("<uuid:actor_id>/contact/", views.actor_contact, name="contact"),
    path("<uuid:actor_id>/consents/", views.consent_record, name="consent_record"),
    path(
        "<uuid:actor_id>/relationships/",
        relationship_views.relationship_add,
        name="relationship_add",
    ),
    path(
        "<uuid:actor_id>/relationships/targets/",
        relationship_views.relationship_targets,
        name="relationship_targets",
    ),
    path(
        "relationships/<uuid:relationship_id>/end/",
        relationship_views.relationship_end,
        name="relationship_end",
    ),
    path(
        "consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
