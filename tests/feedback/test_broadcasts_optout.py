"""Acceptance: an opted-out number never receives a broadcast.

End to end: reporters opt in and out by sending START / STOP (in several languages), actors
consent and some of them send STOP; a broadcast is scheduled, the periodic task sends it with a
frozen clock, the outbound sender delivers through the real loopback HTTP gateway, and the
gateway never sees an opted-out number, whether it said STOP before the broadcast was written,
after it was scheduled, or after its message was already queued; a number that is both a
reporter and an actor gets one message, or none once it said STOP.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from palava.feedback.broadcasts.services import broadcast_schedule
from palava.feedback.broadcasts.tasks import feedback_broadcasts_send
from palava.feedback.models import Broadcast, BroadcastStatus, OutboundMessage, OutboundStatus
from palava.feedback.outbound.services import outbound_send_due
from tests.feedback.gateway import LoopbackGateway
from tests.feedback.helpers_broadcasts import (
    broadcast,
    consenting_actor,
    digits,
    keyword,
    opted_in_reporter,
)
from tests.feedback.helpers_inbox import make_channel, make_geo
from tests.feedback.helpers_outbound import sending_channel

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def gateway() -> Iterator[LoopbackGateway]:
    with LoopbackGateway() as gw:
        yield gw


def _received(gateway: LoopbackGateway) -> Counter[str]:
    return Counter(digits(sent.to) for sent in gateway.messages)


def test_an_opted_out_number_never_receives_a_broadcast(mission, gateway) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as clock:
        geo = make_geo(mission)
        inbound = make_channel(mission)  # SMS in; sends nothing (no STOP confirmations)
        sender, _secret = sending_channel(mission, gateway=gateway)
        _stays, stays_phone = opted_in_reporter(inbound, geo.north_town)
        _early, early_phone = opted_in_reporter(inbound, geo.north_town)
        _late, late_phone = opted_in_reporter(inbound, geo.north)
        _queued, queued_phone = opted_in_reporter(inbound, geo.north_town, language="ar")
        _both_r, both_phone = opted_in_reporter(inbound, geo.north_town)
        _both_a, _same = consenting_actor(mission, geo.north_town, phone=both_phone)
        _chief, chief_phone = consenting_actor(mission, geo.north_town)
        _imam, imam_phone = consenting_actor(mission, geo.north)
        # Said STOP before the broadcast was written: a reporter, and the number that is both
        # a reporter and an actor (in Arabic), and an actor (in French, accented).
        keyword(inbound, early_phone, "STOP")
        keyword(inbound, both_phone, "توقف")
        keyword(inbound, imam_phone, "Arrêt")
        message = broadcast(mission, sender, admin_units=[geo.north])
        broadcast_schedule(broadcast=message, actor="test", scheduled_at=T0 + timedelta(hours=1))

        # After it was scheduled, before it is sent.
        clock.move_to(T0 + timedelta(minutes=20))
        keyword(inbound, late_phone, "stop")
        assert feedback_broadcasts_send.call() == {"broadcasts": 0}  # not due yet

        clock.move_to(T0 + timedelta(hours=1))
        assert feedback_broadcasts_send.call() == {"broadcasts": 1}
        assert OutboundMessage.objects.filter(broadcast=message).count() == 3
        # After its message was queued, before the gateway is called.
        keyword(inbound, queued_phone, "UNSUBSCRIBE")
        outbound_send_due()

    received = _received(gateway)
    assert received == Counter({digits(stays_phone): 1, digits(chief_phone): 1})
    for phone in (early_phone, late_phone, queued_phone, both_phone, imam_phone):
        assert digits(phone) not in received
    rows = {
        digits(row.recipient_phone or ""): row.status
        for row in OutboundMessage.objects.filter(broadcast=message)
    }
    assert rows[digits(queued_phone)] == OutboundStatus.SUPPRESSED
    assert {rows[digits(stays_phone)], rows[digits(chief_phone)]} <= {
        OutboundStatus.SENT,
        OutboundStatus.DELIVERED,
    }
    message = Broadcast.objects.get(pk=message.pk)
    assert message.status == BroadcastStatus.SENT
    assert message.suppressed_count == 4  # early, both (counted once), imam, late


def test_a_number_that_is_reporter_and_actor_gets_one_message(mission, gateway) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        geo = make_geo(mission)
        inbound = make_channel(mission)
        sender, _secret = sending_channel(mission, gateway=gateway)
        _reporter, phone = opted_in_reporter(inbound, geo.north_town)
        consenting_actor(mission, geo.north_town, phone=phone)
        consenting_actor(mission, geo.south_town, phone=phone.replace("+", "00"))  # same number
        message = broadcast(mission, sender)
        broadcast_schedule(broadcast=message, actor="test")
        feedback_broadcasts_send.call()
        outbound_send_due()
    assert _received(gateway) == Counter({digits(phone): 1})


def test_start_after_stop_receives_again(mission, gateway) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        geo = make_geo(mission)
        inbound = make_channel(mission)
        sender, _secret = sending_channel(mission, gateway=gateway)
        _reporter, phone = opted_in_reporter(inbound, geo.north_town)
        keyword(inbound, phone, "STOP")
        keyword(inbound, phone, "START")
        message = broadcast(mission, sender)
        broadcast_schedule(broadcast=message, actor="test")
        feedback_broadcasts_send.call()
        outbound_send_due()
    assert _received(gateway) == Counter({digits(phone): 1})
