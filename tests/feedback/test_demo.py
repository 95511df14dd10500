"""The demo feedback line: about 5,000 messages over six months through every channel type,
triaged into clusters and the restricted queue, with staff work and a trained model; idempotent.
"""

from __future__ import annotations

import functools
import io
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.core import crypto
from palava.core.demo import demo_load
from palava.feedback.channels import Inbound
from palava.feedback.demo import DEMO_CHANNELS, demo_channels_ensure, message_row
from palava.feedback.demo_plan import (
    EVENTS,
    FICTIONAL_PHONE_PREFIX,
    TREND_ATTACK,
    DemoPlace,
    PlannedMessage,
    demo_messages,
)
from palava.feedback.demo_text import CATEGORIES, TEMPLATES, compose
from palava.feedback.hooks import store
from palava.feedback.models import (
    Channel,
    ChannelType,
    Classifier,
    Cluster,
    LabelSource,
    Message,
    MessageStatus,
    Reporter,
)
from palava.places.demo import demo_geography
from tests.factories import MissionFactory

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@functools.cache
def geography_places() -> list[DemoPlace]:
    """The demo geography's places as the loader reads them, without a database."""
    plan = demo_geography()
    units = {u.pcode: u for u in plan.units}

    def chain(pcode: str) -> tuple[str, str]:
        unit = units[pcode]
        while unit.level > 2 and unit.parent:
            unit = units[unit.parent]
        territory = unit.pcode
        return units[territory].parent or "", territory

    places = [
        DemoPlace(u.name, u.alt_names, f"adm{u.level}", *chain(u.pcode), u.pcode,
                  u.centroid[1] if u.centroid else None, u.centroid[0] if u.centroid else None)
        for u in plan.units
        if u.level in (2, 3)
    ]  # fmt: skip
    places += [
        DemoPlace(s.name, s.alt_names, s.kind, *chain(s.unit), s.unit, s.latitude, s.longitude)
        for s in plan.sites
        if s.kind in ("village", "town", "idp_camp")
    ]
    return places


def test_the_plan_is_six_months_of_realistic_deterministic_messages() -> None:
    # when the plan is made twice, the second time a day later
    plan = demo_messages(geography_places(), now=NOW)
    again = demo_messages(geography_places(), now=NOW + timedelta(days=1))
    # then texts, senders and ids are the same (times move with "now")
    assert [(p.provider_message_id, p.body, p.phone) for p in plan] == [
        (p.provider_message_id, p.body, p.phone) for p in again
    ]
    assert len({p.provider_message_id for p in plan}) == len(plan)
    # and there are about 5,000 over the six months before now, none in the future
    assert 4_800 <= len(plan) <= 5_200
    received = [p.received_at(NOW) for p in plan]
    assert max(received) <= NOW
    assert NOW - min(received) <= timedelta(days=183)
    # in the three main languages, a few Swahili and Portuguese, through every channel
    languages = Counter(p.language for p in plan)
    assert all(languages[code] >= 0.15 * len(plan) for code in ("en", "fr", "ar"))
    assert 0 < languages["sw"] + languages["pt"] < 0.1 * len(plan)
    assert set(Counter(p.channel for p in plan)) == set(ChannelType.values)
    # every category, the restricted ones a small share
    truths = Counter(p.category for p in plan)
    assert set(truths) == set(CATEGORIES)
    restricted = truths["sea"] + truths["gbv"] + truths["child_protection"]
    assert 0.01 * len(plan) < restricted < 0.06 * len(plan)
    # from a few hundred fictional numbers, some people writing again and again
    senders = Counter(crypto.normalise_phone(p.phone) for p in plan if p.phone)
    assert 300 <= len(senders) <= 700
    assert all(phone.startswith(FICTIONAL_PHONE_PREFIX) for phone in senders)
    assert max(senders.values()) >= 50
    # more messages lately than at the start (the line becomes known), fewer on Sundays
    first, last = (
        sum(1 for r in received if lo <= NOW - r < hi)
        for lo, hi in ((timedelta(days=154), timedelta(days=182)), (timedelta(0), timedelta(28)))
    )
    assert last > first * 1.2
    local = [r + timedelta(hours=2) for r in received]
    weekdays = Counter(r.weekday() for r in local)
    assert weekdays[6] < 0.8 * weekdays[3]
    assert sum(1 for r in local if 1 <= r.hour < 4) < sum(1 for r in local if 7 <= r.hour < 10) / 4
    # web-form reports carry coordinates, and place names are the geography's own
    assert sum(1 for p in plan if p.latitude is not None) >= 150
    names = {n.casefold() for place in geography_places() for n in (place.name, *place.variants)}
    named = [p for p in plan if p.place_unit]
    assert len(named) > 0.7 * len(plan)
    assert sum(1 for p in named[:200] if any(n in p.body.casefold() for n in names)) > 150
    # and no template slot is left unfilled
    assert not [p.body for p in plan if re.search(r"\{\w+\}", p.body)]


def test_bursts_and_the_tension_trend_are_in_the_plan() -> None:
    plan = demo_messages(geography_places(), now=NOW)
    by_event: dict[str, list[PlannedMessage]] = {}
    for planned in plan:
        by_event.setdefault(planned.event, []).append(planned)
    # every burst is its reports about one place, in one category, within half a day
    for event in EVENTS:
        reports = by_event[event.name]
        assert len(reports) == event.reports
        assert len({p.place_unit for p in reports if p.place_unit}) == 1
        assert {p.category for p in reports} == {event.category}
        times = [p.seconds_ago for p in reports]
        assert max(times) - min(times) <= event.span_hours * 3600
    # and tension in one area rises week after week before the attack there
    trend = by_event["trend"]
    attack = next(e for e in EVENTS if e.name == TREND_ATTACK)
    weeks = Counter((p.seconds_ago // 86_400 - attack.days_ago) // 7 for p in trend)
    assert weeks[0] + weeks[1] > 4 * (weeks[8] + weeks[9])
    assert {p.place_unit for p in trend if p.place_unit} == {by_event[TREND_ATTACK][0].place_unit}


def test_every_template_fills_and_every_category_speaks_english_french_and_arabic() -> None:
    rng = random.Random(1)
    for template in TEMPLATES:
        text = compose(template, rng, place="Kivalunga", place2="Mwatome").text
        assert text
        assert "{" not in text, template
        assert "}" not in text, template
    languages = Counter((t.category, t.language) for t in TEMPLATES)
    assert all(languages[(c, lang)] for c in CATEGORIES for lang in ("en", "fr", "ar"))


def _fields(message: Message) -> dict[str, Any]:
    skip = {"id", "public_id", "mission", "channel", "received_at", "created_at", "updated_at"}
    return {
        f.name: getattr(message, f.attname)
        for f in Message._meta.concrete_fields
        if f.name not in skip
    }


@pytest.mark.django_db
def test_a_bulk_demo_row_is_exactly_what_the_webhook_stores() -> None:
    # given the demo's channels in two missions, and one planned message per channel type
    bulk_mission, hook_mission = MissionFactory(), MissionFactory()
    bulk = demo_channels_ensure(bulk_mission, "test")
    hook = demo_channels_ensure(hook_mission, "test")
    plan = demo_messages(geography_places(), now=NOW)
    samples = {p.channel: p for p in plan if p.phone and p.body}
    samples[ChannelType.WEBFORM] = next(
        p for p in plan if p.channel == ChannelType.WEBFORM and p.latitude is not None
    )
    assert set(samples) == set(ChannelType.values)
    for channel_type, planned in samples.items():
        # when one is stored by the demo's bulk path and the other through the webhook's store
        Message.objects.bulk_create([message_row(bulk[channel_type], planned, now=NOW)])
        stored = store(
            hook[channel_type],
            Inbound(
                provider_message_id=planned.provider_message_id,
                body=planned.body,
                sender_phone=planned.phone,
                sent_at=planned.sent_at(NOW),
                latitude=planned.latitude,
                longitude=planned.longitude,
                given_place=planned.given_place,
                given_language=planned.given_language,
                extra=dict(planned.extra),
            ),
        )
        # then every field matches, the pseudonym and the decrypted number included
        assert stored.created
        from_bulk = Message.objects.get(channel=bulk[channel_type])
        from_hook = Message.objects.get(pk=stored.message.pk)
        assert _fields(from_bulk) == _fields(from_hook), channel_type
        assert from_bulk.sender_pseudonym
        assert from_bulk.received_at == planned.received_at(NOW)
    # and the stored numbers are encrypted, never plaintext
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sender_phone FROM {Message._meta.db_table} "  # noqa: S608 - constant table
            "WHERE sender_phone IS NOT NULL"
        )
        raw = [row[0] for row in cursor.fetchall()]
    assert raw
    assert not [value for value in raw if "999" in value[:8] or value.startswith("+")]
    # and the acknowledging channel recorded the text sent back
    assert Message.objects.filter(channel=bulk[ChannelType.AFRICASTALKING]).get().ack_text


def _counts() -> dict[str, int]:
    return {
        "messages": Message.objects.count(),
        "channels": Channel.objects.count(),
        "clusters": Cluster.objects.count(),
        "reporters": Reporter.objects.count(),
        "classifiers": Classifier.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_loads_six_months_of_triaged_messages_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # when the demo loads (and its commit enqueues the model training, run at once here)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo = demo_load(stdout=out)
    mission = demo.mission
    messages = Message.objects.filter(mission=mission)
    total = messages.count()
    now = timezone.now()
    # then about 5,000 messages span the last six months
    assert 4_800 <= total <= 5_200
    span = messages.aggregate(first=Min("received_at"), last=Max("received_at"))
    assert span["last"] <= now
    assert timedelta(days=170) <= span["last"] - span["first"] <= timedelta(days=183)
    # through one channel of every type, each with messages
    channels = Channel.objects.filter(mission=mission)
    assert sorted(c.name for c in channels) == sorted(name for name, _t, _a in DEMO_CHANNELS)
    used = set(messages.values_list("channel__channel_type", flat=True).distinct())
    assert used == set(ChannelType.values)
    # all triaged, in English, French and Arabic above all
    assert not messages.filter(triaged_at__isnull=True).exists()
    assert not messages.filter(status=MessageStatus.NEW).exists()
    languages = Counter(messages.values_list("language", flat=True))
    assert all(languages[code] >= 0.1 * total for code in ("en", "fr", "ar")), languages
    # with a small restricted queue, clusters of near-duplicates and places found
    restricted = messages.filter(is_restricted=True).count()
    assert 0 < restricted < 0.1 * total
    clusters = Cluster.objects.filter(mission=mission, size__gt=1)
    assert clusters.count() >= 5
    assert max(c.size for c in clusters) >= 10
    assert messages.filter(admin_unit__isnull=False).count() > 0.5 * total
    assert messages.filter(place_source=LabelSource.COORDINATES).exists()
    # from a few hundred reporters, some of them writing often
    reporters = Reporter.objects.filter(mission=mission)
    assert 300 <= reporters.count() <= 700
    assert reporters.filter(message_count__gte=20).exists()
    # and staff have worked: corrections (training data), statuses, spam, a trained model
    assert messages.filter(category_source=LabelSource.STAFF).count() >= 200
    statuses = Counter(messages.values_list("status", flat=True))
    assert statuses[MessageStatus.CLOSED] > 0.3 * total
    assert statuses[MessageStatus.REVIEWED] > 0
    assert statuses[MessageStatus.SPAM] > 0
    assert statuses[MessageStatus.OPEN] > 0
    assert AuditEvent.objects.filter(action="message.relabel", mission=mission).exists()
    model = Classifier.objects.get(mission=mission, target="category")
    assert model.metrics["per_class"]
    assert model.trained_on >= 200
    # and no number was printed
    assert FICTIONAL_PHONE_PREFIX not in out.getvalue()
    # when it loads again, as every `palava demo` start does
    before = _counts()
    again = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo_load(stdout=again)
    # then nothing was added, not even an audit row
    assert _counts() == before
    assert "0 messages created" in again.getvalue()
