"""Needs register pages (namespace ``needs``, under ``/m/<slug>/needs/``)."""

from django.urls import URLPattern, path

from palava.assessments import needs_views

app_name = "needs"

urlpatterns: list[URLPattern] = [
    path("", needs_views.register, name="register"),
    path("place/<uuid:unit_id>/", needs_views.place, name="place"),
    path("exercises/new/", needs_views.exercise_new, name="exercise_new"),
    path("exercises/<uuid:exercise_id>/", needs_views.exercise_detail, name="exercise"),
    path(
        "exercises/<uuid:exercise_id>/delete/",
        needs_views.exercise_delete,
        name="exercise_delete",
    ),
    path("from-round/", needs_views.from_round, name="from_round"),
]
