"""Reads about knowledge entries for the pages, the API and the dossier.

Everything starts from :func:`palava.context.selectors.entries_visible` (mission, geographic scope
with inheritance, clearance, and reviewed entries only for members who may not edit), so a record
the member may not see is never returned: getters answer ``None``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from palava.context.models import (
    REVIEW_INTERVAL_DAYS,
    EntryStatus,
    KnowledgeEntry,
    KnowledgeRevision,
    KnowledgeTranslation,
    Topic,
)
from palava.context.selectors import (
    entries_applying_to_site,
    entries_applying_to_unit,
    entries_visible,
    entry_is_stale,
    stale_q,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places import selectors as places_selectors
from palava.places.models import AdminUnit, Site

__all__ = [
    "MAX_QUERY_CHARS",
    "EntryFilters",
    "LocalisedEntry",
    "entry_get",
    "entry_list",
    "entry_revisions",
    "localised",
    "place_entries",
    "review_queue",
    "stale_entries",
    "stale_reason",
    "topic_counts",
    "translation_get",
]

MAX_QUERY_CHARS = 100
_MAX_QUERY_WORDS = 8


@dataclass(frozen=True)
class EntryFilters:
    """Filters of the entry list; empty values do not filter.

    ``place``: a P-code or a site code (entries about that place and every place inside it);
    ``status``: one of :class:`EntryStatus` (retired entries are listed only when asked for);
    ``stale``: only entries needing attention (:func:`palava.context.selectors.stale_q`);
    ``q``: words found in the title or the text.
    """

    place: str = ""
    topic: str = ""
    status: str = ""
    stale: bool = False
    q: str = ""


def entry_list(
    *, membership: Membership, filters: EntryFilters | None = None
) -> QuerySet[KnowledgeEntry]:
    """Visible entries matching ``filters``, by topic and title, with their place and people."""
    filters = filters or EntryFilters()
    found = entries_visible(membership=membership)
    place = filters.place.strip()
    if place:
        unit = places_selectors.admin_unit_get(membership=membership, pcode=place)
        if unit is not None:
            found = found.filter(
                Q(admin_unit__path__startswith=unit.path)
                | Q(site__admin_unit__path__startswith=unit.path)
            )
        else:
            site = places_selectors.site_get(membership=membership, code=place)
            if site is None:
                return found.none()
            found = found.filter(site_id=site.pk)
    if filters.topic:
        if filters.topic not in Topic.values:
            return found.none()
        found = found.filter(topic=filters.topic)
    if filters.status:
        if filters.status not in EntryStatus.values:
            return found.none()
        found = found.filter(status=filters.status)
    else:
        found = found.exclude(status=EntryStatus.RETIRED)
    if filters.stale:
        found = found.filter(stale_q())
    words = filters.q[:MAX_QUERY_CHARS].split()[:_MAX_QUERY_WORDS]
    for word in words:
        found = found.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return found.select_related("admin_unit", "site", "author", "reviewer").order_by(
        "topic", "title", "id"
    )


def entry_get(*, membership: Membership, public_id: uuid.UUID | str) -> KnowledgeEntry | None:
    """One visible entry (retired ones included), or None."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        entries_visible(membership=membership)
        .select_related("admin_unit", "site", "author", "reviewer", "updated_by")
        .prefetch_related("translations")
        .filter(public_id=key)
        .first()
    )


def entry_revisions(
    *, membership: Membership, entry: KnowledgeEntry
) -> QuerySet[KnowledgeRevision]:
    """The entry's revisions the member may read, newest first (none if the member may not see
    the entry). A version classified above the member's clearance is left out: an entry
    downgraded after its confidential part was removed must not leak that part through its
    history."""
    if not entries_visible(membership=membership).filter(pk=entry.pk).exists():
        return KnowledgeRevision.objects.none()
    return (
        KnowledgeRevision.objects.filter(
            entry_id=entry.pk, sensitivity__lte=int(clearance_for(membership.role))
        )
        .select_related("created_by")
        .order_by("-version")
    )


def translation_get(entry: KnowledgeEntry, language: str) -> KnowledgeTranslation | None:
    """The entry's translation into ``language`` (exact tag first, then same base language)."""
    wanted = language.lower()
    base = wanted.split("-", 1)[0]
    translations = list(entry.translations.all())
    for translation in translations:
        if translation.language.lower() == wanted:
            return translation
    for translation in translations:
        if translation.language.lower().split("-", 1)[0] == base:
            return translation
    return None


@dataclass(frozen=True)
class LocalisedEntry:
    """An entry as a reader sees it: in their language when a translation exists.

    ``language``: the language of ``title``/``body``; ``translation_stale``: the translation was
    made from an older version; ``inherited_from``: the name of the place above the one being
    looked at that the entry is about ("" when it is about that place); ``is_stale``: the entry
    itself needs attention (validity passed, review overdue or never reviewed).
    """

    entry: KnowledgeEntry
    title: str
    body: str
    language: str
    is_translation: bool
    translation_stale: bool
    inherited_from: str
    is_stale: bool


def localised(entry: KnowledgeEntry, language: str, *, inherited_from: str = "") -> LocalisedEntry:
    """``entry`` in ``language`` if it is written in it or translated into it, else as written."""
    is_stale = entry_is_stale(entry)
    same = entry.language.lower().split("-", 1)[0] == language.lower().split("-", 1)[0]
    translation = None if same else translation_get(entry, language)
    if translation is None:
        return LocalisedEntry(
            entry=entry,
            title=entry.title,
            body=entry.body,
            language=entry.language,
            is_translation=False,
            translation_stale=False,
            inherited_from=inherited_from,
            is_stale=is_stale,
        )
    return LocalisedEntry(
        entry=entry,
        title=translation.title,
        body=translation.body,
        language=translation.language,
        is_translation=True,
        translation_stale=translation.source_version < entry.version,
        inherited_from=inherited_from,
        is_stale=is_stale,
    )


def _depth(path: str) -> int:
    return len([part for part in path.split("/") if part])


def place_entries(
    *,
    membership: Membership,
    language: str,
    unit: AdminUnit | None = None,
    site: Site | None = None,
) -> list[tuple[Topic, list[LocalisedEntry]]]:
    """What holds at ``unit`` (or ``site``), by topic in :class:`Topic` order (empty topics left
    out): the place's own entries first, then those of the places above it, nearest first, each
    marked with the name of the place it comes from. Retired entries are left out."""
    if (unit is None) == (site is None):
        raise ValueError("place_entries needs exactly one of unit or site")
    if site is not None:
        found = entries_applying_to_site(membership=membership, site=site)
    else:
        assert unit is not None
        found = entries_applying_to_unit(membership=membership, unit=unit)
    entries = list(found.select_related("admin_unit", "site").prefetch_related("translations"))

    def is_own(entry: KnowledgeEntry) -> bool:
        if site is not None:
            return entry.site_id == site.pk
        return unit is not None and entry.admin_unit_id == unit.pk

    def sort_key(entry: KnowledgeEntry) -> tuple[int, int, str]:
        depth = _depth(entry.admin_unit.path) if entry.admin_unit is not None else 99
        return (0 if is_own(entry) else 1, -depth, entry.title.casefold())

    by_topic: dict[str, list[LocalisedEntry]] = {}
    for entry in sorted(entries, key=sort_key):
        origin = ""
        if not is_own(entry) and entry.admin_unit is not None:
            origin = entry.admin_unit.name
        by_topic.setdefault(entry.topic, []).append(
            localised(entry, language, inherited_from=origin)
        )
    return [(topic, by_topic[topic.value]) for topic in Topic if topic.value in by_topic]


def stale_entries(*, membership: Membership) -> QuerySet[KnowledgeEntry]:
    """Visible entries needing attention (see :func:`stale_reason` for why), oldest first."""
    return (
        entries_visible(membership=membership)
        .filter(stale_q())
        .select_related("admin_unit", "site", "author", "reviewer")
        .order_by("reviewed_at", "updated_at", "id")
    )


def stale_reason(entry: KnowledgeEntry, *, now: dt.datetime | None = None) -> str:
    """Why ``entry`` needs attention, in the active language ("" if it does not)."""
    now = now or timezone.now()
    if entry.status == EntryStatus.DRAFT:
        return _("Draft: never reviewed.")
    if entry.status == EntryStatus.IN_REVIEW:
        return _("Waiting for review.")
    if entry.status != EntryStatus.REVIEWED:
        return ""
    if entry.valid_until is not None and entry.valid_until < timezone.localdate(now):
        return _("Validity ended on %(date)s.") % {
            "date": date_format(entry.valid_until, "DATE_FORMAT")
        }
    if entry.reviewed_at is None:
        return _("Never reviewed.")
    if entry.reviewed_at < now - dt.timedelta(days=REVIEW_INTERVAL_DAYS):
        return _("Not reviewed for over a year (last on %(date)s).") % {
            "date": date_format(timezone.localdate(entry.reviewed_at), "DATE_FORMAT")
        }
    return ""


def review_queue(*, membership: Membership) -> QuerySet[KnowledgeEntry]:
    """Entries waiting for review that the member may review: not ones they wrote or last
    changed. Empty for roles that do not review."""
    if not role_has(membership.role, Perm.CONTEXT_REVIEW):
        return KnowledgeEntry.objects.none()
    return (
        entries_visible(membership=membership)
        .filter(status=EntryStatus.IN_REVIEW)
        .exclude(author_id=membership.user_id)
        .exclude(updated_by_id=membership.user_id)
        .select_related("admin_unit", "site", "author", "updated_by")
        .order_by("updated_at", "id")
    )


def topic_counts(*, membership: Membership, unit: AdminUnit) -> dict[str, int]:
    """How many visible, not retired entries are about ``unit`` or a place inside it, per topic:
    every topic value in :class:`Topic` order, zeros included."""
    rows = (
        entries_visible(membership=membership)
        .exclude(status=EntryStatus.RETIRED)
        .filter(
            Q(admin_unit__path__startswith=unit.path)
            | Q(site__admin_unit__path__startswith=unit.path)
        )
        .order_by()
        .values("topic")
        .annotate(n=Count("id"))
        .values_list("topic", "n")
    )
    counts = dict.fromkeys(Topic.values, 0)
    for topic, n in rows:
        if topic in counts:
            counts[topic] = int(n)
    return counts
