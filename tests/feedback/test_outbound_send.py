"""Sending through the real loopback gateway over HTTP: exactly one delivered message whatever
the gateway does (fails, refuses, times out, answers 500 then 200), back-off on a frozen clock,
the dead letter, expired leases, and never a second send after a success."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from palava.feedback.models import ChannelType, OutboundStatus
from palava.feedback.outbound.services import BACKOFF, _claim, outbound_send_due
from palava.missions.models import Mission
from tests.feedback.gateway import Fault, LoopbackGateway
from tests.feedback.helpers_outbound import PHONE, enqueue, fresh, sending_channel

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
TYPES = [ChannelType.GENERIC, ChannelType.TWILIO, ChannelType.AFRICASTALKING]


@pytest.fixture
def gw() -> Iterator[LoopbackGateway]:
    with LoopbackGateway() as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def _short_timeout(settings):  # type: ignore[no-untyped-def]
    settings.PALAVA_OUTBOUND_TIMEOUT = 0.4
    settings.PALAVA_PUBLIC_URL = "http://testserver"


@pytest.mark.parametrize("channel_type", TYPES)
def test_each_provider_api_gets_one_message_with_its_key(
    mission: Mission, gw: LoopbackGateway, channel_type: str
) -> None:
    channel, _secret = sending_channel(mission, channel_type, gateway=gw)
    row = enqueue(channel, key="k-one")

    assert outbound_send_due() == 1

    row = fresh(row)
    assert row.status == OutboundStatus.SENT
    assert len(gw.messages) == 1
    sent = gw.messages[0]
    assert sent.api == channel_type
    assert (sent.to, sent.text) == (PHONE, "Your report C-00001 has been received.")
    assert row.provider_message_id == sent.provider_id
    assert gw.requests[0].key == "k-one"
    # never re-sent after the success, however often the worker runs
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=5), tick=False):
        assert outbound_send_due() == 0
    assert len(gw.requests) == 1


def test_the_same_key_is_one_row(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    first = enqueue(channel, key="same")
    again = enqueue(channel, key="same", body="another text")
    assert first.pk == again.pk
    outbound_send_due()
    assert len(gw.messages) == 1


def test_503_then_success_after_the_backoff(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(Fault(status=503))
    with time_machine.travel(T0, tick=False):
        row = enqueue(channel)
        outbound_send_due()
        row = fresh(row)
        assert (row.status, row.attempts, row.last_error) == ("retrying", 1, "HTTP 503")
        assert row.next_attempt_at is not None
        assert T0 + timedelta(seconds=30) <= row.next_attempt_at <= T0 + timedelta(seconds=33)
        assert outbound_send_due() == 0  # not due yet
    with time_machine.travel(T0 + timedelta(seconds=34), tick=False):
        assert outbound_send_due() == 1
    assert fresh(row).status == OutboundStatus.SENT
    assert len(gw.requests) == 2
    assert len(gw.messages) == 1


def test_connection_refused_then_success(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.down()
    with time_machine.travel(T0, tick=False):
        row = enqueue(channel)
        outbound_send_due()
    row = fresh(row)
    assert row.status == OutboundStatus.RETRYING
    assert row.last_error.startswith("connection failed")
    gw.up()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        outbound_send_due()
    assert fresh(row).status == OutboundStatus.SENT
    assert len(gw.messages) == 1


def test_timeout_then_retry_is_deduplicated_by_the_key(
    mission: Mission, gw: LoopbackGateway
) -> None:
    """The gateway accepts the message after Palava stopped waiting; the retry carries the same
    key, so the provider answers with the first message: one SMS, not two."""
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(Fault(delay=1.0))
    with time_machine.travel(T0, tick=False):
        row = enqueue(channel)
        started = time.monotonic()
        outbound_send_due()
        assert time.monotonic() - started < 1.0  # gave up at the timeout
    row = fresh(row)
    assert (row.status, row.last_error) == ("retrying", "timed out")
    time.sleep(1.0)  # the slow request completes on the gateway's side
    assert len(gw.messages) == 1
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        outbound_send_due()
    row = fresh(row)
    assert row.status == OutboundStatus.SENT
    assert len(gw.messages) == 1
    assert row.provider_message_id == gw.messages[0].provider_id
    assert [r.key for r in gw.requests] == [row.idempotency_key] * 2


def test_500_then_200_when_the_provider_had_accepted_it(
    mission: Mission, gw: LoopbackGateway
) -> None:
    channel, _ = sending_channel(mission, ChannelType.TWILIO, gateway=gw)
    gw.fail_next(Fault(status=500, accept=True))
    with time_machine.travel(T0, tick=False):
        row = enqueue(channel)
        outbound_send_due()
    assert fresh(row).status == OutboundStatus.RETRYING
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        outbound_send_due()
    row = fresh(row)
    assert row.status == OutboundStatus.SENT
    assert len(gw.requests) == 2
    assert len(gw.messages) == 1
    assert row.provider_message_id == gw.messages[0].provider_id


def test_connection_reset_is_retried(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(Fault(reset=True))
    with time_machine.travel(T0, tick=False):
        row = enqueue(channel)
        outbound_send_due()
    assert fresh(row).status == OutboundStatus.RETRYING
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        outbound_send_due()
    assert fresh(row).status == OutboundStatus.SENT
    assert len(gw.messages) == 1


def test_backoff_schedule_then_dead_letter(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(*[Fault(status=503)] * 6)
    now = T0
    with time_machine.travel(now, tick=False):
        row = enqueue(channel)
    waits = []
    for attempt in range(1, 7):
        with time_machine.travel(now, tick=False):
            assert outbound_send_due() == 1
        row = fresh(row)
        assert row.attempts == attempt
        if attempt < 6:
            assert row.status == OutboundStatus.RETRYING
            assert row.next_attempt_at is not None
            wait = row.next_attempt_at - now
            base = BACKOFF[attempt - 1]
            assert base <= wait <= base * 1.1
            waits.append(wait)
            with time_machine.travel(now + wait - timedelta(seconds=1), tick=False):
                assert outbound_send_due() == 0  # one second early: nothing
            now = row.next_attempt_at
    assert len(waits) == 5
    assert row.status == OutboundStatus.DEAD
    assert row.failed_at == now
    assert row.next_attempt_at is None
    assert len(gw.requests) == 6
    assert gw.messages == []
    with time_machine.travel(now + timedelta(days=1), tick=False):
        assert outbound_send_due() == 0  # a dead letter waits for a person


def test_a_refused_request_is_not_retried(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(Fault(status=400))
    row = enqueue(channel)
    outbound_send_due()
    row = fresh(row)
    assert (row.status, row.attempts, row.last_error) == ("dead", 1, "HTTP 400")


def test_expired_lease_is_sent_again_with_the_same_key(
    mission: Mission, gw: LoopbackGateway
) -> None:
    """A worker killed between claiming and recording: after the lease the row is sent again,
    with the same key, and the provider (which had it) does not send it twice."""
    channel, _ = sending_channel(mission, gateway=gw)
    with time_machine.travel(T0, tick=False):
        row = enqueue(channel)
        assert _claim(row.pk, T0) is not None  # the killed worker's claim
        assert outbound_send_due() == 0  # held by the lease
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert outbound_send_due() == 1
    row = fresh(row)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(gw.messages) == 1


def test_history_and_errors_carry_no_number_or_text(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(Fault(status=503))
    row = enqueue(channel, body="secret words here")
    outbound_send_due()
    dumped = json.dumps(fresh(row).history) + fresh(row).last_error
    assert PHONE not in dumped
    assert "secret words" not in dumped
    assert "990001122" not in dumped


def test_sandbox_is_delivered_without_any_request(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw, mode="sandbox")
    row = enqueue(channel)
    outbound_send_due()
    row = fresh(row)
    assert row.status == OutboundStatus.DELIVERED
    assert row.delivered_at is not None
    assert gw.requests == []


def test_off_channel_refuses_to_enqueue(mission: Mission, gw: LoopbackGateway) -> None:
    from django.core.exceptions import ValidationError

    channel, _ = sending_channel(mission, gateway=gw, mode="off")
    with pytest.raises(ValidationError):
        enqueue(channel)
