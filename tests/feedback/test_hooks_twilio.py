"""The Twilio SMS webhook: signature, exactly-once on MessageSid, TwiML answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from palava.core import crypto
from palava.feedback.channel_selectors import channel_cache_clear
from palava.feedback.channel_services import channel_deactivate, channel_rotate_secret
from palava.feedback.models import Channel, ChannelType, Message
from tests.feedback.helpers_channels import (
    PHONE,
    TWILIO_TOKEN,
    hook_path,
    make_channel,
    twilio_params,
    twilio_post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(mission: object) -> Channel:
    return make_channel(mission, ChannelType.TWILIO).channel  # type: ignore[arg-type]


def test_signed_message_is_stored_once_with_empty_twiml(channel: Channel) -> None:
    # given a correctly signed Twilio request
    client = Client()
    # when it arrives
    response = twilio_post(client, channel, twilio_params())
    # then one message is stored, the number pseudonymised and encrypted, and TwiML answers
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    message = Message.objects.get()
    assert message.channel == channel
    assert message.mission_id == channel.mission_id
    assert message.provider_message_id == "SM0001"
    assert message.body == "Water point broken at Kibati"
    assert message.sender_pseudonym == crypto.pseudonym(PHONE, kind="phone")
    assert message.sender_phone == PHONE
    assert message.extra == {"To": "+15005550006", "NumSegments": "1", "FromCountry": "CD"}
    assert "From" not in message.extra
    assert "AccountSid" not in message.extra
    assert message.ack_text == ""


def test_replay_is_a_duplicate_not_a_second_row(channel: Channel) -> None:
    # given a message already stored
    client = Client()
    first = twilio_post(client, channel, twilio_params())
    # when Twilio retries the very same request twice
    again = [twilio_post(client, channel, twilio_params()) for _ in range(2)]
    # then each retry is answered 200 and there is still one row
    assert first.status_code == 200
    assert [r.status_code for r in again] == [200, 200]
    assert Message.objects.count() == 1


def test_acknowledgement_is_sent_as_twiml_in_the_given_texts(channel: Channel) -> None:
    # given a channel with acknowledgements and its own English text
    Channel.objects.filter(pk=channel.pk).update(
        ack_enabled=True, ack_texts={"en": "Thanks & received <ok>", "fr": "Merci & reçu <ok>"}
    )
    channel.refresh_from_db()
    # when a message arrives (the mission works in French first; the text is English and the
    # detector, when installed, says so; without it the mission's first language is used)
    response = twilio_post(client := Client(), channel, twilio_params())
    # then the reply is a TwiML message, escaped, and the text is recorded on the message
    body = response.content.decode()
    message = Message.objects.get()
    assert message.ack_text
    assert message.ack_text in ("Thanks & received <ok>", "Merci & reçu <ok>")
    escaped = message.ack_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"<Message>{escaped}</Message>" in body
    # and a retry answers the same acknowledgement without a second row
    again = twilio_post(client, channel, twilio_params())
    assert again.content == response.content
    assert Message.objects.count() == 1


def test_public_url_setting_is_the_signed_url(channel: Channel) -> None:
    # given Palava behind a proxy: Twilio called https://sms.example.org/hooks/<id>/
    public = "https://sms.example.org"
    params = twilio_params()
    with override_settings(PALAVA_PUBLIC_URL=public):
        # when the request is signed for the public URL / then it is accepted
        ok = twilio_post(Client(), channel, params, url=public + hook_path(channel))
        # and a request signed for the internal URL is refused
        bad = twilio_post(Client(), channel, twilio_params(sid="SM0002"))
    assert ok.status_code == 200
    assert bad.status_code == 403
    assert Message.objects.count() == 1


def test_default_port_variant_is_accepted(channel: Channel) -> None:
    # given Twilio signed the URL with the explicit default port
    with override_settings(PALAVA_PUBLIC_URL="https://sms.example.org"):
        url = "https://sms.example.org:443" + hook_path(channel)
        response = twilio_post(Client(), channel, twilio_params(), url=url)
    # then it is the same URL
    assert response.status_code == 200


def test_query_string_is_part_of_the_signed_url(channel: Channel) -> None:
    # given a webhook URL configured with a query string
    response = twilio_post(Client(), channel, twilio_params(), query="a=1&b=two")
    # then the signature over URL+query is accepted
    assert response.status_code == 200


def test_whatsapp_sender_and_location(channel: Channel) -> None:
    # given a WhatsApp location message through Twilio
    params = twilio_params(From=f"whatsapp:{PHONE}", Latitude="-1.68", Longitude="29.22")
    response = twilio_post(Client(), channel, params)
    # then the number is kept without the scheme and the coordinates are stored
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.sender_phone == PHONE
    assert (message.latitude, message.longitude) == (-1.68, 29.22)


@pytest.mark.parametrize(
    ("params", "detail_part"),
    [
        ({"Body": "hello"}, "MessageSid"),
        ({"MessageSid": "SM1", "Body": "   "}, "text"),
        ({"MessageSid": "SM1", "Body": "x", "From": "not a number"}, "phone"),
        ({"MessageSid": "SM 1", "Body": "x"}, "MessageSid"),
        ({"MessageSid": "SM1", "Body": "x", "Latitude": "95", "Longitude": "1"}, "range"),
        ({"MessageSid": "SM1", "Body": "x", "Latitude": "1"}, "both"),
    ],
)
def test_signed_but_unusable_payload_is_a_clear_400(
    channel: Channel, params: dict[str, str], detail_part: str
) -> None:
    # given a correctly signed request whose content is unusable
    response = twilio_post(Client(), channel, params)
    # then 400 with a reason, and nothing stored
    assert response.status_code == 400
    assert detail_part.lower() in response.json()["detail"].lower()
    assert Message.objects.count() == 0


def test_wrong_token_and_missing_signature_are_refused(channel: Channel) -> None:
    client = Client()
    wrong = twilio_post(client, channel, twilio_params(), token="f" * 32)
    missing = twilio_post(client, channel, twilio_params(), signature="")
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert Message.objects.count() == 0


def test_rotation_keeps_the_old_token_for_the_grace_period(channel: Channel) -> None:
    # given the auth token rotated with a one-hour grace period
    new_token = "fedcba9876543210fedcba9876543210"
    channel_rotate_secret(actor=None, channel=channel, secret=new_token, grace=timedelta(hours=1))
    client = Client()
    # when requests are signed with the old and the new token
    old = twilio_post(client, channel, twilio_params(sid="SMold"), token=TWILIO_TOKEN)
    new = twilio_post(client, channel, twilio_params(sid="SMnew"), token=new_token)
    # then both are accepted during the grace period
    assert (old.status_code, new.status_code) == (200, 200)
    # and once it is over, the old one is refused
    Channel.objects.filter(pk=channel.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    channel_cache_clear()  # as the cache entry of a web process expires
    late = twilio_post(client, channel, twilio_params(sid="SMlate"), token=TWILIO_TOKEN)
    assert late.status_code == 403
    assert Message.objects.count() == 2


def test_deactivated_channel_answers_404_like_an_unknown_one(channel: Channel) -> None:
    channel_deactivate(actor=None, channel=channel)
    response = twilio_post(Client(), channel, twilio_params())
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Message.objects.count() == 0
