"""Pages of the cultural context knowledge base (see docs/architecture.md)."""

from django.urls import URLPattern, path

from palava.context import knowledge_edit_views as edit
from palava.context import knowledge_views as views

app_name = "context"

urlpatterns: list[URLPattern] = [
    path("", views.knowledge_home, name="home"),
    path("unit/<str:pcode>/", views.place_page, name="place"),
    path("site/<str:site_code>/", views.site_page, name="site"),
    path("review/", views.review_queue_page, name="review_queue"),
    path("stale/", views.stale_page, name="stale"),
    path("entries/new/", edit.entry_create, name="entry_create"),
    path("entries/<uuid:entry_id>/", views.entry_detail, name="entry"),
    path("entries/<uuid:entry_id>/edit/", edit.entry_edit, name="entry_edit"),
    path("entries/<uuid:entry_id>/submit/", edit.entry_submit, name="entry_submit"),
    path("entries/<uuid:entry_id>/review/", edit.entry_review, name="entry_review"),
    path("entries/<uuid:entry_id>/retire/", edit.entry_retire, name="entry_retire"),
    path("entries/<uuid:entry_id>/translate/", edit.entry_translate, name="entry_translate"),
    path("entries/<uuid:entry_id>/history/", views.entry_history, name="entry_history"),
]
