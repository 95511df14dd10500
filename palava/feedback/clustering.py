"""Near-duplicate clustering: many reports of one event join one :class:`Cluster`.

Two reports belong to the same event when they have the same category, arrived within
:data:`WINDOW` of each other, are about the same place (the same admin unit, or coordinates
within :data:`NEAR_KM`; two reports with no place at all need a much closer wording) and say
similar things: the Jaccard similarity of their word stems (the first :data:`STEM_CHARS`
letters of each folded word of at least four letters, common function words left out) is at
least :data:`MIN_SIMILARITY`. A report joins the cluster of its most similar earlier report
(recent reports from the database and those earlier in the same batch); ties go to the oldest
cluster, so the result does not depend on timing. Every report gets a cluster, of one report
when it matches none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from palava.feedback.bulk import bulk_grow
from palava.feedback.models import Cluster, Message
from palava.missions.models import Mission
from palava.places.locate import haversine_km
from palava.places.text import fold

WINDOW = timedelta(hours=48)
NEAR_KM = 5.0
MIN_SIMILARITY = 0.2
MIN_SIMILARITY_UNPLACED = 0.6
STEM_CHARS = 5
MIN_WORD_CHARS = 4
MAX_CANDIDATES = 5000
"""Recent clustered messages read from the database per mission and batch, newest first."""

# fmt: off
STOP_WORDS = frozenset({
    "that", "this", "with", "have", "there", "they", "were", "from", "please", "what", "when",
    "where", "which", "would", "will", "been", "dans", "pour", "avec", "nous", "sont", "mais",
    "cette", "leur", "leurs", "tous", "tout", "elle", "elles", "vous", "votre", "depuis",
    "para", "como", "esta", "estao", "muito", "umas", "isso", "este", "essa", "pelo", "pela",
    "foram", "tafadhali", "sana", "kwenye", "katika", "hapa", "hivi", "kwamba", "lakini", "pia",
})
# fmt: on


def stems(text: str, *, folded: bool = False) -> frozenset[str]:
    """The word stems a report is compared by (``folded``: ``text`` is folded already)."""
    return frozenset(
        word[:STEM_CHARS]
        for word in (text if folded else fold(text)).split(" ")
        if len(word) >= MIN_WORD_CHARS and word not in STOP_WORDS and not word.isdigit()
    )


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Report:
    """What clustering needs to know of one report."""

    category_id: int | None
    admin_unit_id: int | None
    latitude: float | None
    longitude: float | None
    received_at: datetime
    text: str  # folded (Message.search_text)
    is_restricted: bool = False


@dataclass
class _Member:
    cluster: int  # an existing cluster's id (> 0) or -(index of a new cluster + 1)
    report: Report
    stems: frozenset[str]


@dataclass
class NewCluster:
    category_id: int | None
    admin_unit_id: int | None
    first_at: datetime
    last_at: datetime
    size: int
    is_restricted: bool


@dataclass
class Plan:
    """Which cluster each report joins: ``assignments[i]`` is an existing cluster id (> 0) or
    ``-(k + 1)`` for ``new[k]``."""

    assignments: list[int] = field(default_factory=list)
    new: list[NewCluster] = field(default_factory=list)
    grown: dict[int, tuple[int, datetime, datetime]] = field(default_factory=dict)


def _placed_together(a: Report, b: Report) -> bool | None:
    """True when about the same place, False when not, None when neither has a place."""
    if a.admin_unit_id is not None and a.admin_unit_id == b.admin_unit_id:
        return True
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]
        if math.isfinite(km) and km <= NEAR_KM:
            return True
    if a.admin_unit_id is None and b.admin_unit_id is None and a.latitude is b.latitude is None:
        return None
    return False


def _best(
    report: Report, words: frozenset[str], members: Sequence[_Member], window: timedelta
) -> int | None:
    best: tuple[float, tuple[int, int]] | None = None
    chosen: int | None = None
    for member in members:
        other = member.report
        if abs(other.received_at - report.received_at) > window:
            continue
        together = _placed_together(report, other)
        if together is False:
            continue
        score = similarity(words, member.stems)
        if score < (MIN_SIMILARITY if together else MIN_SIMILARITY_UNPLACED):
            continue
        # the most similar; among equals the oldest cluster (existing ones before new ones)
        age = (0, member.cluster) if member.cluster > 0 else (1, -member.cluster)
        if best is None or score > best[0] or (score == best[0] and age < best[1]):
            best, chosen = (score, age), member.cluster
    return chosen


def _candidates(
    mission: Mission, reports: Sequence[Report], window: timedelta, exclude: Sequence[int]
) -> dict[int | None, list[_Member]]:
    categories = {r.category_id for r in reports if r.category_id is not None}
    if not categories:
        return {}
    start = min(r.received_at for r in reports) - window
    end = max(r.received_at for r in reports) + window
    rows = (
        Message.objects.filter(
            mission=mission,
            cluster__isnull=False,
            category_id__in=categories,
            received_at__gte=start,
            received_at__lte=end,
        )
        .exclude(pk__in=exclude)
        .order_by("-received_at", "-id")
        .values_list(
            "cluster_id",
            "category_id",
            "admin_unit_id",
            "latitude",
            "longitude",
            "received_at",
            "search_text",
            "is_restricted",
        )[:MAX_CANDIDATES]
    )
    by_category: dict[int | None, list[_Member]] = {}
    for cluster_id, category_id, unit_id, lat, lon, received_at, text, restricted in rows:
        report = Report(category_id, unit_id, lat, lon, received_at, text, restricted)
        by_category.setdefault(category_id, []).append(
            _Member(cluster_id, report, stems(text, folded=True))
        )
    for members in by_category.values():
        members.sort(key=lambda m: (m.report.received_at, m.cluster))
    return by_category


def clusters_plan(
    *,
    mission: Mission,
    reports: Sequence[Report],
    window: timedelta = WINDOW,
    exclude: Sequence[int] = (),
) -> Plan:
    """Decide the cluster of each report (one query; nothing is written).

    ``exclude``: ids of messages being (re)clustered, left out of the candidates.
    """
    plan = Plan()
    known = _candidates(mission, reports, window, exclude)
    for report in reports:
        words = stems(report.text, folded=True)
        members = known.setdefault(report.category_id, [])
        found = _best(report, words, members, window)
        if found is None:
            plan.new.append(
                NewCluster(
                    category_id=report.category_id,
                    admin_unit_id=report.admin_unit_id,
                    first_at=report.received_at,
                    last_at=report.received_at,
                    size=1,
                    is_restricted=report.is_restricted,
                )
            )
            found = -len(plan.new)
        elif found < 0:
            new = plan.new[-found - 1]
            new.size += 1
            new.first_at = min(new.first_at, report.received_at)
            new.last_at = max(new.last_at, report.received_at)
            new.is_restricted = new.is_restricted or report.is_restricted
        else:
            size, first, last = plan.grown.get(found, (0, report.received_at, report.received_at))
            plan.grown[found] = (
                size + 1,
                min(first, report.received_at),
                max(last, report.received_at),
            )
        plan.assignments.append(found)
        members.append(_Member(found, report, words))
    return plan


def clusters_write(*, mission: Mission, plan: Plan) -> list[int]:
    """Create the new clusters and grow the existing ones (call inside the batch's
    transaction); returns each report's cluster id."""
    now = timezone.now()
    created = Cluster.objects.bulk_create(
        [
            Cluster(
                mission=mission,
                category_id=n.category_id,
                admin_unit_id=n.admin_unit_id,
                first_at=n.first_at,
                last_at=n.last_at,
                size=n.size,
                is_restricted=n.is_restricted,
            )
            for n in plan.new
        ]
    )
    bulk_grow(
        Cluster,
        [(pk, count, first, last) for pk, (count, first, last) in plan.grown.items()],
        count="size",
        first="first_at",
        last="last_at",
        now=now,
    )
    ids = [c.pk for c in created]
    return [a if a > 0 else ids[-a - 1] for a in plan.assignments]
