"""Reads about actors. Every selector filters by mission, geographic scope and clearance.

An actor is visible to a member when it is in the member's mission, active (unless asked
otherwise), its main place (``admin_unit``) is inside the member's scope
(``palava.places.scope``) and its ``sensitivity`` is at most the member's clearance
(``palava.missions.permissions.clearance_for``). A relationship is visible when both of its ends
are. Contact details are never read here: ``services.actor_contact_read`` does it, audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from palava.actors.models import (
    INFLUENCE_MAX,
    INFLUENCE_MIN,
    Actor,
    Consent,
    Relationship,
    Stance,
)
from palava.core.sensitivity import Sensitivity, fields_at_or_below
from palava.missions.models import Membership
from palava.missions.permissions import clearance_for
from palava.places import selectors as places_selectors
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for
from palava.places.text import fold

GRAPH_MAX_NODES = 300
STANCE_VALUES: tuple[int, ...] = tuple(sorted(Stance.values))
INFLUENCE_VALUES: tuple[int, ...] = tuple(range(INFLUENCE_MAX, INFLUENCE_MIN - 1, -1))


def clearance(membership: Membership) -> Sensitivity:
    return clearance_for(membership.role)


def readable_fields(membership: Membership, model: type[Any] = Actor) -> frozenset[str]:
    """Field names of ``model`` the member's clearance allows (e.g. notes need confidential)."""
    return frozenset(fields_at_or_below(model, clearance(membership)))


def actors_visible(*, membership: Membership, include_inactive: bool = False) -> QuerySet[Actor]:
    """Every actor ``membership`` may see: mission, scope and clearance."""
    if not membership.is_active:
        return Actor.objects.none()
    scope = scope_for(membership)
    found = Actor.objects.filter(
        scope.q("admin_unit"),
        mission_id=membership.mission_id,
        sensitivity__lte=int(clearance(membership)),
    )
    if not include_inactive:
        found = found.filter(is_active=True)
    return found


@dataclass(frozen=True)
class ActorFilters:
    """Filters of the actor list; empty values do not filter."""

    actor_types: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    place: str = ""  # a P-code: actors whose main place or a place of influence is inside it
    influence_min: int | None = None
    influence_max: int | None = None
    stance_peace_process: tuple[int, ...] = ()
    stance_mission: tuple[int, ...] = ()
    stance_unknown: bool = False  # also keep actors whose stance is not known
    query: str = ""


def admin_unit_visible(*, membership: Membership, pcode: str) -> AdminUnit | None:
    """The unit with this P-code if it is in the member's mission and scope."""
    if not pcode.strip():
        return None
    return places_selectors.admin_unit_get(membership=membership, pcode=pcode.strip())


def site_visible(*, membership: Membership, code: str) -> Site | None:
    """The site with this code if it is in the member's mission and its unit in scope."""
    if not code.strip():
        return None
    return places_selectors.site_get(membership=membership, code=code.strip())


def _stance_q(field_name: str, values: tuple[int, ...], unknown: bool) -> Q:
    condition = Q(**{f"{field_name}__in": list(values)})
    if unknown:
        condition |= Q(**{f"{field_name}__isnull": True})
    return condition


def actor_list(*, membership: Membership, filters: ActorFilters | None = None) -> QuerySet[Actor]:
    """Visible actors matching ``filters``, by name, with their main place."""
    filters = filters or ActorFilters()
    found = actors_visible(membership=membership)
    if filters.actor_types:
        found = found.filter(actor_type__in=list(filters.actor_types))
    if filters.kinds:
        found = found.filter(kind__in=list(filters.kinds))
    if filters.place:
        unit = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=filters.place.strip()
        ).first()
        if unit is None:
            return found.none()
        inside = Q(admin_unit__path__startswith=unit.path) | Q(
            pk__in=Actor.places.through.objects.filter(
                adminunit__path__startswith=unit.path
            ).values("actor_id")
        )
        found = found.filter(inside)
    if filters.influence_min is not None:
        found = found.filter(influence__gte=filters.influence_min)
    if filters.influence_max is not None:
        found = found.filter(influence__lte=filters.influence_max)
    if filters.stance_peace_process:
        found = found.filter(
            _stance_q("stance_peace_process", filters.stance_peace_process, filters.stance_unknown)
        )
    if filters.stance_mission:
        found = found.filter(
            _stance_q("stance_mission", filters.stance_mission, filters.stance_unknown)
        )
    if filters.query:
        for word in fold(filters.query).split():
            found = found.filter(search_text__contains=word)
    return found.select_related("admin_unit", "site").order_by("name", "id")


def actor_get(
    *, membership: Membership, public_id: uuid.UUID | str, include_inactive: bool = False
) -> Actor | None:
    """One visible actor, or None (not found, outside scope or above clearance)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        actors_visible(membership=membership, include_inactive=include_inactive)
        .select_related("admin_unit", "site", "merged_into")
        .prefetch_related("places")
        .filter(public_id=key)
        .first()
    )


def actor_relationships(
    *, membership: Membership, actor: Actor, include_ended: bool = True
) -> QuerySet[Relationship]:
    """Relationships of ``actor`` whose other end the member may also see."""
    visible = actors_visible(membership=membership).values("pk")
    found = Relationship.objects.filter(
        Q(source=actor) | Q(target=actor),
        mission_id=membership.mission_id,
        source__in=visible,
        target__in=visible,
    )
    if not include_ended:
        found = found.filter(end_date__isnull=True)
    return found.select_related("source", "target").order_by("end_date", "kind", "id")


def relationship_get(*, membership: Membership, public_id: uuid.UUID | str) -> Relationship | None:
    """One relationship whose two ends are visible to the member, or None."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    visible = actors_visible(membership=membership).values("pk")
    return (
        Relationship.objects.filter(
            mission_id=membership.mission_id,
            public_id=key,
            source__in=visible,
            target__in=visible,
        )
        .select_related("source", "target", "mission")
        .first()
    )


def actor_consents(*, membership: Membership, actor: Actor) -> QuerySet[Consent]:
    """Consent records of a visible actor, newest first (withdrawn ones included)."""
    if not actors_visible(membership=membership).filter(pk=actor.pk).exists():
        return Consent.objects.none()
    return (
        Consent.objects.filter(mission_id=membership.mission_id, actor=actor)
        .select_related("recorded_by", "withdrawn_by")
        .order_by("-given_at", "-id")
    )


def consent_get(*, membership: Membership, public_id: uuid.UUID | str) -> Consent | None:
    """One consent record of a visible actor, or None."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        Consent.objects.filter(
            mission_id=membership.mission_id,
            public_id=key,
            actor__in=actors_visible(membership=membership).values("pk"),
        )
        .select_related("actor", "mission")
        .first()
    )


def actor_has_consent(actor: Actor, purpose: str, at: datetime | None = None) -> bool:
    """Whether ``actor`` had given, and not withdrawn, consent for ``purpose`` at ``at`` (now)."""
    when = at or timezone.now()
    records = Consent.objects.filter(actor=actor, given_at__lte=when).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=when)
    )
    # JSON "contains" is not portable to SQLite; an actor has few consent records.
    return any(record.covers(purpose, when) for record in records)


# --- Influence x stance grid -----------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Counts of actors by influence (rows, 5 down to 1, then unknown) and stance (columns,
    -2 to +2, then unknown)."""

    stance_field: str
    counts: dict[tuple[int | None, int | None], int]
    influences: tuple[int | None, ...] = (*INFLUENCE_VALUES, None)
    stances: tuple[int | None, ...] = (*STANCE_VALUES, None)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, influence: int | None, stance: int | None) -> int:
        return self.counts.get((influence, stance), 0)

    def rows(self) -> list[tuple[int | None, list[int]]]:
        return [(i, [self.count(i, s) for s in self.stances]) for i in self.influences]


GRID_STANCE_FIELDS = ("stance_peace_process", "stance_mission")


def actor_grid(
    *,
    membership: Membership,
    stance_field: str = "stance_peace_process",
    filters: ActorFilters | None = None,
) -> Grid:
    """Influence x stance counts over the visible actors matching ``filters``."""
    if stance_field not in GRID_STANCE_FIELDS:
        raise ValueError("stance_field is stance_peace_process or stance_mission")
    rows = (
        actor_list(membership=membership, filters=filters)
        .order_by()
        .values("influence", stance_field)
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[int | None, int | None], int] = {}
    for row in rows:
        key = (row["influence"], row[stance_field])
        counts[key] = counts.get(key, 0) + int(row["n"])
    return Grid(stance_field=stance_field, counts=counts)


# --- Relationship graph ----------------------------------------------------------------------


@dataclass(frozen=True)
class GraphNode:
    public_id: uuid.UUID
    name: str
    kind: str
    actor_type: str
    influence: int | None
    stance_peace_process: int | None
    admin_unit: str | None


@dataclass(frozen=True)
class GraphEdge:
    public_id: uuid.UUID
    source: uuid.UUID
    target: uuid.UUID
    kind: str
    confidence: str
    symmetric: bool
    ended: bool


@dataclass(frozen=True)
class Graph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    truncated: bool = False


def actor_graph(
    *,
    membership: Membership,
    filters: ActorFilters | None = None,
    include_ended: bool = False,
    max_nodes: int = GRAPH_MAX_NODES,
) -> Graph:
    """Nodes (visible actors matching ``filters``, most influential first, at most
    ``max_nodes``) and the relationships among them."""
    candidates = actor_list(membership=membership, filters=filters).order_by(
        "-influence", "name", "id"
    )
    picked = list(candidates[: max_nodes + 1])
    truncated = len(picked) > max_nodes
    picked = picked[:max_nodes]
    ids = {a.pk: a for a in picked}
    rels = Relationship.objects.filter(
        mission_id=membership.mission_id, source_id__in=list(ids), target_id__in=list(ids)
    )
    if not include_ended:
        rels = rels.filter(end_date__isnull=True)
    nodes = [
        GraphNode(
            public_id=a.public_id,
            name=a.name,
            kind=a.kind,
            actor_type=a.actor_type,
            influence=a.influence,
            stance_peace_process=a.stance_peace_process,
            admin_unit=a.admin_unit.pcode if a.admin_unit else None,
        )
        for a in picked
    ]
    edges = [
        GraphEdge(
            public_id=r.public_id,
            source=ids[r.source_id].public_id,
            target=ids[r.target_id].public_id,
            kind=r.kind,
            confidence=r.confidence,
            symmetric=r.is_symmetric,
            ended=r.end_date is not None,
        )
        for r in rels.order_by("id")
    ]
    return Graph(nodes=nodes, edges=edges, truncated=truncated)
