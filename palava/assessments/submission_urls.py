"""Submission pages and raw exports (namespace ``submissions``, under
``/m/<slug>/submissions/``)."""

from django.urls import URLPattern, path

from palava.assessments import submission_views as views

app_name = "submissions"

urlpatterns: list[URLPattern] = [
    path("", views.submission_list, name="list"),
    path("<uuid:submission_id>/", views.submission_detail, name="detail"),
    path("<uuid:submission_id>/instance.xml", views.instance_xml, name="instance_xml"),
    path(
        "<uuid:submission_id>/attachments/<str:filename>",
        views.attachment_download,
        name="attachment",
    ),
    path("<uuid:form_id>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<uuid:form_id>/export.zip", views.export_zip, name="export_zip"),
]
