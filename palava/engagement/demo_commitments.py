"""The engagement demo's commitments ledger: 80 promises in every state, with their history.

Most promises were made at a held demo activity (same place and day); the others during field
visits. Each status comes with a timeline that fits it: the status changes, the reminder the
scheduler sent ``reminder_days`` before the due date and the escalation the day after it, if the
commitment was still open then; evidence and community verification for many kept ones. Found
again by description (each names its place), so a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from palava.accounts.models import User
from palava.actors.models import Actor, ActorType
from palava.engagement.demo_activities import document_store
from palava.engagement.demo_files import pdf_file
from palava.engagement.demo_places import DemoPlace, local_at, mission_zone
from palava.engagement.demo_text import (
    PROMISES,
    VERIFICATION_NOTES,
)
from palava.engagement.demo_timeline import plan_timeline
from palava.engagement.models import (
    OPEN_STATUSES,
    Activity,
    ActivityStatus,
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentEvidence,
    CommitmentStatus,
    EvidenceKind,
    Partner,
    PartyKind,
    Verification,
    default_commitment_sensitivity,
)
from palava.missions.models import Mission, Role

SEED = 20_260_308
TOTAL = 80
STATUS_COUNTS = {
    CommitmentStatus.PENDING: 20,
    CommitmentStatus.IN_PROGRESS: 18,
    CommitmentStatus.DONE: 24,
    CommitmentStatus.BROKEN: 8,
    CommitmentStatus.CANCELLED: 10,
}
KIND_COUNTS = {
    PartyKind.MISSION: 22,
    PartyKind.LOCAL_AUTHORITY: 14,
    PartyKind.GOVERNMENT: 6,
    PartyKind.COMMUNITY: 14,
    PartyKind.ARMED_GROUP: 8,
    PartyKind.PARTNER: 10,
    PartyKind.OTHER: 6,
}
UNLINKED = 15  # promises made during field visits, not at a recorded activity
MIN_CLOSED_AGE = 21  # days: a promise closed in the demo is at least this old
FILE_EVIDENCE = 2


def _slots(
    activities: list[Activity], places: list[DemoPlace], today: date, rng: random.Random
) -> list[tuple[Activity | None, DemoPlace, date]]:
    """Where and when each promise was made: held activities (two or three each), then visits."""
    by_unit = {p.unit.pk: p for p in places}
    held = [
        a
        for a in activities
        if a.status == ActivityStatus.HELD and a.starts_at.date() < today and a.admin_unit_id
    ]
    held.sort(key=lambda a: a.starts_at)
    slots: list[tuple[Activity | None, DemoPlace, date]] = []
    n = 0
    while len(slots) < TOTAL - UNLINKED and held:
        activity = held[n % len(held)]
        slots.append((activity, by_unit[activity.admin_unit_id], activity.starts_at.date()))
        n += 1
    while len(slots) < TOTAL:
        slots.append((None, rng.choice(places), today - timedelta(days=rng.randint(5, 170))))
    return slots


def _statuses(ages: list[int], rng: random.Random) -> list[str]:
    """A status per slot (by age in days): closed ones only for old enough promises."""
    pool = [s for s, n in STATUS_COUNTS.items() for _ in range(n)]
    rng.shuffle(pool)
    out: list[str] = []
    for age in ages:
        pick = 0
        if age < MIN_CLOSED_AGE:
            pick = next((i for i, s in enumerate(pool) if s in OPEN_STATUSES), 0)
        out.append(pool.pop(pick))
    return out


def _party(
    kind: str,
    place: DemoPlace,
    rng: random.Random,
    actors: dict[str, list[Actor]],
    paths: dict[int, str],
    partners: list[Partner],
    used: set[str],
) -> tuple[str, str, str, str, Actor | None, int]:
    """(made by, made to kind, made to, what, actor who made it, sensitivity) for a promise."""
    templates = PROMISES[kind]
    partner = partners[rng.randrange(len(partners))] if partners else None
    names = {"place": place.unit.name, "partner": partner.acronym if partner else "a partner"}
    start = rng.randrange(len(templates))
    by, to_kind, to, what = templates[start]
    for n in range(len(templates)):
        by, to_kind, to, what = templates[(start + n) % len(templates)]
        if what.format(**names) not in used:
            break
    description = what.format(**names)
    if description in used:
        description += " (renewed promise)"
    used.add(description)
    made_by: Actor | None = None
    sensitivity = default_commitment_sensitivity(kind)

    def near(types: tuple[str, ...], prefix: str) -> Actor | None:
        found = [a for t in types for a in actors.get(t, []) if paths[a.pk].startswith(prefix)]
        return found[rng.randrange(len(found))] if found else None

    if kind == PartyKind.ARMED_GROUP and rng.random() < 0.6:
        made_by = near((ActorType.ARMED_GROUP_FIGURE,), f"/COD/{place.unit.pcode[:4]}/")
        if made_by is not None:
            sensitivity = max(sensitivity, made_by.sensitivity)
    elif kind == PartyKind.LOCAL_AUTHORITY:
        made_by = near((ActorType.TRADITIONAL_AUTHORITY, ActorType.LOCAL_OFFICIAL), place.unit.path)
    elif kind == PartyKind.COMMUNITY:
        made_by = near((ActorType.YOUTH_GROUP, ActorType.WOMENS_GROUP), place.unit.path)
    elif kind == PartyKind.PARTNER and partner is not None:
        made_by = partner.actor
    return by.format(**names), to_kind, to.format(**names), description, made_by, int(sensitivity)


def commitments_ensure(
    *,
    mission: Mission,
    users: dict[str, User],
    places: list[DemoPlace],
    activities: list[Activity],
    partners: list[Partner],
    today: date,
    reminder_days: int,
) -> int:
    """Create the planned commitments that are missing; returns how many were created."""
    zone = mission_zone(mission)
    now = timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data
    existing = set(Commitment.objects.filter(mission=mission).values_list("description", flat=True))
    all_actors = list(
        Actor.objects.filter(mission=mission, is_active=True).select_related("admin_unit")
    )
    paths = {a.pk: a.admin_unit.path if a.admin_unit else "" for a in all_actors}
    actors: dict[str, list[Actor]] = {}
    for actor in sorted(all_actors, key=lambda a: a.name):
        actors.setdefault(actor.actor_type, []).append(actor)
    slots = sorted(_slots(activities, places, today, rng), key=lambda s: s[2])
    statuses = _statuses([(today - made).days for _a, _p, made in slots], rng)
    kinds = [k for k, n in KIND_COUNTS.items() for _ in range(n)]
    rng.shuffle(kinds)
    later = sorted(
        (a for a in activities if a.status == ActivityStatus.HELD), key=lambda a: a.starts_at
    )
    last = Commitment.objects.filter(mission=mission).order_by("-number").first()
    next_number = (last.number if last else 0) + 1
    used: set[str] = set()
    created = files = 0
    for n, ((activity, place, made), status, kind) in enumerate(
        zip(slots, statuses, kinds, strict=True)
    ):
        rng = random.Random(f"{SEED}:{n}")  # noqa: S311 - one stream per promise
        by, to_kind, to, what, made_by, sensitivity = _party(
            kind, place, rng, actors, paths, partners, used
        )
        owner = users.get(Role.LIAISON) if place.unit.pcode.startswith("CDX1") else None
        owner = owner or users.get(Role.OFFICER)
        made_at = (
            (activity.ends_at or activity.starts_at) + timedelta(minutes=30)
            if activity is not None
            else local_at(made, 16, zone)
        )
        due, line, changed = plan_timeline(status, made_at, today, now, reminder_days, rng, zone)
        if what in existing:
            continue
        commitment = Commitment(
            mission=mission,
            number=next_number,
            made_by_kind=kind,
            made_by_name=by,
            made_by_actor=made_by,
            made_to_kind=to_kind,
            made_to_name=to,
            description=what,
            admin_unit=place.unit,
            activity=activity,
            made_on=made,
            due_date=due,
            status=status,
            status_changed_at=changed,
            status_note=next((e[4] for e in reversed(line.events) if e[1] == "status"), ""),
            owner=owner,
            sensitivity=sensitivity,
            reminder_sent_at=next((e[0] for e in line.events if e[1] == "reminder"), None),
            escalated_at=next((e[0] for e in line.events if e[1] == "escalation"), None),
            created_by=owner,
        )
        closed_at = changed if status not in OPEN_STATUSES else None
        verify_roll = rng.random()
        if closed_at is not None and (
            (status == CommitmentStatus.DONE and verify_roll < 0.75)
            or (status == CommitmentStatus.BROKEN and verify_roll < 0.5)
        ):
            verified_at = min(closed_at + timedelta(days=rng.randint(3, 20)), now)
            verdict = (
                Verification.NOT_KEPT
                if status == CommitmentStatus.BROKEN
                else rng.choices(
                    (Verification.KEPT, Verification.PARTLY, Verification.NOT_KEPT),
                    weights=(0.6, 0.25, 0.15),
                )[0]
            )
            commitment.verification = verdict
            commitment.verification_note = VERIFICATION_NOTES[str(verdict)]
            commitment.verified_at = verified_at
            # The verification note is confidential: it stays on the record, not in the history.
            line.add(
                verified_at,
                CommitmentEventKind.VERIFICATION,
                changes={"verification": [Verification.NOT_ASKED, str(verdict)]},
            )
        commitment.full_clean()
        commitment.save()
        next_number += 1
        created += 1
        evidence: list[tuple[datetime, CommitmentEvidence]] = []
        if status == CommitmentStatus.DONE and closed_at is not None:
            evidence.append(
                (
                    closed_at - timedelta(hours=1),
                    CommitmentEvidence(
                        commitment=commitment,
                        kind=EvidenceKind.NOTE,
                        note=commitment.status_note,
                    ),
                )
            )
            follow = next(
                (
                    a
                    for a in later
                    if a.admin_unit_id == place.unit.pk and made_at < a.starts_at < closed_at
                ),
                None,
            )
            if follow is not None:
                evidence.append(
                    (
                        follow.ends_at or follow.starts_at,
                        CommitmentEvidence(
                            commitment=commitment,
                            kind=EvidenceKind.ACTIVITY,
                            activity=follow,
                            note="Confirmed by participants at the follow-up meeting.",
                        ),
                    )
                )
            if files < FILE_EVIDENCE and kind in (PartyKind.MISSION, PartyKind.PARTNER):
                document = document_store(
                    mission=mission,
                    file=pdf_file(
                        f"{commitment.reference.lower()}-handover.pdf",
                        f"Handover certificate {commitment.reference}",
                        [
                            f"Commitment: {what}",
                            f"Made by: {by}",
                            f"Made to: {to}",
                            f"Completed on: {closed_at.date().isoformat()}",
                            "Signed by the community representative and the mission (demo).",
                        ],
                    ),
                    user=owner,
                    description="Signed handover certificate",
                    commitment=commitment,
                )
                files += 1
                evidence.append(
                    (
                        closed_at - timedelta(hours=2),
                        CommitmentEvidence(
                            commitment=commitment,
                            kind=EvidenceKind.FILE,
                            document=document,
                        ),
                    )
                )
        elif status == CommitmentStatus.IN_PROGRESS and n % 3 == 0 and changed is not None:
            evidence.append(
                (
                    min(changed + timedelta(days=2), now),
                    CommitmentEvidence(
                        commitment=commitment,
                        kind=EvidenceKind.NOTE,
                        note="Work started: materials seen on site during a patrol.",
                    ),
                )
            )
        for when, item in evidence:
            item.created_by = owner
            item.full_clean()
            item.save()
            changes: dict[str, Any] = {"kind": item.kind}
            if item.document is not None:
                changes["document"] = str(item.document.public_id)
            if item.activity is not None:
                changes["activity"] = str(item.activity.public_id)
            line.add(when, CommitmentEventKind.EVIDENCE, note=item.note, changes=changes)
        line.events.sort(key=lambda e: e[0])
        CommitmentEvent.objects.bulk_create(
            CommitmentEvent(
                commitment=commitment,
                kind=kind_,
                at=at,
                by=None if kind_ in ("reminder", "escalation") else owner,
                from_status=from_status,
                to_status=to_status,
                note=note,
                changes=event_changes,
            )
            for at, kind_, from_status, to_status, note, event_changes in line.events
        )
    return created
