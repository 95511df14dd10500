"""URL patterns (namespace ``triage``): the triage models' evaluation page and retraining."""

from django.urls import URLPattern, path

from palava.feedback import classifier_views

app_name = "triage"

urlpatterns: list[URLPattern] = [
    path("", classifier_views.overview, name="overview"),
    path("train/", classifier_views.train, name="train"),
    path("trainings/<uuid:training_id>/", classifier_views.progress, name="progress"),
]
