"""The cultural-context demo: a knowledge base and a cultural calendar for the demo places.

On top of the demo geography and actors (``palava.places.demo``, ``palava.actors.demo``), this
loader writes

1. about forty context entries (:mod:`palava.context.demo_entries`) across the ten topics, at
   province, territory and chiefdom level and at a few sites: most reviewed by a colleague other
   than their author and last editor, some waiting for review, a draft, one returned to its
   author, a few stale (validity passed, or last reviewed more than a year ago); some
   confidential, one strictly confidential; several with revisions, linked demo actors, and
   French, Arabic or English translations (a few of them out of date);
2. the cultural calendar (:mod:`palava.context.demo_calendar`): the standard Islamic and
   Christian holidays, national days, weekly market days, harvest and transhumance seasons, a
   chief's court day and local ceremonies.

Everything goes through the knowledge and calendar services, written by the demo users (the
liaison officer, scoped to one province, writes about that province), so revisions and audit
rows are those real use makes. Only record timestamps are moved back afterwards (creation
before the review, revisions a few days apart) so that pages show a plausible history; a review
date in the past goes through ``entry_review(now=...)``.

Idempotent: an entry is found again by its place and the title of its first version, an event by
its key and place, holidays by their standard keys; a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.utils import timezone

from palava.accounts.models import User
from palava.actors.demo import demo_actors
from palava.actors.models import Actor
from palava.context.calendar_services import event_create, holidays_install
from palava.context.demo_calendar import EVENTS, PlannedEvent
from palava.context.demo_entries import ENTRIES, PlannedEntry
from palava.context.knowledge_services import (
    entry_create,
    entry_review,
    entry_submit,
    entry_update,
    translation_set,
)
from palava.context.models import (
    CalendarEvent,
    KnowledgeEntry,
    KnowledgeRevision,
    KnowledgeTranslation,
)
from palava.context.recurrence import RuleKind
from palava.core.demo import Output, demo_loader
from palava.engagement.selectors import zone_of
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit, Site

#: Who installs the standard holidays and writes mission-wide events.
CALENDAR_EDITOR = Role.MANAGER


@dataclass
class _World:
    """What the loader needs from the database, read once."""

    mission: Mission
    users: dict[str, User]
    members: dict[str, Membership]
    units: dict[str, AdminUnit]
    sites: dict[str, Site]
    actors: dict[str, Actor]  # plan key -> actor

    def place(self, code: str) -> tuple[AdminUnit | None, Site | None]:
        return self.units.get(code), self.sites.get(code)

    def has_place(self, code: str) -> bool:
        return code in self.units or code in self.sites


def _world(mission: Mission, users: dict[str, User]) -> _World:
    members = {
        role: membership
        for role, user in users.items()
        if (
            membership := Membership.objects.filter(
                mission=mission, user=user, is_active=True
            ).first()
        )
        is not None
    }
    by_name = {
        (a.name, a.actor_type): a for a in Actor.objects.filter(mission=mission, is_active=True)
    }
    actors = {
        key: found
        for key, planned in demo_actors().by_key().items()
        if (found := by_name.get((planned.name, planned.actor_type))) is not None
    }
    return _World(
        mission=mission,
        users=users,
        members=members,
        units={u.pcode: u for u in AdminUnit.objects.filter(mission=mission)},
        sites={
            s.code: s for s in Site.objects.filter(mission=mission).select_related("admin_unit")
        },
        actors=actors,
    )


# --- Knowledge entries -----------------------------------------------------------------------


def _existing_entries(mission: Mission) -> set[tuple[str, str]]:
    """(place code, title of version 1) of the mission's entries."""
    rows = KnowledgeRevision.objects.filter(entry__mission=mission, version=1).values_list(
        "entry__admin_unit__pcode", "entry__site__code", "title"
    )
    return {(pcode or code or "", title) for pcode, code, title in rows}


def _can_write(world: _World, planned: PlannedEntry) -> bool:
    roles = [planned.author, *(edit.by for edit in planned.edits)]
    if planned.reviewer:
        roles.append(planned.reviewer)
    return world.has_place(planned.place) and all(role in world.members for role in roles)


def _entry_load(
    world: _World, planned: PlannedEntry, *, now: dt.datetime, today: dt.date
) -> KnowledgeEntry:
    """Replay the entry's story: written, edited, translated, submitted and reviewed."""
    unit, site = world.place(planned.place)
    author, author_member = world.users[planned.author], world.members[planned.author]
    valid_until = (
        today + dt.timedelta(days=planned.valid_days) if planned.valid_days is not None else None
    )
    entry = entry_create(
        actor=author,
        membership=author_member,
        topic=planned.topic,
        title=planned.title,
        body=planned.first_body,
        language=planned.language,
        sensitivity=planned.sensitivity,
        source=planned.source,
        admin_unit=unit,
        site=site,
        valid_until=valid_until,
        actors=[world.actors[key] for key in planned.actors if key in world.actors],
    )
    last_role = planned.author
    for index, edit in enumerate(planned.edits):
        if index == len(planned.edits) - 1:
            _translate(world, entry, planned, outdated=True)
        entry = entry_update(
            actor=world.users[edit.by],
            membership=world.members[edit.by],
            entry=entry,
            note=edit.note,
            body=planned.body_after(index),
        )
        last_role = edit.by
    _translate(world, entry, planned, outdated=False)
    if planned.outcome == "draft":
        return entry
    entry = entry_submit(
        actor=world.users[last_role], membership=world.members[last_role], entry=entry
    )
    if planned.outcome == "in_review" or planned.reviewer is None:
        return entry
    reviewer = world.users[planned.reviewer]
    if planned.outcome == "returned":
        return entry_review(
            actor=reviewer,
            membership=world.members[planned.reviewer],
            entry=entry,
            approve=False,
            note=planned.review_note or "Please check the source.",
        )
    return entry_review(
        actor=reviewer,
        membership=world.members[planned.reviewer],
        entry=entry,
        approve=True,
        note=planned.review_note,
        now=now - dt.timedelta(days=planned.reviewed_days_ago),
    )


def _translate(
    world: _World, entry: KnowledgeEntry, planned: PlannedEntry, *, outdated: bool
) -> None:
    """The planned translations made at this point (outdated ones before the last edit)."""
    for translation in planned.translations:
        if translation.outdated != outdated:
            continue
        translator = planned.author
        translation_set(
            actor=world.users[translator],
            membership=world.members[translator],
            entry=entry,
            language=translation.language,
            title=translation.title,
            body=translation.body,
        )


def _backdate(entry: KnowledgeEntry, planned: PlannedEntry, *, now: dt.datetime) -> None:
    """Move the record timestamps back so the history reads as it happened: written some weeks
    before the review, each revision a week after the previous one."""
    reviewed = now - dt.timedelta(days=planned.reviewed_days_ago)
    end = reviewed if entry.reviewed_at is not None else now - dt.timedelta(days=2)
    versions = entry.version
    start = end - dt.timedelta(days=7 * versions + 3)
    KnowledgeEntry.objects.filter(pk=entry.pk).update(created_at=start)
    for revision in KnowledgeRevision.objects.filter(entry=entry):
        when = start + dt.timedelta(days=7 * (revision.version - 1))
        KnowledgeRevision.objects.filter(pk=revision.pk).update(created_at=when, updated_at=when)
    for translation in KnowledgeTranslation.objects.filter(entry=entry):
        when = start + dt.timedelta(days=7 * (translation.source_version - 1) + 2)
        KnowledgeTranslation.objects.filter(pk=translation.pk).update(
            created_at=when, updated_at=when
        )


def entries_load(world: _World, *, now: dt.datetime, today: dt.date) -> int:
    """Create the planned entries that are missing; how many were created."""
    existing = _existing_entries(world.mission)
    created = 0
    for planned in ENTRIES:
        if (planned.place, planned.title) in existing or not _can_write(world, planned):
            continue
        entry = _entry_load(world, planned, now=now, today=today)
        _backdate(entry, planned, now=now)
        existing.add((planned.place, planned.title))
        created += 1
    return created


# --- Calendar --------------------------------------------------------------------------------


def _event_editor(planned: PlannedEvent) -> str:
    """The liaison officer writes the events of their province, the officer the others, the
    manager the mission-wide ones."""
    if planned.place is None:
        return CALENDAR_EDITOR
    if planned.place.startswith("CDX1"):
        return Role.LIAISON
    return Role.OFFICER


def _rule(planned: PlannedEvent, today: dt.date) -> dict[str, object]:
    if planned.rule_kind != RuleKind.ONCE:
        return dict(planned.rule)
    start = today + dt.timedelta(days=planned.once_days)
    end = start + dt.timedelta(days=planned.once_length - 1)
    return {"start": start.isoformat(), "end": end.isoformat()}


def events_load(world: _World, *, today: dt.date) -> int:
    """Create the planned events that are missing (by key and place); how many were created."""
    existing: set[tuple[str, str | None, str | None]] = set(
        CalendarEvent.objects.filter(mission=world.mission).values_list(
            "key", "admin_unit__pcode", "site__code"
        )
    )
    created = 0
    for planned in EVENTS:
        unit, site = world.place(planned.place) if planned.place else (None, None)
        if planned.place is not None and unit is None and site is None:
            continue
        where = (
            planned.key,
            unit.pcode if unit is not None else None,
            site.code if site is not None else None,
        )
        editor = _event_editor(planned)
        if where in existing or editor not in world.members:
            continue
        event_create(
            actor=world.users[editor],
            membership=world.members[editor],
            category=planned.category,
            title=planned.title,
            titles={"en": planned.title, "fr": planned.fr, "ar": planned.ar},
            rule_kind=planned.rule_kind,
            rule=_rule(planned, today),
            note=planned.note,
            warn=planned.warn,
            admin_unit=unit,
            site=site,
            key=planned.key,
        )
        existing.add(where)
        created += 1
    return created


def holidays_load(world: _World) -> int:
    """The standard Islamic and Christian holidays, mission-wide (idempotent by key)."""
    if CALENDAR_EDITOR not in world.members:
        return 0
    user, member = world.users[CALENDAR_EDITOR], world.members[CALENDAR_EDITOR]
    return sum(
        holidays_install(actor=user, membership=member, which=which)
        for which in ("islamic", "christian")
    )


def context_demo_load(*, mission: Mission, users: dict[str, User]) -> dict[str, int]:
    """Create what is missing of the context demo in ``mission``; counts of what was created."""
    counts = {"entries": 0, "events": 0, "holidays": 0}
    world = _world(mission, users)
    if not world.units:
        return counts
    now = timezone.now()
    today = timezone.localdate(now, timezone=zone_of(mission))
    counts["entries"] = entries_load(world, now=now, today=today)
    counts["holidays"] = holidays_load(world)
    counts["events"] = events_load(world, today=today)
    return counts


@demo_loader(order=800)
def load_context(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    """Context entries and the cultural calendar for the demo places (idempotent)."""
    started = time.monotonic()
    counts = context_demo_load(mission=mission, users=users)
    seconds = time.monotonic() - started
    stdout.write(
        "context: {entries} entries, {holidays} standard holidays and {events} calendar events "
        "created".format(**counts)
        + (f" in {seconds:.1f} s" if counts["entries"] else "")
        + "\n"
    )
