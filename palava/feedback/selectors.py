"""Reads about inbound messages. Every selector builds on :func:`messages_visible`.

A message is visible to a member when the membership is active, the role has
``Perm.MESSAGE_VIEW``, the message is in the member's mission, its place (``admin_unit``) is
inside the member's geographic scope (``palava.places.scope``; a message not yet placed is seen
only by whole-mission members) and, when it is restricted (sexual exploitation and abuse,
gender-based violence, child protection), the role has ``Perm.MESSAGE_RESTRICTED_VIEW``.

Because lists, searches, facet counts, cluster sizes, reporter counts and map points are all
computed on that visible set, a restricted message is never listed, counted, found by a word of
its body or placed on a map for a role that may not see it; looking one up by id gives ``None``
exactly as for a missing id (pages and the API answer 404).

Reading a restricted message is audited by :mod:`palava.feedback.services` (``message_read``,
``messages_listed``), not here: selectors never write.

**Map precision.** The map never shows where a reporter was: messages are aggregated by the
admin unit they are placed in (its public centroid), optionally rolled up to a coarser level.
A sender's own coordinates stay on the message: only staff who act on it
(``Perm.MESSAGE_MANAGE``) see them, rounded to about 100 m, on the detail page and in the API's
detail (see :func:`coordinates_for`).
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from palava.feedback.models import (
    Category,
    Channel,
    LabelSource,
    Message,
    MessageStatus,
    Urgency,
)
from palava.feedback.taxonomy import category_label
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for
from palava.places.text import fold

INBOX = "inbox"  # messages outside the restricted queue
RESTRICTED = "restricted"  # the restricted protection queue only
ALL = "all"  # both (exports)
QUEUES = (INBOX, RESTRICTED, ALL)
PLACE_NONE = "none"  # the ``place`` filter value for messages not placed yet
SORTS = ("newest", "oldest", "urgency")
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
COORDINATE_DECIMALS = 3  # ~110 m: enough to respond, not a doorstep
URGENCY_ORDER: tuple[str, ...] = (Urgency.LIFE_THREATENING, Urgency.URGENT, Urgency.ROUTINE)
# Encrypted columns are decrypted when loaded: lists and details never load them (the audited
# reveal in ``services.reporter_contact_reveal`` does).
SECRET_FIELDS: tuple[str, ...] = ("sender_phone", "sender_name", "reporter__phone")


def may_see_restricted(membership: Membership) -> bool:
    return bool(membership.is_active) and role_has(membership.role, Perm.MESSAGE_RESTRICTED_VIEW)


def messages_visible(membership: Membership) -> QuerySet[Message]:
    """Every message ``membership`` may see: mission, role, scope and the restricted queue.

    A message not yet triaged may be a report of sexual exploitation or abuse that triage has not
    flagged yet, so until triage has run (or staff gave its category) it is treated like a
    restricted one: only roles of the restricted queue see it (``unrestricted_q``).
    """
    if not membership.is_active or not role_has(membership.role, Perm.MESSAGE_VIEW):
        return Message.objects.none()
    found = Message.objects.filter(
        scope_for(membership).q("admin_unit"), mission_id=membership.mission_id
    )
    if not may_see_restricted(membership):
        found = found.filter(unrestricted_q())
    return found


def unrestricted_q(prefix: str = "") -> Q:
    """Messages anyone with ``message.view`` may see: not restricted, and either triaged or
    given their category by staff (a logged call), so nothing unflagged slips through."""
    return Q(**{f"{prefix}is_restricted": False}) & (
        Q(**{f"{prefix}triaged_at__isnull": False})
        | Q(**{f"{prefix}category_source": LabelSource.STAFF})
    )


# --- Filtering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageFilters:
    """Filters of the inbox, the map, the API and facets; empty values do not filter."""

    queue: str = INBOX
    channel: str = ""  # channel public id
    category: str = ""  # category code; a parent includes its children
    urgency: str = ""
    place: str = ""  # P-code (the unit and everything inside it) or PLACE_NONE
    language: str = ""
    status: str = ""
    since: date | None = None  # first day, in the mission's time zone
    until: date | None = None  # last day (inclusive)
    cluster: str = ""  # cluster public id
    reporter: str = ""  # reporter public id
    query: str = ""
    sort: str = "newest"


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _day_start(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _query_words(text: str) -> list[str]:
    return fold(text[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_WORDS]


def _filtered(membership: Membership, filters: MessageFilters) -> QuerySet[Message]:
    found = messages_visible(membership)
    if filters.queue == RESTRICTED:
        found = found.filter(is_restricted=True)
    elif filters.queue != ALL:
        found = found.filter(is_restricted=False)
    mission_id = membership.mission_id
    if filters.channel:
        key = _uuid(filters.channel)
        found = found.filter(channel__public_id=key) if key else found.none()
    if filters.category:
        found = found.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.urgency:
        found = found.filter(urgency=filters.urgency)
    if filters.place == PLACE_NONE:
        found = found.filter(admin_unit__isnull=True)
    elif filters.place:
        unit = AdminUnit.objects.filter(mission_id=mission_id, pcode=filters.place).first()
        found = found.filter(admin_unit__path__startswith=unit.path) if unit else found.none()
    if filters.language:
        found = found.filter(language=filters.language)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.since or filters.until:
        tz = zoneinfo.ZoneInfo(membership.mission.time_zone)
        if filters.since:
            found = found.filter(received_at__gte=_day_start(filters.since, tz))
        if filters.until:
            found = found.filter(received_at__lt=_day_start(filters.until + timedelta(days=1), tz))
    for name, value in (("cluster", filters.cluster), ("reporter", filters.reporter)):
        if value:
            key = _uuid(value)
            found = found.filter(**{f"{name}__public_id": key}) if key else found.none()
    for word in _query_words(filters.query):
        found = found.filter(search_text__contains=word)
    return found


def _ordered(found: QuerySet[Message], sort: str) -> QuerySet[Message]:
    if sort == "oldest":
        return found.order_by("received_at", "id")
    if sort == "urgency":
        rank = Case(
            *(When(urgency=value, then=Value(i)) for i, value in enumerate(URGENCY_ORDER)),
            default=Value(len(URGENCY_ORDER)),
            output_field=IntegerField(),
        )
        return found.annotate(urgency_rank=rank).order_by("urgency_rank", "-received_at", "-id")
    return found.order_by("-received_at", "-id")


def message_list(
    *, membership: Membership, filters: MessageFilters | None = None
) -> QuerySet[Message]:
    """Visible messages matching ``filters``, newest first (or as ``filters.sort`` says)."""
    filters = filters or MessageFilters()
    found = (
        _filtered(membership, filters)
        .select_related(
            "channel", "category", "category__parent", "admin_unit", "site", "reporter", "cluster"
        )
        .defer(*SECRET_FIELDS)
    )
    return _ordered(found, filters.sort)


def message_get(*, membership: Membership, public_id: uuid.UUID | str) -> Message | None:
    """One visible message, or None (missing, outside scope, or restricted for this role)."""
    key = _uuid(str(public_id))
    if key is None:
        return None
    return (
        messages_visible(membership)
        .select_related(
            "mission", "channel", "category", "category__parent", "admin_unit", "site", "reporter"
        )
        .defer(*SECRET_FIELDS)
        .filter(public_id=key)
        .first()
    )


def cluster_sizes(*, membership: Membership, cluster_ids: Iterable[int]) -> dict[int, int]:
    """Visible messages per cluster (never ``Cluster.size``, which counts hidden ones too)."""
    ids = {pk for pk in cluster_ids if pk is not None}
    if not ids:
        return {}
    rows = (
        messages_visible(membership)
        .filter(cluster_id__in=ids)
        .order_by()
        .values("cluster_id")
        .annotate(n=Count("id"))
    )
    return {row["cluster_id"]: int(row["n"]) for row in rows}


def cluster_siblings(
    *, membership: Membership, message: Message, limit: int = 20
) -> QuerySet[Message]:
    """Other visible messages of the message's cluster, newest first."""
    if message.cluster_id is None:
        return Message.objects.none()
    return (
        messages_visible(membership)
        .filter(cluster_id=message.cluster_id)
        .exclude(pk=message.pk)
        .select_related("channel", "category", "admin_unit")
        .defer("sender_phone", "sender_name")
        .order_by("-received_at", "-id")[:limit]
    )


def reporter_other_count(*, membership: Membership, message: Message) -> int:
    """How many other visible messages came from the same sender (matched by pseudonym)."""
    if not message.sender_pseudonym:
        return 0
    return (
        messages_visible(membership)
        .filter(sender_pseudonym=message.sender_pseudonym)
        .exclude(pk=message.pk)
        .count()
    )


def coordinates_for(membership: Membership, message: Message) -> tuple[float, float] | None:
    """The sender's coordinates rounded to ~100 m, for staff who act on messages; else None."""
    if message.latitude is None or message.longitude is None:
        return None
    if not role_has(membership.role, Perm.MESSAGE_MANAGE):
        return None
    return (
        round(message.latitude, COORDINATE_DECIMALS),
        round(message.longitude, COORDINATE_DECIMALS),
    )


def channels_of(membership: Membership) -> QuerySet[Channel]:
    """The mission's channels (configuration, not messages), for filters and forms."""
    return Channel.objects.filter(mission_id=membership.mission_id).order_by("name", "id")


def categories_of(membership: Membership, *, include_restricted: bool) -> list[Category]:
    """Active categories of the mission, parents followed by their children."""
    found = Category.objects.filter(mission_id=membership.mission_id, is_active=True)
    if not include_restricted:
        found = found.filter(is_restricted=False).exclude(parent__is_restricted=True)
    rows = list(found.select_related("parent").order_by("sort_order", "code"))
    children: dict[int, list[Category]] = defaultdict(list)
    for row in rows:
        if row.parent_id is not None:
            children[row.parent_id].append(row)
    ordered: list[Category] = []
    known = {row.pk for row in rows}
    for row in rows:
        if row.parent_id is None or row.parent_id not in known:
            ordered.append(row)
            ordered.extend(children.get(row.pk, []))
    return ordered


def label_of(category: Category | None) -> str:
    return category_label(category.code, category.name) if category is not None else ""


def full_label_of(category: Category | None) -> str:
    """``"Need or service request / Water"`` for a sub-category, else its own label."""
    if category is None:
        return ""
    if category.parent is not None:
        return f"{label_of(category.parent)} / {label_of(category)}"
    return label_of(category)


# --- Facet counts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetItem:
    value: str
    label: str
    count: int
    depth: int = 0


@dataclass(frozen=True)
class Facets:
    """Counts for the filter sidebar, each over the visible messages matching every *other*
    filter (so a facet shows the alternatives to its own choice)."""

    total: int
    status: list[FacetItem] = field(default_factory=list)
    urgency: list[FacetItem] = field(default_factory=list)
    category: list[FacetItem] = field(default_factory=list)
    channel: list[FacetItem] = field(default_factory=list)
    language: list[FacetItem] = field(default_factory=list)
    place: list[FacetItem] = field(default_factory=list)


def _counts(membership: Membership, filters: MessageFilters, column: str) -> dict[Any, int]:
    rows = _filtered(membership, filters).order_by().values(column).annotate(n=Count("id"))
    return {row[column]: int(row["n"]) for row in rows}


def _choice_items(counts: dict[Any, int], choices: Iterable[tuple[str, Any]]) -> list[FacetItem]:
    return [
        FacetItem(value=str(value), label=str(label), count=counts[value])
        for value, label in choices
        if counts.get(value)
    ]


def _category_items(membership: Membership, counts: dict[Any, int]) -> list[FacetItem]:
    """Counts by category; a parent's count includes its children's."""
    rows = categories_of(membership, include_restricted=may_see_restricted(membership))
    totals: Counter[int] = Counter()
    for row in rows:
        own = counts.get(row.pk, 0)
        totals[row.pk] += own
        if row.parent_id is not None:
            totals[row.parent_id] += own
    return [
        FacetItem(
            value=row.code,
            label=label_of(row),
            count=totals[row.pk],
            depth=1 if row.parent_id is not None else 0,
        )
        for row in rows
        if totals[row.pk]
    ]


def _place_items(
    membership: Membership, filters: MessageFilters, counts: dict[Any, int]
) -> list[FacetItem]:
    """Counts rolled up to the level just under the chosen place (or the top of the tree)."""
    unplaced = counts.pop(None, 0)
    units = {
        u.pk: u for u in AdminUnit.objects.filter(mission_id=membership.mission_id, pk__in=counts)
    }
    paths = {pk: [p for p in units[pk].path.split("/") if p] for pk in counts if pk in units}
    base = 0
    if filters.place and filters.place != PLACE_NONE:
        chosen = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=filters.place
        ).first()
        base = len([p for p in chosen.path.split("/") if p]) if chosen else 0
    buckets: Counter[str] = Counter()
    for depth in (base, base + 1):  # one root only (a country): go one level deeper
        buckets = Counter()
        for pk, segments in paths.items():
            buckets[segments[min(depth, len(segments) - 1)]] += counts[pk]
        if len(buckets) > 1 or base:
            break
    names = dict(
        AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode__in=list(buckets)
        ).values_list("pcode", "name")
    )
    items = [
        FacetItem(value=code, label=names.get(code, code), count=n)
        for code, n in sorted(buckets.items(), key=lambda kv: (-kv[1], names.get(kv[0], kv[0])))
    ]
    if unplaced:
        items.append(FacetItem(value=PLACE_NONE, label="", count=unplaced))
    return items


def message_facets(*, membership: Membership, filters: MessageFilters | None = None) -> Facets:
    filters = filters or MessageFilters()
    channels = {c.pk: c for c in channels_of(membership)}
    channel_counts = _counts(membership, replace(filters, channel=""), "channel_id")
    languages = _counts(membership, replace(filters, language=""), "language")
    return Facets(
        total=_filtered(membership, filters).count(),
        status=_choice_items(
            _counts(membership, replace(filters, status=""), "status"), MessageStatus.choices
        ),
        urgency=_choice_items(
            _counts(membership, replace(filters, urgency=""), "urgency"), Urgency.choices
        ),
        category=_category_items(
            membership, _counts(membership, replace(filters, category=""), "category_id")
        ),
        channel=[
            FacetItem(value=str(channels[pk].public_id), label=channels[pk].name, count=n)
            for pk, n in sorted(channel_counts.items(), key=lambda kv: -kv[1])
            if pk in channels
        ],
        language=[
            FacetItem(value=code, label=code, count=n)
            for code, n in sorted(languages.items(), key=lambda kv: -kv[1])
            if code
        ],
        place=_place_items(
            membership,
            filters,
            _counts(membership, filters, "admin_unit_id"),
        ),
    )


# --- Map -------------------------------------------------------------------------------------


@dataclass
class MapPoint:
    """Messages aggregated at one admin unit's centroid."""

    unit: AdminUnit
    count: int = 0
    urgency: Counter[str] = field(default_factory=Counter)
    category: Counter[str] = field(default_factory=Counter)

    @property
    def worst_urgency(self) -> str:
        return next((u for u in URGENCY_ORDER if self.urgency.get(u)), "")

    @property
    def top_category(self) -> str:
        return self.category.most_common(1)[0][0] if self.category else ""


@dataclass(frozen=True)
class MessageMap:
    points: list[MapPoint]
    total: int
    unmapped: int  # visible matching messages with no place, or a place without a centroid


def _roll_up(unit: AdminUnit, level: int | None, units_by_code: dict[str, AdminUnit]) -> AdminUnit:
    if level is None or unit.level <= level:
        return unit
    for code in (p for p in unit.path.split("/") if p):
        ancestor = units_by_code.get(code)
        if ancestor is not None and ancestor.level == level:
            return ancestor
    return unit


def message_map(
    *, membership: Membership, filters: MessageFilters | None = None, level: int | None = None
) -> MessageMap:
    """Visible messages matching ``filters`` counted by place (rolled up to admin ``level``),
    never by the sender's own coordinates."""
    filters = filters or MessageFilters()
    rows = (
        _filtered(membership, filters)
        .order_by()
        .values("admin_unit_id", "urgency", "category__code")
        .annotate(n=Count("id"))
    )
    counts = [(r["admin_unit_id"], r["urgency"], r["category__code"], int(r["n"])) for r in rows]
    units = AdminUnit.objects.filter(mission_id=membership.mission_id).only(
        "id", "pcode", "name", "level", "path", "centroid_lat", "centroid_lon"
    )
    by_id = {u.pk: u for u in units}
    by_code = {u.pcode: u for u in by_id.values()}
    points: dict[int, MapPoint] = {}
    total = unmapped = 0
    for unit_id, urgency, category, n in counts:
        total += n
        unit = by_id.get(unit_id) if unit_id is not None else None
        target = _roll_up(unit, level, by_code) if unit is not None else None
        if target is None or target.centroid_lat is None or target.centroid_lon is None:
            unmapped += n
            continue
        point = points.setdefault(target.pk, MapPoint(unit=target))
        point.count += n
        point.urgency[urgency or ""] += n
        point.category[category or ""] += n
    ordered = sorted(points.values(), key=lambda p: (-p.count, p.unit.name))
    return MessageMap(points=ordered, total=total, unmapped=unmapped)
