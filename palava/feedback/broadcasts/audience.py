"""Who a broadcast reaches: opted-in reporters and consenting actors, filtered by place, group,
actor type and language, one message per distinct phone number, never an opted-out number.

* Reporters: ``broadcast_opt_in_at`` set, not ``opted_out``, a stored number; their place is
  the place of their latest placed message (unit and every unit inside it match an area).
* Actors: active, not merged, a stored number, an active :class:`Consent` that covers
  ``contact_message`` now; their place is their main unit or one of their places; with groups
  or actor types chosen, members (open ``member_of`` relationship) of a chosen group OR of a
  chosen type.
* Languages: a reporter's preferred language (else the language of their latest message);
  an actor's languages. Empty filter: every language.
* One message per phone pseudonym (a number that is both a reporter and an actor gets one);
  a pseudonym with an active :class:`OptOut` (or a reporter who opted out) is counted as
  suppressed and never materialised.

Nothing here returns a number or a name to a page: :func:`audience_preview` gives counts only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from palava.actors.models import Actor, Consent, ConsentPurpose, Relationship, RelationshipKind
from palava.feedback.models import Broadcast, Message, OptOut, Reporter

CONTACT_PURPOSE = ConsentPurpose.CONTACT_MESSAGE


@dataclass(frozen=True)
class Audience:
    """The filters of a broadcast (also used for a preview before it is saved)."""

    mission_id: int
    to_reporters: bool = True
    to_actors: bool = False
    area_paths: tuple[str, ...] = ()
    group_ids: tuple[int, ...] = ()
    actor_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipient:
    pseudonym: str
    language: str
    reporter_id: int | None = None
    actor_id: int | None = None


@dataclass
class Resolved:
    recipients: list[Recipient] = field(default_factory=list)
    suppressed: int = 0
    duplicates: int = 0


@dataclass(frozen=True)
class Preview:
    """Counts only: no identity leaves this module for a page."""

    total: int
    reporters: int
    actors: int
    suppressed: int
    duplicates: int
    by_language: list[tuple[str, int]]


def audience_of(broadcast: Broadcast) -> Audience:
    return Audience(
        mission_id=broadcast.mission_id,
        to_reporters=broadcast.to_reporters,
        to_actors=broadcast.to_actors,
        area_paths=tuple(u.path for u in broadcast.admin_units.all()),
        group_ids=tuple(g.pk for g in broadcast.groups.all()),
        actor_types=tuple(broadcast.actor_types or ()),
        languages=tuple(broadcast.languages or ()),
    )


def _in_areas(path: str | None, areas: Sequence[str]) -> bool:
    if not areas:
        return True
    return bool(path) and any(str(path).startswith(area) for area in areas)


def _reporters(audience: Audience) -> Iterable[tuple[Reporter, str, str]]:
    """(reporter, place path, language) of reporters with a number who opted in (or who
    opted out since: they are counted as suppressed, never sent to)."""
    latest = Message.objects.filter(reporter_id=OuterRef("pk"), admin_unit__isnull=False).order_by(
        "-received_at", "-id"
    )
    latest_language = Message.objects.filter(reporter_id=OuterRef("pk")).exclude(language="")
    rows = (
        Reporter.objects.filter(
            Q(broadcast_opt_in_at__isnull=False) | Q(opted_out=True),  # STOP: counted, not sent
            mission_id=audience.mission_id,
            phone__isnull=False,
        )
        .exclude(pseudonym="")
        .annotate(
            place_path=Subquery(latest.values("admin_unit__path")[:1]),
            last_language=Subquery(
                latest_language.order_by("-received_at", "-id").values("language")[:1]
            ),
        )
        .only("id", "pseudonym", "language", "opted_out")
        .order_by("id")
    )
    for row in rows:
        language = row.language or getattr(row, "last_language", None) or ""
        yield row, getattr(row, "place_path", None) or "", language


def _group_member_ids(audience: Audience, today: date) -> set[int]:
    if not audience.group_ids:
        return set()
    return set(
        Relationship.objects.filter(
            mission_id=audience.mission_id,
            kind=RelationshipKind.MEMBER_OF,
            target_id__in=audience.group_ids,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("source_id", flat=True)
    )


def _consenting(actor_ids: Iterable[int], now: datetime) -> set[int]:
    found: set[int] = set()
    for consent in Consent.objects.filter(actor_id__in=list(actor_ids), given_at__lte=now).only(
        "actor_id", "purposes", "given_at", "withdrawn_at"
    ):
        if consent.covers(CONTACT_PURPOSE, now):
            found.add(consent.actor_id)
    return found


def _actors(audience: Audience, now: datetime) -> Iterable[tuple[Actor, list[str]]]:
    """(actor, languages) of consenting actors with a number, matching the filters."""
    found = (
        Actor.objects.filter(
            mission_id=audience.mission_id,
            is_active=True,
            merged_into__isnull=True,
            phone__isnull=False,
        )
        .exclude(phone_pseudonym="")
        .select_related("admin_unit")
        .prefetch_related("places")
        .only("id", "phone_pseudonym", "languages", "actor_type", "admin_unit__path")
        .order_by("id")
    )
    if audience.group_ids or audience.actor_types:
        members = _group_member_ids(audience, timezone.localdate(now))
        found = found.filter(Q(pk__in=members) | Q(actor_type__in=audience.actor_types))
    rows = list(found)
    consenting = _consenting((a.pk for a in rows), now)
    for row in rows:
        if row.pk not in consenting:
            continue
        paths = [row.admin_unit.path] if row.admin_unit else []
        paths += [p.path for p in row.places.all()]
        if audience.area_paths and not any(_in_areas(p, audience.area_paths) for p in paths):
            continue
        yield row, [str(code) for code in (row.languages or [])]


def _opted_out(mission_id: int, pseudonyms: Iterable[str]) -> set[str]:
    wanted = list(set(pseudonyms))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            OptOut.objects.filter(
                mission_id=mission_id, is_active=True, pseudonym__in=wanted[start : start + 500]
            ).values_list("pseudonym", flat=True)
        )
    return found


def audience_resolve(audience: Audience, *, now: datetime | None = None) -> Resolved:
    """Every recipient of ``audience`` now, one per pseudonym, opted-out numbers removed."""
    now = now or timezone.now()
    languages = set(audience.languages)
    candidates: list[tuple[Recipient, bool]] = []  # (recipient, reporter said STOP)
    if audience.to_reporters:
        for reporter, path, language in _reporters(audience):
            if not _in_areas(path, audience.area_paths):
                continue
            if languages and language not in languages:
                continue
            candidates.append(
                (
                    Recipient(reporter.pseudonym, language, reporter_id=reporter.pk),
                    reporter.opted_out,
                )
            )
    if audience.to_actors:
        for actor, spoken in _actors(audience, now):
            if languages:
                matching = [code for code in spoken if code in languages]
                if not matching:
                    continue
                language = matching[0]
            else:
                language = spoken[0] if spoken else ""
            recipient = Recipient(actor.phone_pseudonym, language, actor_id=actor.pk)
            candidates.append((recipient, False))
    stopped = _opted_out(audience.mission_id, (r.pseudonym for r, _stop in candidates))
    resolved = Resolved()
    seen: set[str] = set()
    suppressed: set[str] = set()
    for recipient, said_stop in candidates:
        if recipient.pseudonym in seen or recipient.pseudonym in suppressed:
            resolved.duplicates += 1
            continue
        if said_stop or recipient.pseudonym in stopped:
            suppressed.add(recipient.pseudonym)
            continue
        seen.add(recipient.pseudonym)
        resolved.recipients.append(recipient)
    resolved.suppressed = len(suppressed)
    return resolved


def audience_preview(audience: Audience, *, now: datetime | None = None) -> Preview:
    resolved = audience_resolve(audience, now=now)
    languages = Counter(r.language for r in resolved.recipients)
    return Preview(
        total=len(resolved.recipients),
        reporters=sum(1 for r in resolved.recipients if r.reporter_id is not None),
        actors=sum(1 for r in resolved.recipients if r.actor_id is not None),
        suppressed=resolved.suppressed,
        duplicates=resolved.duplicates,
        by_language=sorted(languages.items(), key=lambda kv: (-kv[1], kv[0])),
    )
