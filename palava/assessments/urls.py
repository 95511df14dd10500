"""Form pages (namespace ``assessments``, under ``/m/<slug>/forms/``)."""

from django.urls import URLPattern, path

from palava.assessments import views

app_name = "assessments"

urlpatterns: list[URLPattern] = [
    path("", views.form_list, name="list"),
    path("upload/", views.form_upload, name="upload"),
    path("<uuid:form_id>/", views.form_detail, name="detail"),
    path(
        "<uuid:form_id>/versions/<int:number>/source/",
        views.download_source,
        name="download_source",
    ),
    path(
        "<uuid:form_id>/versions/<int:number>/xform.xml",
        views.download_xform,
        name="download_xform",
    ),
    path("<uuid:form_id>/media/", views.media_upload, name="media_upload"),
    path("<uuid:form_id>/accepting/", views.form_accepting, name="accepting"),
]
