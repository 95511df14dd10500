"""The public report form ``/p/<mission-slug>/report/``: no JavaScript needed, CSRF, honeypot,
rate limit, exactly-once per submission, a thank-you page that never repeats the message."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from palava.core import crypto
from palava.feedback.channel_services import (
    channel_deactivate,
    webform_throttle_hit,
    webform_throttle_purge,
)
from palava.feedback.models import Channel, ChannelType, Message, WebformThrottle
from palava.missions.models import Mission
from tests.factories import AdminUnitFactory
from tests.feedback.helpers_channels import make_channel

pytestmark = pytest.mark.django_db

BODY = "Armed men seen near the Kibati water point this morning"
PHONE = "+243 990 001 122"


@pytest.fixture
def webform(mission: Mission) -> Channel:
    return make_channel(mission, ChannelType.WEBFORM).channel


def report_url(mission: Mission) -> str:
    return f"/p/{mission.slug}/report/"


def open_form(client: Client, mission: Mission) -> dict[str, str]:
    """GET the form like a browser; returns the hidden values it must send back."""
    page = client.get(report_url(mission)).content.decode()
    values = {}
    for name in ("csrfmiddlewaretoken", "submission"):
        match = re.search(rf'name="{name}" value="([^"]+)"', page)
        assert match, f"no {name} in the form"
        values[name] = match.group(1)
    return values


def send(client: Client, mission: Mission, **fields: Any) -> Any:
    address = fields.pop("ip", "192.0.2.1")
    data = {**open_form(client, mission), "message": BODY, **fields}
    return client.post(report_url(mission), data=data, REMOTE_ADDR=address)


def test_form_page_is_small_and_needs_no_javascript(webform: Channel, mission: Mission) -> None:
    response = Client().get(report_url(mission))
    assert response.status_code == 200
    page = response.content.decode()
    # a plain POST form with CSRF and the honeypot; no script unless there is a map to show
    assert '<form method="post"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="website"' in page
    assert "<script" not in page
    assert len(response.content) < 12_000
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_map_picker_is_offered_only_with_boundaries(webform: Channel, mission: Mission) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[29.0, -1.9], [29.4, -1.9], [29.4, -1.5], [29.0, -1.5], [29.0, -1.9]]],
    }
    AdminUnitFactory(mission=mission, level=1, pcode="CD61", name="Nord-Kivu", boundary=square)
    page = Client().get(report_url(mission)).content.decode()
    assert 'src="/static/js/report-map.js"' in page
    assert 'data-geojson-url="/p/' in page
    # the outline is public gazetteer data, simplified, and nothing else
    data = Client().get(f"/p/{mission.slug}/report/map.geojson").json()
    assert [f["properties"] for f in data["features"]] == [{"name": "Nord-Kivu", "level": 1}]


def test_a_report_is_stored_once_and_the_thanks_page_never_echoes_it(
    webform: Channel, mission: Mission
) -> None:
    client = Client()
    fields = {**open_form(client, mission), "message": BODY, "place": "Kibati", "phone": PHONE}
    response = client.post(report_url(mission), data=fields)
    # then a redirect to the thank-you page
    assert response.status_code == 302
    assert response["Location"] == f"/p/{mission.slug}/report/thanks/"
    message = Message.objects.get()
    assert message.channel == webform
    assert message.body == BODY
    assert message.given_place == "Kibati"
    assert message.sender_pseudonym == crypto.pseudonym(PHONE, kind="phone")
    assert message.provider_message_id == f"web-{fields['submission']}"
    # the same form sent again (a double tap, a resent POST) is the same message
    again = client.post(report_url(mission), data=fields)
    assert again.status_code == 302
    assert Message.objects.count() == 1
    # and the thank-you page repeats neither the message, the place nor the number
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you" in thanks
    for secret in (BODY, "Kibati", "990 001 122", "+243990001122"):
        assert secret not in thanks


def test_thanks_page_shows_the_acknowledgement_in_the_page_language(
    webform: Channel, mission: Mission
) -> None:
    Channel.objects.filter(pk=webform.pk).update(ack_enabled=True, ack_texts={"fr": "Bien reçu."})
    client = Client(headers={"Accept-Language": "fr"})
    response = send(client, mission)
    thanks = client.get(response["Location"]).content.decode()
    assert "Bien reçu." in thanks
    assert Message.objects.get().ack_text == "Bien reçu."


def test_arabic_page_is_right_to_left(webform: Channel, mission: Mission) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "ar", "next": report_url(mission)})
    page = client.get(report_url(mission)).content.decode()
    assert 'lang="ar"' in page
    assert 'dir="rtl"' in page


def test_missing_csrf_is_refused(webform: Channel, mission: Mission) -> None:
    client = Client(enforce_csrf_checks=True)
    values = open_form(client, mission)
    response = client.post(
        report_url(mission), data={"message": BODY, "submission": values["submission"]}
    )
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_honeypot_filled_is_refused_with_the_form(webform: Channel, mission: Mission) -> None:
    response = send(Client(), mission, website="http://spam.example")
    assert response.status_code == 400
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"message": "   "},
        {"message": "x" * 5001},
        {"phone": "call me maybe"},
        {"latitude": "-1.6"},
        {"latitude": "nan", "longitude": "1"},
        {"latitude": "91", "longitude": "1"},
        {"submission": "not-a-uuid"},
        {"message": "bad\x00byte"},
    ],
)
def test_invalid_form_is_shown_again_and_nothing_stored(
    webform: Channel, mission: Mission, fields: dict[str, str]
) -> None:
    response = send(Client(), mission, **fields)
    assert response.status_code == 400
    assert "The message was not sent" in response.content.decode()
    assert Message.objects.count() == 0


def test_stale_submission_id_is_replaced_for_the_next_try(
    webform: Channel, mission: Mission
) -> None:
    page = send(Client(), mission, submission="stale").content.decode()
    match = re.search(r'name="submission" value="([0-9a-f]{32})"', page)
    assert match is not None


def test_map_location_is_stored(webform: Channel, mission: Mission) -> None:
    send(Client(), mission, latitude="-1.68", longitude="29.22", language="sw")
    message = Message.objects.get()
    assert (message.latitude, message.longitude, message.given_language) == (-1.68, 29.22, "sw")
    assert message.extra["located_on_map"] == "yes"


@override_settings(PALAVA_WEBFORM_RATE_LIMIT=3, PALAVA_WEBFORM_RATE_WINDOW=600)
def test_rate_limit_per_address(webform: Channel, mission: Mission) -> None:
    client = Client()
    codes = [send(client, mission, ip="198.51.100.7").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    assert Message.objects.count() == 3
    # another address is not affected
    assert send(client, mission, ip="198.51.100.8").status_code == 302
    # and no address is stored, only keyed pseudonyms
    assert not WebformThrottle.objects.filter(key__contains="198.51").exists()


def test_limited_page_is_429_with_retry_after(webform: Channel, mission: Mission) -> None:
    with override_settings(PALAVA_WEBFORM_RATE_LIMIT=0):
        response = send(Client(), mission)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "try again" in response.content.decode()
    assert Message.objects.count() == 0


def test_throttle_windows_are_fixed_and_purged(webform: Channel) -> None:
    with override_settings(PALAVA_WEBFORM_RATE_LIMIT=2, PALAVA_WEBFORM_RATE_WINDOW=600):
        t0 = datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC)
        hits = [
            webform_throttle_hit(channel=webform, address="192.0.2.9", now=t0) for _ in range(3)
        ]
        assert hits == [True, True, False]
        # the next window starts afresh
        later = t0 + timedelta(minutes=10)
        assert webform_throttle_hit(channel=webform, address="192.0.2.9", now=later)
        # a window two periods old is purged when a new window starts
        much_later = t0 + timedelta(minutes=30)
        webform_throttle_hit(channel=webform, address="192.0.2.10", now=much_later)
        starts = set(WebformThrottle.objects.values_list("window_start", flat=True))
        assert datetime(2026, 11, 24, 10, 0, tzinfo=UTC) not in starts
        assert webform_throttle_purge(now=much_later + timedelta(hours=1)) >= 1


def test_no_webform_means_404(mission: Mission) -> None:
    make_channel(mission, ChannelType.GENERIC)
    assert Client().get(report_url(mission)).status_code == 404
    assert Client().get(f"/p/{mission.slug}/report/thanks/").status_code == 404
    assert Client().get("/p/no-such-mission/report/").status_code == 404


def test_deactivated_webform_means_404(webform: Channel, mission: Mission) -> None:
    channel_deactivate(actor=None, channel=webform)
    assert Client().get(report_url(mission)).status_code == 404
