"""Who sees which cultural-context records: the visibility rules every other context read uses.

- Entries: the member's mission; the entry's own ``sensitivity`` against the role's clearance
  (ADR 0004); geographic scope *with inheritance*: an entry about a place applies to every place
  below it, so a member scoped to a district sees the entries of that district, of the places
  inside it, and of the province and country above it (never of a sibling district). Members who
  may not edit (``Perm.CONTEXT_EDIT``) see reviewed entries only.
- Calendar events: mission-wide events, and events of places in (or above) the member's scope.
- Dossiers: only the member's own (each was filtered for its reader).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from palava.context.models import (
    REVIEW_INTERVAL_DAYS,
    CalendarEvent,
    Dossier,
    EntryStatus,
    KnowledgeEntry,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.models import AdminUnit, Site
from palava.places.scope import Scope, scope_for
from palava.places.selectors import admin_unit_get, site_get


def place_by_code(*, membership: Membership, code: str) -> AdminUnit | Site | None:
    """The admin unit with this P-code the member may see, else the site with this code they may
    see, else None (retired places included: callers decide)."""
    unit = admin_unit_get(membership=membership, pcode=code)
    if unit is not None:
        return unit
    return site_get(membership=membership, code=code)


def ancestor_paths(path: str) -> list[str]:
    """The paths above ``path``: ``/COD/CD20/CD2001/`` -> ``['/COD/', '/COD/CD20/']``."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts))]


def unit_paths_applying(unit: AdminUnit) -> list[str]:
    """The unit's own path and those above it: entries there apply to ``unit``."""
    return [*ancestor_paths(unit.path), unit.path]


def inherited_scope_q(
    scope: Scope, *, unit_field: str = "admin_unit", site_field: str = "site"
) -> Q:
    """Records placed at an admin unit (``unit_field``) or a site (``site_field``) that a member
    with ``scope`` may see: inside the scope, or at a unit above it (inherited down)."""
    if scope.paths is None:
        return Q()
    condition = Q(pk__in=[])
    for path in scope.paths:
        condition |= Q(**{f"{unit_field}__path__startswith": path})
        condition |= Q(**{f"{site_field}__admin_unit__path__startswith": path})
        above = ancestor_paths(path)
        if above:
            condition |= Q(**{f"{unit_field}__path__in": above})
    return condition


def entries_visible(*, membership: Membership) -> QuerySet[KnowledgeEntry]:
    if not membership.is_active:
        return KnowledgeEntry.objects.none()
    found = KnowledgeEntry.objects.filter(
        inherited_scope_q(scope_for(membership)),
        mission_id=membership.mission_id,
        sensitivity__lte=int(clearance_for(membership.role)),
    )
    if not role_has(membership.role, Perm.CONTEXT_EDIT):
        found = found.filter(status=EntryStatus.REVIEWED)
    return found


def entries_applying_to_unit(
    *, membership: Membership, unit: AdminUnit
) -> QuerySet[KnowledgeEntry]:
    """Entries about ``unit`` itself or a unit above it (what holds there), not retired."""
    return (
        entries_visible(membership=membership)
        .filter(
            admin_unit__path__in=unit_paths_applying(unit), admin_unit__mission_id=unit.mission_id
        )
        .exclude(status=EntryStatus.RETIRED)
        .select_related("admin_unit")
    )


def entries_applying_to_site(*, membership: Membership, site: Site) -> QuerySet[KnowledgeEntry]:
    """Entries about ``site`` itself and about its admin unit and those above it."""
    visible = entries_visible(membership=membership).exclude(status=EntryStatus.RETIRED)
    condition = Q(site_id=site.pk)
    if site.admin_unit_id is not None and site.admin_unit is not None:
        condition |= Q(admin_unit__path__in=unit_paths_applying(site.admin_unit))
    return visible.filter(condition).select_related("admin_unit", "site")


def stale_q(*, now: dt.datetime | None = None) -> Q:
    """Entries needing attention: reviewed but past ``valid_until`` or last reviewed more than
    :data:`REVIEW_INTERVAL_DAYS` ago, or never reviewed (draft, waiting for review)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    review_due = now - dt.timedelta(days=REVIEW_INTERVAL_DAYS)
    return Q(status__in=[EntryStatus.DRAFT, EntryStatus.IN_REVIEW]) | Q(
        Q(valid_until__lt=today) | Q(reviewed_at__lt=review_due) | Q(reviewed_at__isnull=True),
        status=EntryStatus.REVIEWED,
    )


def entry_is_stale(entry: KnowledgeEntry, *, now: dt.datetime | None = None) -> bool:
    """Python twin of :func:`stale_q` for one entry."""
    now = now or timezone.now()
    if entry.status in (EntryStatus.DRAFT, EntryStatus.IN_REVIEW):
        return True
    if entry.status != EntryStatus.REVIEWED:
        return False
    if entry.valid_until is not None and entry.valid_until < timezone.localdate(now):
        return True
    return entry.reviewed_at is None or entry.reviewed_at < now - dt.timedelta(
        days=REVIEW_INTERVAL_DAYS
    )


def events_visible(*, membership: Membership) -> QuerySet[CalendarEvent]:
    """Mission-wide events, and events of places in or above the member's scope."""
    if not membership.is_active:
        return CalendarEvent.objects.none()
    scope = scope_for(membership)
    condition = inherited_scope_q(scope)
    if scope.paths is not None:
        condition |= Q(admin_unit__isnull=True, site__isnull=True)
    return CalendarEvent.objects.filter(condition, mission_id=membership.mission_id)


def events_applying_to_unit(
    *, membership: Membership, unit: AdminUnit | None
) -> QuerySet[CalendarEvent]:
    """Active events observed at ``unit``: mission-wide ones and those of the unit or above it.
    ``None`` (no place): the mission-wide events only."""
    found = events_visible(membership=membership).filter(is_active=True)
    condition = Q(admin_unit__isnull=True, site__isnull=True)
    if unit is not None:
        condition |= Q(admin_unit__path__in=unit_paths_applying(unit))
        condition |= Q(site__admin_unit__path__in=[unit.path])
    return found.filter(condition)


def dossiers_of(*, membership: Membership) -> QuerySet[Dossier]:
    """The member's own dossiers in the mission (a dossier is for its reader only)."""
    if not membership.is_active:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        mission_id=membership.mission_id, created_by_id=membership.user_id
    ).select_related("job")
