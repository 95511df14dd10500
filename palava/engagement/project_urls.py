"""Pages of projects (see docs/architecture.md)."""

from django.urls import URLPattern, path

from palava.engagement import project_views as views

app_name = "projects"

urlpatterns: list[URLPattern] = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<uuid:project_id>/", views.project_detail, name="detail"),
    path("<uuid:project_id>/edit/", views.project_edit, name="edit"),
    path("<uuid:project_id>/reach/", views.project_reach, name="reach"),
    path("<uuid:project_id>/deliverables/", views.deliverable_add, name="deliverable_add"),
    path(
        "<uuid:project_id>/deliverables/<uuid:deliverable_id>/deliver/",
        views.deliverable_deliver,
        name="deliverable_deliver",
    ),
    path(
        "<uuid:project_id>/deliverables/<uuid:deliverable_id>/cancel/",
        views.deliverable_cancel,
        name="deliverable_cancel",
    ),
    path("<uuid:project_id>/documents/", views.document_add_view, name="document_add"),
]
