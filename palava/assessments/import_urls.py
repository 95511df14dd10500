"""Pages (namespace ``survey_import``): importing submissions exported from KoboToolbox or ODK
Central."""

from django.urls import URLPattern, path

from palava.assessments import import_views

app_name = "survey_import"

urlpatterns: list[URLPattern] = [
    path("", import_views.survey_import_upload, name="upload"),
    path("<uuid:survey_job_id>/", import_views.survey_import_job, name="job"),
]
