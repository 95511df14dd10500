from django.urls import path

from palava.actors import views

app_name = "actors"
urlpatterns = [
    path("", views.actor_list, name="list"),
    path("new/", views.actor_create, name="create"),
    path("grid/", views.actor_grid, name="grid"),
    path("graph/", views.actor_graph, name="graph"),
    path("duplicates/", views.actor_duplicates, name="duplicates"),
    path("duplicates/merge/", views.actor_merge, name="merge"),
    path("<uuid:actor_id>/", views.actor_detail, name="detail"),
    path("<uuid:actor_id>/edit/", views.actor_edit, name="edit"),
    path("<uuid:actor_id>/contact/", views.actor_contact, name="contact"),
    path("<uuid:actor_id>/consents/", views.consent_record, name="consent_record"),
    path(
        "consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
