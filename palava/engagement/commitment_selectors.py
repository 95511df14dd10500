"""Reads of the commitments ledger: the filtered list, counts per status, one commitment with
its history, evidence and files.

Everything starts from :func:`palava.engagement.selectors.commitments_visible` (mission,
geographic scope, the commitment's own sensitivity against the reader's clearance).

**Linked actors.** A commitment may name a registry actor as the party that promised or the
party promised to. The commitment being visible does not make the actor visible: the actor
has its own place and sensitivity (an armed-group commander may be strictly confidential while
the promise is only confidential). So the link (and the registry's name for the actor) is shown
only when the actor is in :func:`palava.actors.selectors.actors_visible` for the reader;
otherwise the reader sees the commitment's own ``made_by_name`` / ``made_to_name`` text, which
the person who recorded it chose for readers of the commitment and which is governed by the
commitment's sensitivity. The same holds for activities: a linked activity (where it was made,
or evidence) is a link only when the reader may see the activity, else a neutral label.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from palava.actors.models import RecordSensitivity
from palava.actors.selectors import actors_visible, readable_fields
from palava.engagement.models import (
    OPEN_STATUSES,
    Activity,
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentEvidence,
    CommitmentStatus,
    Document,
    PartyKind,
    Verification,
)
from palava.engagement.reminders import mission_today
from palava.engagement.selectors import activities_visible, commitments_visible
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

MAX_QUERY = 200


@dataclass(frozen=True)
class CommitmentFilters:
    status: str = ""
    overdue: bool = False
    party_kind: str = ""  # either side: made by or made to
    made_by_kind: str = ""
    made_to_kind: str = ""
    query: str = ""  # made by / made to text
    place: str = ""  # P-code, includes the units below it
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    verification: str = ""
    activity: str = ""  # activity public id
    owner_id: int | None = None


def _clean(text: str) -> str:
    """Text for a filter: NUL characters removed (PostgreSQL refuses them), length capped."""
    return text.replace("\x00", "").strip()[:MAX_QUERY]


def visible_place(membership: Membership, pcode: str) -> AdminUnit | None:
    """The unit with this P-code if it is in the member's mission and area."""
    pcode = _clean(pcode)
    if not pcode:
        return None
    unit = AdminUnit.objects.filter(mission_id=membership.mission_id, pcode=pcode.strip()).first()
    if unit is None or not scope_for(membership).contains(unit):
        return None
    return unit


def _filtered(
    membership: Membership, filters: CommitmentFilters, *, with_status: bool
) -> QuerySet[Commitment]:
    found = commitments_visible(membership=membership)
    f = filters
    if with_status and f.status in CommitmentStatus.values:
        found = found.filter(status=f.status)
    if f.overdue:
        today = mission_today(membership.mission, _now())
        found = found.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    if f.party_kind:
        found = found.filter(Q(made_by_kind=f.party_kind) | Q(made_to_kind=f.party_kind))
    if f.made_by_kind:
        found = found.filter(made_by_kind=f.made_by_kind)
    if f.made_to_kind:
        found = found.filter(made_to_kind=f.made_to_kind)
    text = _clean(f.query)
    if text:
        found = found.filter(Q(made_by_name__icontains=text) | Q(made_to_name__icontains=text))
    if f.place.strip():
        unit = visible_place(membership, f.place)
        if unit is None:
            return found.none()
        found = found.filter(admin_unit__path__startswith=unit.path)
    if f.due_from is not None:
        found = found.filter(due_date__gte=f.due_from)
    if f.due_to is not None:
        found = found.filter(due_date__lte=f.due_to)
    if f.verification:
        found = found.filter(verification=f.verification)
    if f.activity:
        try:
            activity_id = uuid.UUID(str(f.activity))
        except ValueError:
            return found.none()
        found = found.filter(activity__public_id=activity_id)
    if f.owner_id is not None:
        found = found.filter(owner_id=f.owner_id)
    return found


def _now() -> dt.datetime:
    return timezone.now()


def commitment_list(
    *, membership: Membership, filters: CommitmentFilters | None = None
) -> QuerySet[Commitment]:
    """The ledger: visible commitments matching ``filters``, by due date (none last)."""
    found = _filtered(membership, filters or CommitmentFilters(), with_status=True)
    return found.select_related("admin_unit", "owner").order_by(
        F("due_date").asc(nulls_last=True), "-number"
    )


def commitment_status_counts(
    *, membership: Membership, filters: CommitmentFilters | None = None
) -> dict[str, int]:
    """Counts per status for the ledger's tabs (the other filters applied), plus ``all`` and
    ``overdue`` (open and past due in the mission's time zone)."""
    base = _filtered(membership, filters or CommitmentFilters(), with_status=False)
    counts = dict.fromkeys(CommitmentStatus.values, 0)
    for row in base.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    counts["all"] = sum(counts[s] for s in CommitmentStatus.values)
    today = mission_today(membership.mission, _now())
    counts["overdue"] = base.filter(status__in=OPEN_STATUSES, due_date__lt=today).count()
    return counts


def commitment_get(*, membership: Membership, public_id: uuid.UUID | str) -> Commitment | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        commitments_visible(membership=membership)
        .select_related(
            "mission", "admin_unit", "owner", "activity", "made_by_actor", "made_to_actor"
        )
        .filter(public_id=key)
        .first()
    )


def due_in_days(commitment: Commitment, today: dt.date) -> int | None:
    """Days until the due date (negative when past); None without a due date."""
    if commitment.due_date is None:
        return None
    return (commitment.due_date - today).days


def is_overdue(commitment: Commitment, today: dt.date) -> bool:
    return commitment.is_open and commitment.due_date is not None and commitment.due_date < today


@dataclass
class PartyView:
    kind: str
    kind_label: str
    name: str
    actor_id: uuid.UUID | None = None  # set only when the reader may see the actor


@dataclass
class EvidenceView:
    evidence: CommitmentEvidence
    activity_visible: bool = False


@dataclass
class EventView:
    """One line of the history, with labels for display."""

    event: CommitmentEvent
    kind_label: str
    from_label: str
    to_label: str
    changes: list[tuple[str, Any, Any]]


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices).get(value, value or ""))


def event_view(event: CommitmentEvent) -> EventView:
    rows: list[tuple[str, Any, Any]] = []
    for name, value in (event.changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            old, new = value
            if name == "verification":
                old, new = _label(Verification.choices, old), _label(Verification.choices, new)
            elif name in ("made_by_kind", "made_to_kind"):
                old, new = _label(PartyKind.choices, old), _label(PartyKind.choices, new)
            elif name == "sensitivity":
                old = _label(RecordSensitivity.choices, old)
                new = _label(RecordSensitivity.choices, new)
            label = _field_label(name)
            rows.append((label, old, new))
    return EventView(
        event=event,
        kind_label=_label(CommitmentEventKind.choices, event.kind),
        from_label=_label(CommitmentStatus.choices, event.from_status),
        to_label=_label(CommitmentStatus.choices, event.to_status),
        changes=rows,
    )


def _field_label(name: str) -> str:
    try:
        found = Commitment._meta.get_field(name)
    except FieldDoesNotExist:  # a name from an older version of the model
        return name
    return str(getattr(found, "verbose_name", name))


@dataclass
class CommitmentDetail:
    commitment: Commitment
    made_by: PartyView
    made_to: PartyView
    activity_visible: bool
    today: dt.date
    verification_note_readable: bool
    events: list[EventView] = field(default_factory=list)
    evidence: list[EvidenceView] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return is_overdue(self.commitment, self.today)

    @property
    def due_in_days(self) -> int | None:
        return due_in_days(self.commitment, self.today)

    @property
    def late_days(self) -> int:
        return -(self.due_in_days or 0)


def _party(commitment: Commitment, side: str, visible_actor_ids: set[int]) -> PartyView:
    kind = getattr(commitment, f"{side}_kind")
    actor = getattr(commitment, f"{side}_actor")
    shown = actor is not None and actor.pk in visible_actor_ids
    return PartyView(
        kind=kind,
        kind_label=str(getattr(commitment, f"get_{side}_kind_display")()),
        name=getattr(commitment, f"{side}_name"),
        actor_id=actor.public_id if shown else None,
    )


def visible_actor_ids(membership: Membership, commitment: Commitment) -> set[int]:
    ids = {i for i in (commitment.made_by_actor_id, commitment.made_to_actor_id) if i}
    if not ids:
        return set()
    return set(
        actors_visible(membership=membership).filter(pk__in=ids).values_list("pk", flat=True)
    )


def commitment_detail(*, membership: Membership, commitment: Commitment) -> CommitmentDetail:
    """The page's data: parties (actor links only if visible), history, evidence, files."""
    actors = visible_actor_ids(membership, commitment)
    evidence = list(
        CommitmentEvidence.objects.filter(commitment=commitment)
        .select_related("document", "activity", "created_by")
        .order_by("created_at", "id")
    )
    activity_ids = {e.activity_id for e in evidence if e.activity_id}
    if commitment.activity_id:
        activity_ids.add(commitment.activity_id)
    seen = set(
        activities_visible(membership=membership)
        .filter(pk__in=activity_ids)
        .values_list("pk", flat=True)
    )
    return CommitmentDetail(
        commitment=commitment,
        made_by=_party(commitment, "made_by", actors),
        made_to=_party(commitment, "made_to", actors),
        activity_visible=commitment.activity_id in seen,
        today=mission_today(commitment.mission, _now()),
        events=[
            event_view(e)
            for e in CommitmentEvent.objects.filter(commitment=commitment)
            .select_related("by")
            .order_by("at", "id")
        ],
        verification_note_readable="verification_note" in readable_fields(membership, Commitment),
        evidence=[EvidenceView(e, activity_visible=e.activity_id in seen) for e in evidence],
        documents=list(
            Document.objects.filter(commitment=commitment)
            .defer("content")
            .order_by("created_at", "id")
        ),
    )


def evidence_activities(*, membership: Membership, commitment: Commitment) -> QuerySet[Activity]:
    """Activities the member may link as evidence: of the mission, visible to them, held on or
    after the day the promise was made (a day of margin for time zones; the service checks)."""
    since = dt.datetime.combine(
        commitment.made_on - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
    )
    return (
        activities_visible(membership=membership)
        .filter(starts_at__gte=since)
        .order_by("-starts_at")
    )


def owner_choices(*, membership: Membership) -> list[Any]:
    """Staff of the mission who may follow a commitment up (active, role reads the ledger)."""
    rows = (
        Membership.objects.filter(
            mission_id=membership.mission_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    )
    return [m.user for m in rows if role_has(m.role, Perm.COMMITMENT_VIEW)]
