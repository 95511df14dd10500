"""Pages of the briefing dossiers (see docs/architecture.md)."""

from django.urls import URLPattern, path

from palava.context import dossier_views as views

app_name = "dossiers"

urlpatterns: list[URLPattern] = [
    path("", views.dossier_list, name="list"),
    path("new/", views.dossier_create, name="create"),
    path("places/", views.place_options, name="place_options"),
    path("<uuid:dossier_id>/", views.dossier_detail, name="detail"),
    path("<uuid:dossier_id>/progress/", views.dossier_progress, name="progress"),
    path("<uuid:dossier_id>/dossier.html", views.dossier_html, name="html"),
    path("<uuid:dossier_id>/dossier.pdf", views.dossier_pdf, name="pdf"),
    path("<uuid:dossier_id>/delete/", views.dossier_delete, name="delete"),
]
