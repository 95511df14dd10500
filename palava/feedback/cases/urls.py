"""Case pages (namespace ``cases``, under ``/m/<slug>/cases/``)."""

from django.urls import URLPattern, path

from palava.feedback.cases import action_views, board_views, metrics_views, views

app_name = "cases"

urlpatterns: list[URLPattern] = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("board/", board_views.board, name="board"),
    path("board/live/", board_views.board_poll, name="board_poll"),
    path("metrics/", metrics_views.case_metrics_page, name="metrics"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/acknowledge/", action_views.case_acknowledge, name="acknowledge"),
    path("<uuid:case_id>/verify/", action_views.case_verify, name="verify"),
    path("<uuid:case_id>/responses/", action_views.case_response, name="response"),
    path("<uuid:case_id>/resolve/", action_views.case_resolve, name="resolve"),
    path("<uuid:case_id>/inform/", action_views.case_inform, name="inform"),
    path("<uuid:case_id>/close/", action_views.case_close, name="close"),
    path("<uuid:case_id>/assign/", action_views.case_assign, name="assign"),
    path("<uuid:case_id>/notes/", action_views.case_comment, name="comment"),
    path("<uuid:case_id>/incidents/", action_views.case_incident, name="incident"),
    path("<uuid:case_id>/messages/", action_views.case_attach, name="attach"),
    path("<uuid:case_id>/reply/", action_views.case_reply, name="reply"),
]
