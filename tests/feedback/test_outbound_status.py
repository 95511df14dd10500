"""Delivery-status callbacks ``/hooks/<uuid>/status/`` for the three gateway types: signed like
the inbound webhook (forged -> 403), size-capped (413), strict (400), unknown ids ignored
(200), and one end-to-end over real HTTP from the loopback gateway to a live server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from palava.feedback.models import (
    MAX_WEBHOOK_BYTES,
    Channel,
    ChannelType,
    OutboundMessage,
    OutboundStatus,
)
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Mission
from tests.feedback.gateway import LoopbackGateway, Sent, generic_sign
from tests.feedback.helpers_outbound import enqueue, fresh, sending_channel

TYPES = [ChannelType.GENERIC, ChannelType.TWILIO, ChannelType.AFRICASTALKING]
DELIVERED = {"generic": "delivered", "twilio": "delivered", "africastalking": "Success"}
FAILED = {"generic": "failed", "twilio": "undelivered", "africastalking": "Rejected"}


@pytest.fixture
def gw() -> Iterator[LoopbackGateway]:
    with LoopbackGateway() as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def _settings(settings):  # type: ignore[no-untyped-def]
    settings.PALAVA_OUTBOUND_TIMEOUT = 2
    settings.PALAVA_PUBLIC_URL = "http://testserver"


def _sent(
    mission: Mission, gw: LoopbackGateway, channel_type: str
) -> tuple[Channel, OutboundMessage, Sent]:
    channel, secret = sending_channel(mission, channel_type, gateway=gw)
    gw.at_status_url = (
        f"http://testserver/hooks/{channel.public_id}/status/?{urlencode({'token': secret})}"
    )
    row = enqueue(channel)
    outbound_send_due()
    assert fresh(row).status == OutboundStatus.SENT
    return channel, row, gw.messages[0]


def _post(client: Client, gw: LoopbackGateway, sent: Sent, status: str, **changes):  # type: ignore[no-untyped-def]
    cb = gw.status_callback(sent, status)
    body = changes.get("body", cb.body)
    headers = {**cb.headers, **changes.get("headers", {})}
    return client.post(
        changes.get("path", cb.path), data=body, content_type=cb.content_type, headers=headers
    )


@pytest.mark.django_db
@pytest.mark.parametrize("channel_type", TYPES)
def test_delivered_report_marks_the_message_delivered(
    mission: Mission, gw: LoopbackGateway, channel_type: str
) -> None:
    _channel, row, sent = _sent(mission, gw, channel_type)
    response = _post(Client(), gw, sent, DELIVERED[channel_type])
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok"}
    row = fresh(row)
    assert row.status == OutboundStatus.DELIVERED
    assert row.delivered_at is not None
    # a late "failed" never takes a delivered message back
    assert _post(Client(), gw, sent, FAILED[channel_type]).status_code == 200
    assert fresh(row).status == OutboundStatus.DELIVERED


@pytest.mark.django_db
@pytest.mark.parametrize("channel_type", TYPES)
def test_failed_report_marks_it_undelivered(
    mission: Mission, gw: LoopbackGateway, channel_type: str
) -> None:
    _channel, row, sent = _sent(mission, gw, channel_type)
    assert _post(Client(), gw, sent, FAILED[channel_type]).status_code == 200
    assert fresh(row).status == OutboundStatus.UNDELIVERED


@pytest.mark.django_db
@pytest.mark.parametrize("channel_type", TYPES)
def test_forged_report_is_refused(mission: Mission, gw: LoopbackGateway, channel_type: str) -> None:
    _channel, row, sent = _sent(mission, gw, channel_type)
    cb = gw.status_callback(sent, DELIVERED[channel_type])
    if channel_type == ChannelType.AFRICASTALKING:
        path = cb.path.split("?")[0] + "?token=" + "x" * 43
        response = Client().post(path, data=cb.body, content_type=cb.content_type)
    else:
        name = "X-Palava-Signature" if channel_type == "generic" else "X-Twilio-Signature"
        forged = cb.headers[name][:-4] + "AAAA"
        response = _post(Client(), gw, sent, DELIVERED[channel_type], headers={name: forged})
    assert response.status_code == 403
    assert fresh(row).status == OutboundStatus.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("channel_type", TYPES)
def test_oversized_and_malformed_reports(
    mission: Mission, gw: LoopbackGateway, channel_type: str
) -> None:
    _channel, row, sent = _sent(mission, gw, channel_type)
    big = b"x" * (MAX_WEBHOOK_BYTES + 1)
    assert _post(Client(), gw, sent, "delivered", body=big).status_code == 413
    response = _post(Client(), gw, sent, "exploded")  # a status nobody knows, correctly signed
    assert response.status_code == 400
    assert "detail" in response.json()
    assert fresh(row).status == OutboundStatus.SENT


@pytest.mark.django_db
def test_malformed_json_generic(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _row, _sent_msg = _sent(mission, gw, ChannelType.GENERIC)
    raw = b'{"id": "gw-1", "status": '
    ts = str(int(time.time()))
    headers = {
        "X-Palava-Timestamp": ts,
        "X-Palava-Signature": generic_sign(gw.callback_secret, ts, raw),
    }
    path = f"/hooks/{channel.public_id}/status/"
    response = Client().post(path, data=raw, content_type="application/json", headers=headers)
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("channel_type", TYPES)
def test_unknown_provider_id_is_ignored_with_200(
    mission: Mission, gw: LoopbackGateway, channel_type: str
) -> None:
    _channel, row, sent = _sent(mission, gw, channel_type)
    other = Sent(
        api=sent.api,
        provider_id="never-sent-0001",
        key="",
        to=sent.to,
        sender="",
        text="",
        account=sent.account,
        token=sent.token,
        callback_url=sent.callback_url.split("?")[0] if channel_type != "africastalking" else "",
    )
    response = _post(Client(), gw, other, DELIVERED[channel_type])
    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert fresh(row).status == OutboundStatus.SENT


@pytest.mark.django_db
def test_get_and_unknown_channel(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _row, _sent_msg = _sent(mission, gw, ChannelType.GENERIC)
    assert Client().get(f"/hooks/{channel.public_id}/status/").status_code == 405
    response = Client().post(
        "/hooks/00000000-0000-0000-0000-000000000000/status/",
        data=b"{}",
        content_type="application/json",
    )
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_callback_over_real_http_from_the_gateway(
    live_server: Any, settings: Any, mission: Mission
) -> None:
    """The gateway posts the delivered report itself, over HTTP, to a running server."""
    settings.PALAVA_PUBLIC_URL = live_server.url
    with LoopbackGateway() as gw:
        channel, _secret = sending_channel(mission, ChannelType.TWILIO, gateway=gw)
        row = enqueue(channel)
        outbound_send_due()
        assert gw.send_status(gw.messages[0], "delivered") == 200
        assert fresh(row).status == OutboundStatus.DELIVERED
        forged = gw.messages[0]
        forged.token = "not-the-token-0000000000"
        assert gw.send_status(forged, "failed") == 403
    assert fresh(row).status == OutboundStatus.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_gateway_reports_delivery_by_itself(
    live_server: Any, settings: Any, mission: Mission
) -> None:
    """``auto_status``: the gateway posts "delivered" right after accepting (the browser test
    and the bench rely on it); a report that overtakes the send answer still finds its row."""
    settings.PALAVA_PUBLIC_URL = live_server.url
    with LoopbackGateway() as gw:
        gw.auto_status = "delivered"
        channel, _secret = sending_channel(mission, ChannelType.GENERIC, gateway=gw)
        row = enqueue(channel)
        outbound_send_due()
        deadline = time.monotonic() + 10
        while fresh(row).status != OutboundStatus.DELIVERED and time.monotonic() < deadline:
            time.sleep(0.1)
        assert gw.callback_errors == []
        assert gw.messages[0].statuses == [("delivered", 200)]
    row = fresh(row)
    assert row.status == OutboundStatus.DELIVERED
    assert row.provider_message_id == gw.messages[0].provider_id
    assert row.sent_at is not None
