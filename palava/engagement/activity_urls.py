"""Pages of activities (see docs/architecture.md)."""

from django.urls import URLPattern, path

from palava.engagement import activity_record_views as record
from palava.engagement import activity_views as views

app_name = "activities"

urlpatterns: list[URLPattern] = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<uuid:activity_id>/", views.activity_detail, name="detail"),
    path("<uuid:activity_id>/edit/", views.activity_edit, name="edit"),
    path("<uuid:activity_id>/status/", record.activity_status, name="status"),
    path("<uuid:activity_id>/participants/", record.participant_add, name="participant_add"),
    path(
        "<uuid:activity_id>/participants/remove/",
        record.participant_remove,
        name="participant_remove",
    ),
    path("<uuid:activity_id>/attendance/", record.attendance_set, name="attendance"),
    path("<uuid:activity_id>/issues/", record.issue_add, name="issue_add"),
    path("<uuid:activity_id>/issues/remove/", record.issue_remove, name="issue_remove"),
    path("<uuid:activity_id>/documents/", record.document_add_view, name="document_add"),
]
