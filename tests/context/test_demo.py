"""The cultural-context demo: entries across every topic and level with a review story, and a
cultural calendar; written through the services, loaded once."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.utils import timezone

from palava.actors.demo import demo_actors, load_actors
from palava.actors.models import ActorType
from palava.audit.models import AuditEvent
from palava.context.calendar_rules import rule_params_clean
from palava.context.calendar_selectors import activity_clashes
from palava.context.demo import load_context
from palava.context.demo_calendar import EVENTS
from palava.context.demo_entries import ENTRIES, STRICTLY
from palava.context.models import (
    CalendarEvent,
    EntryStatus,
    EventCategory,
    KnowledgeEntry,
    KnowledgeRevision,
    KnowledgeTranslation,
    Topic,
)
from palava.context.recurrence import RuleKind
from palava.context.selectors import entries_visible, entry_is_stale
from palava.core.demo import loaders
from palava.core.sensitivity import Sensitivity
from palava.engagement.selectors import zone_of
from palava.missions.demo import demo_base_load
from palava.missions.models import Membership, Mission, Role
from palava.places.demo import demo_geography, load_places

ISLAMIC = 10  # palava.context.hijri.ISLAMIC_HOLIDAYS
CHRISTIAN = 9  # palava.context.recurrence.CHRISTIAN_HOLIDAYS


def test_the_loader_runs_after_places_and_actors() -> None:
    order = {name.rsplit(".", 1)[-1]: n for n, name in loaders()}
    assert order["load_context"] == 800
    assert order["load_context"] > max(order["load_places"], order["load_actors"])


def test_the_planned_entries_cover_every_topic_and_level_with_four_eyes() -> None:
    geography = demo_geography()
    levels = {u.pcode: u.level for u in geography.units}
    sites = {s.code for s in geography.sites}
    actor_keys = set(demo_actors().by_key())
    assert {e.topic for e in ENTRIES} == set(Topic.values)
    assert {levels[e.place] for e in ENTRIES if e.place in levels} == {1, 2, 3}
    assert sum(e.place in sites for e in ENTRIES) >= 3
    for entry in ENTRIES:
        assert entry.place in levels or entry.place in sites, entry.title
        assert set(entry.actors) <= actor_keys, entry.title
        last_editor = entry.edits[-1].by if entry.edits else entry.author
        if entry.reviewer is not None:
            assert entry.reviewer not in (entry.author, last_editor), entry.title
        # the liaison officer is scoped to the province CDX1 and writes only there
        if Role.LIAISON in (entry.author, *(edit.by for edit in entry.edits)):
            assert entry.place.startswith("CDX1"), entry.title
        if entry.sensitivity == STRICTLY:
            assert entry.author in (Role.MANAGER, Role.ADMIN), entry.title
        assert all(t.language != entry.language for t in entry.translations), entry.title
        assert all(not t.outdated or entry.edits for t in entry.translations), entry.title
        assert len(entry.title) <= 200
        assert len(entry.source) <= 300
    assert len({(e.place, e.title) for e in ENTRIES}) == len(ENTRIES)


def test_the_planned_events_have_valid_rules_and_translated_titles() -> None:
    codes = {u.pcode for u in demo_geography().units} | {s.code for s in demo_geography().sites}
    assert len({(e.key, e.place) for e in EVENTS}) == len(EVENTS)
    for event in EVENTS:
        assert re.fullmatch(r"[a-z0-9-]+", event.key), event.key
        assert event.place is None or event.place in codes, event.key
        assert event.fr, event.key
        assert event.ar, event.key
        if event.rule_kind != RuleKind.ONCE:
            assert rule_params_clean(event.rule_kind, event.rule) is not None


def _counts(mission: Mission) -> tuple[int, ...]:
    return (
        KnowledgeEntry.objects.filter(mission=mission).count(),
        KnowledgeRevision.objects.filter(entry__mission=mission).count(),
        KnowledgeTranslation.objects.filter(entry__mission=mission).count(),
        CalendarEvent.objects.filter(mission=mission).count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_the_context_demo_loads_a_reviewed_knowledge_base_and_a_calendar_once() -> None:
    # given the demo mission, geography and actors
    demo = demo_base_load(io.StringIO())
    mission = demo.mission
    load_places(mission, demo.users, io.StringIO())
    load_actors(mission, demo.users, io.StringIO())
    audit_before = AuditEvent.objects.count()
    # when the context demo loads
    out = io.StringIO()
    load_context(mission, demo.users, out)
    # then every planned entry and event is there
    assert re.match(
        rf"context: {len(ENTRIES)} entries, {ISLAMIC + CHRISTIAN} standard holidays and "
        rf"{len(EVENTS)} calendar events created",
        out.getvalue(),
    )
    entries = KnowledgeEntry.objects.filter(mission=mission)
    assert entries.count() == len(ENTRIES) >= 35
    assert set(entries.values_list("topic", flat=True)) == set(Topic.values)
    assert entries.filter(site__isnull=False).count() >= 3
    levels = set(
        entries.filter(admin_unit__isnull=False).values_list("admin_unit__level", flat=True)
    )
    assert levels == {1, 2, 3}

    # most reviewed by someone who neither wrote nor last changed them, a few waiting
    statuses = Counter(entries.values_list("status", flat=True))
    assert statuses[EntryStatus.REVIEWED] >= 0.75 * len(ENTRIES)
    assert statuses[EntryStatus.IN_REVIEW] >= 2
    assert statuses[EntryStatus.DRAFT] >= 2  # one never submitted, one returned
    assert entries.filter(status=EntryStatus.DRAFT).exclude(review_note="").count() == 1
    for entry in entries.filter(status=EntryStatus.REVIEWED):
        assert entry.reviewer_id is not None
        assert entry.reviewed_at is not None
        assert entry.reviewer_id not in (entry.author_id, entry.updated_by_id), entry.title
        assert entry.created_at < entry.reviewed_at, entry.title
    # a few stale: validity passed, or reviewed more than a year ago
    now = timezone.now()
    today = timezone.localdate(now, timezone=zone_of(mission))
    reviewed = entries.filter(status=EntryStatus.REVIEWED)
    stale = [e for e in reviewed if entry_is_stale(e, now=now)]
    assert 3 <= len(stale) <= 8
    assert reviewed.filter(valid_until__lt=today).count() >= 2
    assert reviewed.filter(reviewed_at__lt=now - dt.timedelta(days=365)).count() >= 2
    # mixed classifications, one strictly confidential entry (linked to armed-group figures)
    sensitivities = Counter(entries.values_list("sensitivity", flat=True))
    assert sensitivities[int(Sensitivity.INTERNAL)] > sensitivities[int(Sensitivity.CONFIDENTIAL)]
    assert sensitivities[int(Sensitivity.CONFIDENTIAL)] >= 5
    strictly = entries.get(sensitivity=int(Sensitivity.STRICTLY_CONFIDENTIAL))
    assert {a.actor_type for a in strictly.actors.all()} == {ActorType.ARMED_GROUP_FIGURE}
    assert entries.filter(actors__isnull=False).distinct().count() >= 12
    # revisions for the edited ones, each version kept
    edited = entries.filter(version__gt=1)
    assert edited.count() == sum(1 for e in ENTRIES if e.edits)
    assert edited.filter(version=3).exists()
    for entry in entries:
        versions = list(entry.revisions.order_by("version").values_list("version", flat=True))
        assert versions == list(range(1, entry.version + 1)), entry.title
    # translations in French, Arabic and English, a few out of date
    translations = KnowledgeTranslation.objects.filter(entry__mission=mission).select_related(
        "entry"
    )
    assert {t.language for t in translations} == {"fr", "ar", "en"}
    assert translations.count() == sum(len(e.translations) for e in ENTRIES)
    outdated = [t for t in translations if t.source_version < t.entry.version]
    assert len(outdated) == sum(t.outdated for e in ENTRIES for t in e.translations) >= 1
    assert entries.filter(language="fr").count() >= 2
    # the services wrote their audit rows
    actions = Counter(
        AuditEvent.objects.filter(mission=mission, action__startswith="context.").values_list(
            "action", flat=True
        )
    )
    assert actions["context.entry.create"] == len(ENTRIES)
    assert actions["context.entry.approve"] == statuses[EntryStatus.REVIEWED]
    assert actions["context.translation.set"] == translations.count()
    assert actions["context.event.create"] == len(EVENTS) + ISLAMIC + CHRISTIAN

    # the liaison officer (scoped to Kivalunga) sees its entries and those above, no others
    liaison = Membership.objects.get(mission=mission, user=demo.users[Role.LIAISON])
    seen = entries_visible(membership=liaison)
    assert seen.exists()
    assert not seen.filter(admin_unit__pcode__startswith="CDX2").exists()
    assert not seen.filter(sensitivity=int(Sensitivity.STRICTLY_CONFIDENTIAL)).exists()
    # a viewer sees reviewed entries only, none above internal
    viewer = Membership.objects.get(mission=mission, user=demo.users[Role.VIEWER])
    assert set(entries_visible(membership=viewer).values_list("status", flat=True)) == {
        EntryStatus.REVIEWED
    }
    assert not entries_visible(membership=viewer).filter(sensitivity__gt=1).exists()

    # the calendar: holidays, national days, markets, seasons and ceremonies
    events = CalendarEvent.objects.filter(mission=mission)
    assert events.count() == len(EVENTS) + ISLAMIC + CHRISTIAN
    assert set(events.values_list("category", flat=True)) == set(EventCategory.values)
    assert events.filter(category=EventCategory.MARKET).count() >= 6
    assert events.filter(category=EventCategory.ISLAMIC).count() == ISLAMIC
    assert events.filter(key="independence-day", rule={"month": 6, "day": 30}).exists()
    assert events.filter(warn=False).exists()
    assert all(set(e.titles) >= {"en", "fr", "ar"} for e in events)
    ceremony = events.get(key="enthronement-nozi")
    assert dt.date.fromisoformat(ceremony.rule["start"]) == today + dt.timedelta(days=40)
    # and a Thursday in Ndemwamba clashes with its market day
    officer = Membership.objects.get(mission=mission, user=demo.users[Role.OFFICER])
    unit = mission.admin_units.get(pcode="CDX10105")
    thursday = today + dt.timedelta(days=(3 - today.weekday()) % 7)
    reasons = [
        c.reason for c in activity_clashes(membership=officer, admin_unit=unit, starts_at=thursday)
    ]
    assert any("Ndemwamba market days" in reason for reason in reasons)
    assert AuditEvent.objects.count() > audit_before

    # when it loads again (as every `palava demo` start does)
    before = _counts(mission)
    again = io.StringIO()
    load_context(mission, demo.users, again)
    # then nothing was added, not even an audit row
    assert _counts(mission) == before
    assert "context: 0 entries, 0 standard holidays and 0 calendar events" in again.getvalue()
