"""Broadcast audience and sending: filters by place, group, actor type and language; consent;
the periodic task with a frozen clock; a crash half-way never sends anything twice; texts per
language; cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from palava.actors.services import consent_withdraw
from palava.feedback.broadcasts import services
from palava.feedback.broadcasts.audience import audience_of, audience_preview
from palava.feedback.broadcasts.selectors import broadcast_stats
from palava.feedback.broadcasts.tasks import feedback_broadcasts_send
from palava.feedback.models import Broadcast, BroadcastStatus, OutboundMessage, OutboundStatus
from palava.feedback.outbound import services as outbound_services
from tests.feedback.helpers_broadcasts import (
    broadcast,
    consenting_actor,
    digits,
    group,
    member,
    opted_in_reporter,
)
from tests.feedback.helpers_inbox import make_channel, make_geo, make_message
from tests.feedback.helpers_outbound import sending_channel

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _numbers(message: Broadcast) -> set[str]:
    return {
        digits(row.recipient_phone or "")
        for row in OutboundMessage.objects.filter(broadcast=message)
    }


def _send(message: Broadcast) -> Broadcast:
    services.broadcast_schedule(broadcast=message, actor="test")
    services.broadcasts_send_due()
    return Broadcast.objects.get(pk=message.pk)


@pytest.fixture
def world(mission) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    geo = make_geo(mission)
    inbound = make_channel(mission)
    sender, _secret = sending_channel(mission, mode="sandbox")
    return {"geo": geo, "inbound": inbound, "sender": sender}


def test_place_filter_takes_the_unit_and_everything_inside_it(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    _a, in_town = opted_in_reporter(world["inbound"], geo.north_town)
    _b, in_province = opted_in_reporter(world["inbound"], geo.north)
    _c, south = opted_in_reporter(world["inbound"], geo.south_town)
    _d, chief = consenting_actor(mission, geo.north_town)
    _e, south_chief = consenting_actor(mission, geo.south)
    sent = _send(broadcast(mission, world["sender"], admin_units=[geo.north]))
    assert _numbers(sent) == {digits(in_town), digits(in_province), digits(chief)}
    assert digits(south) not in _numbers(sent)
    assert digits(south_chief) not in _numbers(sent)


def test_reporter_place_is_their_latest_placed_message(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    _a, phone = opted_in_reporter(world["inbound"], geo.south_town)
    make_message(
        world["inbound"], "Nous avons déménagé", phone=phone, unit=geo.north_town, reporter=True
    )
    sent = _send(broadcast(mission, world["sender"], admin_units=[geo.north]))
    assert _numbers(sent) == {digits(phone)}


def test_only_reporters_who_opted_in(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    _a, opted_in = opted_in_reporter(world["inbound"], geo.north_town)
    make_message(world["inbound"], "Bonjour", phone="+243811111111", unit=geo.north, reporter=True)
    sent = _send(broadcast(mission, world["sender"]))
    assert _numbers(sent) == {digits(opted_in)}


def test_only_actors_with_active_messaging_consent(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    _a, consenting = consenting_actor(mission, geo.north_town)
    consenting_actor(mission, geo.north_town, consent=False)
    withdrawn, _phone = consenting_actor(mission, geo.north_town)
    consent_withdraw(actor=None, consent=withdrawn.consents.get())
    sent = _send(broadcast(mission, world["sender"], to_reporters=False))
    assert _numbers(sent) == {digits(consenting)}


def test_group_and_actor_type_filters(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    women = group(mission)
    in_group, in_group_phone = consenting_actor(mission, geo.north_town)
    member(in_group, women)
    _b, imam = consenting_actor(mission, geo.north_town, actor_type="religious_leader")
    _c, other = consenting_actor(mission, geo.north_town, actor_type="business")
    _r, reporter = opted_in_reporter(world["inbound"], geo.north_town)
    only_group = _send(broadcast(mission, world["sender"], groups=[women], to_reporters=False))
    assert _numbers(only_group) == {digits(in_group_phone)}
    either = _send(
        broadcast(
            mission,
            world["sender"],
            groups=[women],
            actor_types=["religious_leader"],
            to_reporters=False,
        )
    )
    assert _numbers(either) == {digits(in_group_phone), digits(imam)}
    assert digits(other) not in _numbers(either)
    assert digits(reporter) not in _numbers(either)


def test_language_filter_and_text_per_language(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    _a, french = opted_in_reporter(world["inbound"], geo.north_town, language="fr")
    _b, english = opted_in_reporter(world["inbound"], geo.north_town, language="en")
    _c, swahili = opted_in_reporter(world["inbound"], geo.north_town, language="sw")
    _d, arabic_actor = consenting_actor(mission, geo.north_town, languages=["ar", "en"])
    everyone = _send(broadcast(mission, world["sender"]))
    texts = {
        digits(row.recipient_phone or ""): (row.language, row.body)
        for row in OutboundMessage.objects.filter(broadcast=everyone)
    }
    assert texts[digits(english)] == ("en", "The distribution is on Saturday at the market.")
    assert texts[digits(french)][0] == "fr"
    assert texts[digits(swahili)] == ("fr", "La distribution aura lieu samedi au marché.")
    assert texts[digits(arabic_actor)][0] == "fr"  # no Arabic text: the default
    only_en = _send(broadcast(mission, world["sender"], languages=["en"]))
    assert _numbers(only_en) == {digits(english), digits(arabic_actor)}
    assert {r.language for r in OutboundMessage.objects.filter(broadcast=only_en)} == {"en"}


def test_preview_counts_without_identities(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    opted_in_reporter(world["inbound"], geo.north_town)
    _a, phone = opted_in_reporter(world["inbound"], geo.north_town)
    consenting_actor(mission, geo.north_town, phone=phone)
    consenting_actor(mission, geo.north_town)
    preview = audience_preview(audience_of(broadcast(mission, world["sender"])))
    assert (preview.total, preview.reporters, preview.actors) == (3, 2, 1)
    assert preview.duplicates == 1


def test_scheduled_broadcast_waits_for_its_time(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    with time_machine.travel(T0, tick=False) as clock:
        _a, phone = opted_in_reporter(world["inbound"], geo.north_town)
        message = broadcast(mission, world["sender"])
        services.broadcast_schedule(
            broadcast=message, actor="test", scheduled_at=T0 + timedelta(hours=2)
        )
        clock.move_to(T0 + timedelta(hours=1, minutes=59))
        assert feedback_broadcasts_send.call() == {"broadcasts": 0}
        assert not OutboundMessage.objects.filter(broadcast=message).exists()
        clock.move_to(T0 + timedelta(hours=2))
        assert feedback_broadcasts_send.call() == {"broadcasts": 1}
        message = Broadcast.objects.get(pk=message.pk)
        assert message.status == BroadcastStatus.SENT
        assert message.started_at == T0 + timedelta(hours=2)
        assert _numbers(message) == {digits(phone)}
        assert feedback_broadcasts_send.call() == {"broadcasts": 0}  # never twice


def test_crash_half_way_then_rerun_sends_each_number_once(mission, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    with time_machine.travel(T0, tick=False) as clock:
        phones = [opted_in_reporter(world["inbound"], geo.north_town)[1] for _ in range(5)]
        message = broadcast(mission, world["sender"])
        services.broadcast_schedule(broadcast=message, actor="test")
        real = outbound_services.outbound_enqueue
        calls = {"n": 0}

        def dies_on_the_third(**kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("worker killed")
            return real(**kwargs)

        monkeypatch.setattr(outbound_services, "outbound_enqueue", dies_on_the_third)
        with pytest.raises(RuntimeError):
            feedback_broadcasts_send.call()
        monkeypatch.setattr(outbound_services, "outbound_enqueue", real)
        assert OutboundMessage.objects.filter(broadcast=message).count() == 2  # first batch
        assert Broadcast.objects.get(pk=message.pk).status == BroadcastStatus.SENDING
        # Another run at once leaves it alone (its sender may still be alive) ...
        assert feedback_broadcasts_send.call() == {"broadcasts": 0}
        # ... and takes it over once the lease ran out.
        clock.move_to(T0 + services.SENDING_LEASE + timedelta(seconds=1))
        assert feedback_broadcasts_send.call() == {"broadcasts": 1}
        clock.move_to(T0 + services.SENDING_LEASE * 3)
        assert feedback_broadcasts_send.call() == {"broadcasts": 0}
        outbound_services.outbound_send_due()
    rows = list(OutboundMessage.objects.filter(broadcast=message))
    assert sorted(digits(r.recipient_phone or "") for r in rows) == sorted(map(digits, phones))
    assert {r.status for r in rows} == {OutboundStatus.DELIVERED}  # sandbox
    stats = broadcast_stats(Broadcast.objects.get(pk=message.pk))
    assert (stats.total, stats.delivered, stats.percent_done) == (5, 5, 100)


def test_cancel_stops_what_is_not_sent_yet(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    opted_in_reporter(world["inbound"], geo.north_town)
    opted_in_reporter(world["inbound"], geo.north_town)
    message = broadcast(mission, world["sender"])
    services.broadcast_schedule(broadcast=message, actor="test")
    services.broadcasts_send_due()  # two messages queued, none handed to the gateway yet
    services.broadcast_cancel(broadcast=message, actor="test")
    assert outbound_services.outbound_send_due() == 0
    statuses = set(
        OutboundMessage.objects.filter(broadcast=message).values_list("status", flat=True)
    )
    assert statuses == {OutboundStatus.CANCELLED}
    assert broadcast_stats(Broadcast.objects.get(pk=message.pk)).cancelled == 2
    later = broadcast(mission, world["sender"])
    services.broadcast_schedule(
        broadcast=later, actor="test", scheduled_at=datetime.now(UTC) + timedelta(hours=1)
    )
    services.broadcast_cancel(broadcast=later, actor="test")
    assert services.broadcasts_send_due(now=datetime.now(UTC) + timedelta(hours=2)) == 0
    assert not OutboundMessage.objects.filter(broadcast=later).exists()


def test_validation(mission, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        broadcast(mission, world["sender"], texts={"en": "only English"}, default_language="fr")
    with pytest.raises(ValidationError):
        broadcast(mission, world["sender"], to_reporters=False, to_actors=False)
    off = make_channel(mission)
    draft = broadcast(mission, off)
    with pytest.raises(ValidationError):
        services.broadcast_schedule(broadcast=draft, actor="test")
    sent = _send(broadcast(mission, world["sender"]))
    outbound_services.outbound_send_due()
    with pytest.raises(ValidationError):  # nothing left to stop
        services.broadcast_cancel(broadcast=sent, actor="test")
