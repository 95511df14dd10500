"""URL map. Each app owns its ``urls.py``; the API is mounted from ``palava.api``."""

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from palava.api import api

# The Django admin (operators only) requires a verified two-factor session.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("palava.core.urls")),
    # accounts/… (log-in, two-factor) and m/<mission_slug>/tokens/ (personal API tokens)
    path("", include("palava.accounts.urls")),
    path("m/<slug:mission_slug>/", include("palava.missions.urls")),
    path("m/<slug:mission_slug>/audit/", include("palava.audit.urls")),
    path("m/<slug:mission_slug>/exports/", include("palava.core.export_urls")),
    path("m/<slug:mission_slug>/places/import/", include("palava.places.import_urls")),
    path("m/<slug:mission_slug>/places/", include("palava.places.urls")),
    path("m/<slug:mission_slug>/actors/", include("palava.actors.urls")),
    path("m/<slug:mission_slug>/messages/", include("palava.feedback.urls")),
    path("m/<slug:mission_slug>/channels/", include("palava.feedback.channel_urls")),
    path("m/<slug:mission_slug>/triage/", include("palava.feedback.classifier_urls")),
    path("m/<slug:mission_slug>/cases/", include("palava.feedback.cases.urls")),
    path(
        "m/<slug:mission_slug>/notifications/",
        include("palava.feedback.cases.notification_urls"),
    ),
    path("m/<slug:mission_slug>/routing/", include("palava.feedback.cases.routing_urls")),
    path("m/<slug:mission_slug>/outbound/", include("palava.feedback.outbound.urls")),
    path("m/<slug:mission_slug>/broadcasts/", include("palava.feedback.broadcasts.urls")),
    path("m/<slug:mission_slug>/rumours/", include("palava.feedback.rumours.urls")),
    path("m/<slug:mission_slug>/forms/", include("palava.assessments.urls")),
    path("m/<slug:mission_slug>/devices/", include("palava.assessments.device_urls")),
    path("m/<slug:mission_slug>/entry/", include("palava.assessments.entry_urls")),
    path("m/<slug:mission_slug>/submissions/", include("palava.assessments.submission_urls")),
    path("m/<slug:mission_slug>/survey-imports/", include("palava.assessments.import_urls")),
    path("m/<slug:mission_slug>/rounds/", include("palava.assessments.round_urls")),
    path("m/<slug:mission_slug>/indicators/", include("palava.assessments.indicator_urls")),
    path("m/<slug:mission_slug>/estimates/", include("palava.assessments.estimate_urls")),
    path("m/<slug:mission_slug>/needs/", include("palava.assessments.needs_urls")),
    path("m/<slug:mission_slug>/engagement/", include("palava.engagement.urls")),
    path("m/<slug:mission_slug>/activities/", include("palava.engagement.activity_urls")),
    path("m/<slug:mission_slug>/commitments/", include("palava.engagement.commitment_urls")),
    path("m/<slug:mission_slug>/partners/", include("palava.engagement.partner_urls")),
    path("m/<slug:mission_slug>/projects/", include("palava.engagement.project_urls")),
    path("m/<slug:mission_slug>/inclusion/", include("palava.engagement.inclusion_urls")),
    path("m/<slug:mission_slug>/context/", include("palava.context.knowledge_urls")),
    path("m/<slug:mission_slug>/cultural-calendar/", include("palava.context.calendar_urls")),
    path("m/<slug:mission_slug>/dossiers/", include("palava.context.dossier_urls")),
    # ODK Collect, KoboCollect and Enketo (authenticated per device, docs/adr/0008)
    path("openrosa/<slug:mission_slug>/", include("palava.assessments.openrosa.urls")),
    # inbound webhooks (authenticated per channel type) and public pages
    path("hooks/", include("palava.feedback.hook_urls")),
    path("p/<slug:mission_slug>/", include("palava.feedback.public_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "palava.core.views.bad_request"
handler403 = "palava.core.views.permission_denied"
handler404 = "palava.core.views.page_not_found"
handler500 = "palava.core.views.server_error"
