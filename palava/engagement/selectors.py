"""Who sees which engagement records: the visibility rules every other engagement read builds on.

- Activities, commitments and projects: the member's mission and geographic scope through their
  main place (``admin_unit``); commitments also by their own ``sensitivity`` against the role's
  clearance (as actors, ADR 0004).
- Partners: organisations of the mission whose actor record the member's clearance allows, and
  which either lie in the member's scope or run a project there.

Area modules (``activity_selectors``, ``commitment_selectors``, ``partner_selectors``, ...)
start from these querysets.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from palava.engagement.models import Activity, Commitment, EngagementSettings, Partner, Project
from palava.missions.models import Membership, Mission
from palava.missions.permissions import clearance_for
from palava.places.scope import scope_for


def activities_visible(*, membership: Membership) -> QuerySet[Activity]:
    if not membership.is_active:
        return Activity.objects.none()
    return Activity.objects.filter(
        scope_for(membership).q("admin_unit"), mission_id=membership.mission_id
    )


def commitments_visible(*, membership: Membership) -> QuerySet[Commitment]:
    if not membership.is_active:
        return Commitment.objects.none()
    return Commitment.objects.filter(
        scope_for(membership).q("admin_unit"),
        mission_id=membership.mission_id,
        sensitivity__lte=int(clearance_for(membership.role)),
    )


def projects_visible(*, membership: Membership) -> QuerySet[Project]:
    if not membership.is_active:
        return Project.objects.none()
    return Project.objects.filter(
        scope_for(membership).q("admin_unit"), mission_id=membership.mission_id
    )


def partners_visible(*, membership: Membership) -> QuerySet[Partner]:
    if not membership.is_active:
        return Partner.objects.none()
    scope = scope_for(membership)
    found = Partner.objects.filter(
        mission_id=membership.mission_id,
        actor__sensitivity__lte=int(clearance_for(membership.role)),
    )
    if scope.is_whole_mission:
        return found
    # ``Scope.q`` is an empty Q for whole-mission members, which must not be OR-ed with more.
    in_scope = scope.q("actor__admin_unit") | Q(
        pk__in=projects_visible(membership=membership).values("partner_id")
    )
    return found.filter(in_scope)


def engagement_settings_get(mission: Mission) -> EngagementSettings:
    """The mission's settings, or unsaved defaults when none were saved (reads never write)."""
    found = EngagementSettings.objects.filter(mission=mission).first()
    return found if found is not None else EngagementSettings(mission=mission)


def zone_of(mission: Mission) -> zoneinfo.ZoneInfo:
    """The mission's time zone (UTC if unset or unknown): engagement days are the mission's days."""
    try:
        return zoneinfo.ZoneInfo(mission.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def mission_zone(membership: Membership) -> zoneinfo.ZoneInfo:
    return zone_of(membership.mission)


def mission_today(membership: Membership) -> dt.date:
    return timezone.localdate(timezone=mission_zone(membership))
