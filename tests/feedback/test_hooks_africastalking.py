"""The Africa's Talking SMS webhook: URL token, IP allow-list, exactly-once on ``id``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from palava.feedback.channel_selectors import channel_cache_clear
from palava.feedback.channel_services import channel_rotate_secret, channel_update
from palava.feedback.channels import SECRET_BYTES
from palava.feedback.models import Channel, ChannelType, Message
from palava.missions.models import Mission
from tests.feedback.helpers_channels import PHONE, at_params, at_post, make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(mission: Mission) -> tuple[Channel, str]:
    created = make_channel(mission, ChannelType.AFRICASTALKING)
    assert created.secret is not None
    return created.channel, created.secret


def test_generated_token_has_at_least_128_bits(made: tuple[Channel, str]) -> None:
    # given a new channel / then its token is 256 random bits, URL-safe
    _channel, token = made
    assert SECRET_BYTES * 8 >= 128
    assert len(token) >= 43
    assert all(c.isalnum() or c in "-_" for c in token)


def test_message_with_the_token_is_stored_once(made: tuple[Channel, str]) -> None:
    channel, token = made
    client = Client()
    # when the gateway posts, and then retries the same message
    first = at_post(client, channel, at_params(), token=token)
    second = at_post(client, channel, at_params(), token=token)
    # then one row, with the gateway's details but never the sender in the extras
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["status"] == "stored"
    assert second.json() == {"status": "duplicate", "id": first.json()["id"]}
    message = Message.objects.get()
    assert str(message.public_id) == first.json()["id"]
    assert message.provider_message_id == "ATXid_1"
    assert message.body == "Tension au marché de Goma"
    assert message.sender_phone == PHONE
    assert message.sent_at == datetime(2026, 11, 24, 9, 21, 53, tzinfo=UTC)
    assert message.extra == {"to": "12345", "linkId": "L1", "networkCode": "63902"}


def test_unparseable_gateway_date_is_kept_out_not_refused(made: tuple[Channel, str]) -> None:
    channel, token = made
    response = at_post(Client(), channel, at_params(date="24/11/2026 9h"), token=token)
    assert response.status_code == 200
    assert Message.objects.get().sent_at is None


@pytest.mark.parametrize("token", [None, "", "x", "wrong" * 10])
def test_missing_or_wrong_token_is_refused(made: tuple[Channel, str], token: str | None) -> None:
    channel, _token = made
    response = at_post(Client(), channel, at_params(), token=token)
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_ip_allowlist_refuses_other_addresses(made: tuple[Channel, str]) -> None:
    # given an allow-list naming the gateway's network
    channel, token = made
    channel_update(actor=None, channel=channel, data={"ip_allowlist": ["196.201.214.0/24"]})
    client = Client()
    # when the right token comes from outside / from inside the network
    outside = at_post(client, channel, at_params("a"), token=token, remote_addr="203.0.113.9")
    inside = at_post(client, channel, at_params("b"), token=token, remote_addr="196.201.214.7")
    # then only the one from inside is stored
    assert (outside.status_code, inside.status_code) == (403, 200)
    assert list(Message.objects.values_list("provider_message_id", flat=True)) == ["b"]


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(made: tuple[Channel, str]) -> None:
    channel, token = made
    channel_update(actor=None, channel=channel, data={"ip_allowlist": ["196.201.214.0/24"]})
    forged = {"X-Forwarded-For": "196.201.214.7"}
    client = Client()
    # given no trusted proxy: a forged X-Forwarded-For does not help
    spoofed = at_post(
        client, channel, at_params("a"), token=token, remote_addr="203.0.113.9", **forged
    )
    assert spoofed.status_code == 403
    # given a trusted proxy in front: its X-Forwarded-For names the client
    with override_settings(PALAVA_TRUSTED_PROXIES=["10.0.0.0/8"]):
        proxied = at_post(
            client, channel, at_params("b"), token=token, remote_addr="10.1.2.3", **forged
        )
        # and addresses a client prepended itself are not believed
        chained = at_post(
            client,
            channel,
            at_params("c"),
            token=token,
            remote_addr="10.1.2.3",
            **{"X-Forwarded-For": "196.201.214.7, 203.0.113.9"},
        )
    assert (proxied.status_code, chained.status_code) == (200, 403)
    assert Message.objects.count() == 1


def test_rotation_grace_period_then_old_token_refused(made: tuple[Channel, str]) -> None:
    channel, old = made
    rotated = channel_rotate_secret(actor=None, channel=channel)
    new = rotated.secret
    assert new
    assert new != old
    client = Client()
    assert at_post(client, channel, at_params("1"), token=old).status_code == 200
    assert at_post(client, channel, at_params("2"), token=new).status_code == 200
    Channel.objects.filter(pk=channel.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    channel_cache_clear()  # as the cache entry of a web process expires
    assert at_post(client, channel, at_params("3"), token=old).status_code == 403
    assert at_post(client, channel, at_params("4"), token=new).status_code == 200
    assert Message.objects.count() == 3


def test_rotation_without_grace_ends_the_old_token_at_once(made: tuple[Channel, str]) -> None:
    channel, old = made
    channel_rotate_secret(actor=None, channel=channel, grace=timedelta(0))
    assert at_post(Client(), channel, at_params(), token=old).status_code == 403


def test_other_channels_token_is_refused(mission: Mission, made: tuple[Channel, str]) -> None:
    channel, _token = made
    other = make_channel(mission, ChannelType.AFRICASTALKING)
    response = at_post(Client(), channel, at_params(), token=other.secret)
    assert response.status_code == 403
    assert Message.objects.count() == 0
