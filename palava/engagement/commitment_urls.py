"""Pages of the commitments ledger (mounted at ``/m/<slug>/commitments/``)."""

from django.urls import URLPattern, path

from palava.engagement import commitment_action_views as actions
from palava.engagement import commitment_views as views

app_name = "commitments"

urlpatterns: list[URLPattern] = [
    path("", views.commitment_list, name="list"),
    path("new/", views.commitment_create, name="create"),
    path("<uuid:commitment_id>/", views.commitment_detail, name="detail"),
    path("<uuid:commitment_id>/edit/", views.commitment_edit, name="edit"),
    path("<uuid:commitment_id>/status/", actions.commitment_status, name="status"),
    path(
        "<uuid:commitment_id>/evidence/file/", actions.commitment_evidence_file, name="document_add"
    ),
    path(
        "<uuid:commitment_id>/evidence/activity/",
        actions.commitment_evidence_activity,
        name="evidence_activity",
    ),
    path(
        "<uuid:commitment_id>/evidence/note/",
        actions.commitment_evidence_note,
        name="evidence_note",
    ),
    path("<uuid:commitment_id>/verify/", actions.commitment_verify, name="verify"),
]
