"""The generic JSON webhook (RapidPro-style gateways), and what every webhook shares: 404 for
unknown, inactive, web-form and hotline channels, 405 for GET, 413 for oversize bodies."""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from palava.feedback.models import MAX_WEBHOOK_BYTES, Channel, ChannelType, Message
from palava.missions.models import Mission
from tests.feedback.helpers_channels import (
    PHONE,
    generic_payload,
    generic_post,
    generic_sign,
    hook_path,
    make_channel,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(mission: Mission) -> tuple[Channel, str]:
    created = make_channel(mission, ChannelType.GENERIC)
    assert created.secret is not None
    return created.channel, created.secret


def test_signed_json_is_stored_once(made: tuple[Channel, str]) -> None:
    channel, secret = made
    client = Client()
    payload = generic_payload(
        sent_at="2026-11-24T10:00:00Z", lat=-1.68, lon=29.22, language="fr", place="Kibati"
    )
    first = generic_post(client, channel, payload, secret=secret)
    again = generic_post(client, channel, payload, secret=secret)
    assert first.status_code == 200
    assert first.json()["status"] == "stored"
    assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    message = Message.objects.get()
    assert message.provider_message_id == "gw-1"
    assert message.sent_at == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert (message.latitude, message.longitude) == (-1.68, 29.22)
    assert (message.given_language, message.given_place) == ("fr", "Kibati")


def test_rapidpro_aliases(made: tuple[Channel, str]) -> None:
    channel, secret = made
    payload = {"message_id": 42, "urn": f"tel:{PHONE}", "message": "Route coupée"}
    response = generic_post(Client(), channel, payload, secret=secret)
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.provider_message_id, message.sender_phone, message.body) == (
        "42",
        PHONE,
        "Route coupée",
    )


def test_reply_holds_the_acknowledgement_in_the_given_language(made: tuple[Channel, str]) -> None:
    channel, secret = made
    Channel.objects.filter(pk=channel.pk).update(ack_enabled=True, ack_texts={"ar": "وصلت"})
    response = generic_post(
        Client(), channel, generic_payload(language="ar", text="نحتاج ماء"), secret=secret
    )
    assert response.json()["reply"] == "وصلت"
    assert Message.objects.get().ack_text == "وصلت"
    # a language without its own text gets the built-in one
    response = generic_post(
        Client(),
        channel,
        generic_payload("gw-2", language="sw", text="Tunahitaji maji"),
        secret=secret,
    )
    assert response.json()["reply"] == "Asante. Misheni imepokea ujumbe wako."


@pytest.mark.parametrize("skew", [-301, 301, 10_000])
def test_timestamp_out_of_window_is_refused(made: tuple[Channel, str], skew: int) -> None:
    channel, secret = made
    response = generic_post(
        Client(), channel, generic_payload(), secret=secret, timestamp=int(time.time()) + skew
    )
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_timestamp_inside_window_is_accepted(made: tuple[Channel, str]) -> None:
    channel, secret = made
    response = generic_post(
        Client(), channel, generic_payload(), secret=secret, timestamp=int(time.time()) - 280
    )
    assert response.status_code == 200


def test_signature_covers_the_timestamp(made: tuple[Channel, str]) -> None:
    # given a signature made for another timestamp, sent with a fresh one
    channel, secret = made
    raw = json.dumps(generic_payload()).encode()
    now = int(time.time())
    stale = generic_sign(secret, str(now - 100), raw)
    response = generic_post(Client(), channel, raw, secret=secret, timestamp=now, signature=stale)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("raw", "detail_part"),
    [
        (b"{not json", "json"),
        (b"[1, 2]", "object"),
        (b'{"id": "1", "text": NaN}', "json"),
        (b'{"id": "1"}', "text"),
        (b'{"text": "hi"}', "id"),
        (b'{"id": "1", "text": "hi", "sent_at": "yesterday"}', "sent_at"),
        (b'{"id": "1", "text": "hi", "lat": 1}', "both"),
        (b'{"id": "1", "text": "hi", "lat": "x", "lon": 2}', "numbers"),
        (b'{"id": "1", "text": "hi", "from": 243}', "string"),
        (b'{"id": "1", "text": "hi", "language": "klingon!"}', "language"),
        (b'{"id": true, "text": "hi"}', "id"),
        (b"\xff\xfe{}", "json"),
        (b"[" * 50 + b"]" * 50, "json"),
        (b'{"a":' * 30 + b"1" + b"}" * 30, "deep"),
    ],
)
def test_signed_but_malformed_json_is_a_clear_400(
    made: tuple[Channel, str], raw: bytes, detail_part: str
) -> None:
    channel, secret = made
    response = generic_post(Client(), channel, raw, secret=secret)
    assert response.status_code == 400
    assert detail_part.lower() in response.json()["detail"].lower()
    assert Message.objects.count() == 0


def test_oversize_body_gets_413_before_anything_else(made: tuple[Channel, str]) -> None:
    channel, secret = made
    raw = json.dumps(generic_payload(text="x" * (MAX_WEBHOOK_BYTES + 1))).encode()
    response = generic_post(Client(), channel, raw, secret=secret)
    assert response.status_code == 413
    assert Message.objects.count() == 0


def test_body_longer_than_declared_is_capped(made: tuple[Channel, str]) -> None:
    # given a request that lies about its size (declares 10 bytes) / then the read is capped at
    # the declared length by the server, so the truncated body fails the signature
    channel, secret = made
    raw = json.dumps(generic_payload()).encode()
    ts = str(int(time.time()))
    response = Client().post(
        hook_path(channel),
        data=raw,
        content_type="application/json",
        headers={"X-Palava-Timestamp": ts, "X-Palava-Signature": generic_sign(secret, ts, raw)},
        CONTENT_LENGTH="10",
    )
    assert response.status_code in (400, 403)
    assert Message.objects.count() == 0


def test_bad_content_length_header_is_413(made: tuple[Channel, str]) -> None:
    channel, _secret = made
    response = Client().post(
        hook_path(channel), data=b"{}", content_type="application/json", CONTENT_LENGTH="-5"
    )
    assert response.status_code == 413


def test_get_is_405(made: tuple[Channel, str]) -> None:
    channel, _secret = made
    response = Client().get(hook_path(channel))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_unknown_channel_id_is_404(made: tuple[Channel, str]) -> None:
    _channel, secret = made
    ghost = Channel(public_id=uuid.uuid4())
    response = generic_post(Client(), ghost, generic_payload(), secret=secret)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("channel_type", [ChannelType.WEBFORM, ChannelType.HOTLINE])
def test_webform_and_hotline_webhooks_refuse_everything(
    mission: Mission, channel_type: str
) -> None:
    channel = make_channel(mission, channel_type).channel
    client = Client()
    for response in (
        generic_post(client, channel, generic_payload(), secret="anything"),
        client.post(hook_path(channel), data={"message": "hello"}),
        client.get(hook_path(channel)),
    ):
        assert response.status_code in (404, 405)
    assert Message.objects.count() == 0


def test_nothing_identifying_is_logged(
    made: tuple[Channel, str], caplog: pytest.LogCaptureFixture
) -> None:
    # given every kind of answer: stored, duplicate, refused, malformed, too large
    channel, secret = made
    client = Client()
    body = "Secret report about Kibati"
    caplog.set_level(logging.DEBUG)
    generic_post(client, channel, generic_payload(text=body), secret=secret)
    generic_post(client, channel, generic_payload(text=body), secret=secret)
    generic_post(client, channel, generic_payload(text=body), secret="wrong")
    generic_post(client, channel, b'{"id": "x", "from": "' + PHONE.encode() + b'"}', secret=secret)
    generic_post(
        client, channel, generic_payload(text=body, **{"from": "+243 99 000 11 22"}), secret=secret
    )
    # then neither the number nor the body nor the secret reaches a log record
    text = "\n".join(r.getMessage() for r in caplog.records)
    for needle in (PHONE, PHONE[1:], "990001122", body, secret):
        assert needle not in text


# --- The webhook's channel cache ----------------------------------------------------------------


def test_secret_changed_elsewhere_is_seen_at_once(made: tuple[Channel, str]) -> None:
    # given the channel cached by this process
    channel, secret = made
    client = Client()
    assert generic_post(client, channel, generic_payload("1"), secret=secret).status_code == 200
    # when another process gives it a new secret (this process's cache is not told)
    new = "n" * 43
    Channel.objects.filter(pk=channel.pk).update(secret=new)
    # then a request signed with the new secret is accepted (the refusal looks again)
    assert generic_post(client, channel, generic_payload("2"), secret=new).status_code == 200
    # and the old secret is refused (no grace period was given)
    assert generic_post(client, channel, generic_payload("3"), secret=secret).status_code == 403


def test_switched_off_here_is_404_at_once(made: tuple[Channel, str]) -> None:
    from palava.feedback.channel_services import channel_deactivate

    channel, secret = made
    client = Client()
    assert generic_post(client, channel, generic_payload("1"), secret=secret).status_code == 200
    channel_deactivate(actor=None, channel=channel)
    assert generic_post(client, channel, generic_payload("2"), secret=secret).status_code == 404


def test_cache_lifetime_and_bound(
    made: tuple[Channel, str], settings: Any, monkeypatch: pytest.MonkeyPatch, mission: Mission
) -> None:
    from palava.feedback import channel_selectors

    channel, secret = made
    client = Client()
    generic_post(client, channel, generic_payload("1"), secret=secret)
    # a change made elsewhere that a cached entry hides ...
    Channel.objects.filter(pk=channel.pk).update(is_active=False)
    assert generic_post(client, channel, generic_payload("2"), secret=secret).status_code == 200
    # ... is seen once entries expire (here: no cache at all)
    settings.PALAVA_CHANNEL_CACHE_SECONDS = 0
    assert generic_post(client, channel, generic_payload("3"), secret=secret).status_code == 404
    # made-up ids are never kept, and the cache never grows past its bound
    settings.PALAVA_CHANNEL_CACHE_SECONDS = 60
    made_up = [uuid.uuid4() for _ in range(5)]
    for key in made_up:
        assert channel_selectors.channel_for_hook(key) == (None, False)
    assert not set(made_up) & set(channel_selectors._hook_cache)
    monkeypatch.setattr(channel_selectors, "HOOK_CACHE_MAX", 2)
    for _ in range(3):
        found, _cached = channel_selectors.channel_for_hook(
            make_channel(mission, ChannelType.GENERIC).channel.public_id
        )
        assert found is not None
    assert 1 <= len(channel_selectors._hook_cache) <= 2
