"""URL patterns (namespace ``hooks``): the inbound webhook of every channel.

Every view here must name its authenticator (``palava.feedback.channels.inbound``); the registry
test walks this module.
"""

from django.urls import URLPattern, path

from palava.feedback import hooks
from palava.feedback.outbound import status

app_name = "hooks"

urlpatterns: list[URLPattern] = [
    path("<uuid:channel_id>/", hooks.webhook, name="webhook"),
    path("<uuid:channel_id>/status/", status.status_hook, name="status"),
]
