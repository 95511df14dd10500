"""Pages of partners (see docs/architecture.md)."""

from django.urls import URLPattern, path

from palava.engagement import partner_views as views

app_name = "partners"

urlpatterns: list[URLPattern] = [
    path("", views.partner_list, name="list"),
    path("new/", views.partner_create, name="create"),
    path("<uuid:partner_id>/", views.partner_detail, name="detail"),
    path("<uuid:partner_id>/edit/", views.partner_edit, name="edit"),
    path("<uuid:partner_id>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<uuid:agreement_id>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<uuid:agreement_id>/edit/", views.agreement_edit, name="agreement_edit"),
    path(
        "agreements/<uuid:agreement_id>/documents/",
        views.agreement_document_add,
        name="agreement_document_add",
    ),
]
