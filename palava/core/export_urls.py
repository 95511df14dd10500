from django.urls import path

from palava.core import export_views

app_name = "exports"
urlpatterns = [
    path("", export_views.exports, name="list"),
    path("new/", export_views.export_create, name="create"),
    path("<uuid:export_id>/", export_views.export_progress, name="progress"),
    path("<uuid:export_id>/download/", export_views.export_download, name="download"),
]
