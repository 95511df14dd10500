from django.urls import path

from palava.places import import_views

app_name = "places_import"
urlpatterns = [
    path("", import_views.places_import, name="upload"),
    path("<uuid:job_id>/", import_views.places_import_progress, name="progress"),
]
