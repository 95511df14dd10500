"""URL patterns (namespace ``openrosa``), mounted at ``openrosa/<mission_slug>/``."""

from django.urls import URLPattern, path

from palava.assessments.openrosa import views

app_name = "openrosa"

_routes = [
    ("formList", views.form_list, "form-list"),
    ("forms/<str:form_id>/form.xml", views.form_xml, "form-xml"),
    ("forms/<str:form_id>/manifest", views.manifest, "manifest"),
    ("forms/<str:form_id>/media/<str:filename>", views.media_file, "media"),
    ("submission", views.submission, "submission"),
]

urlpatterns: list[URLPattern] = [path(route, view, name=name) for route, view, name in _routes] + [
    path(f"key/<str:key>/{route}", view, name=f"key-{name}") for route, view, name in _routes
]
