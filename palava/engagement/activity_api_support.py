"""Shaping and resolving for the activities API (``api_activities``): records to JSON-ready
dicts, and sent codes and names to records the caller may use (422 when not)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from palava.actors.selectors import admin_unit_visible, site_visible
from palava.core.sensitivity import Sensitivity
from palava.engagement import activity_selectors as sel
from palava.engagement.models import Activity, ActivityIssue, Participant
from palava.missions.models import Membership
from palava.missions.permissions import clearance_for

# --- Shaping output --------------------------------------------------------------------------


def activity_out(obj: Activity) -> dict[str, Any]:
    return {
        "id": obj.public_id,
        "activity_type": obj.activity_type,
        "title": obj.title,
        "status": obj.status,
        "admin_unit": obj.admin_unit.pcode,
        "site": obj.site.code if obj.site else None,
        "venue": obj.venue,
        "starts_at": obj.starts_at,
        "ends_at": obj.ends_at,
        "updated_at": obj.updated_at,
    }


def participant_out(p: Participant) -> dict[str, Any]:
    return {"id": p.public_id, "actor": p.actor.public_id, "name": p.actor.name, "role": p.role}


def attendance_out(attendance: sel.Attendance) -> dict[str, Any]:
    return {
        "cells": [
            {"sex": s, "age_band": b, "group": g, "count": n}
            for (s, b, g), n in sorted(attendance.cells.items())
        ],
        "total": attendance.total,
        "women_pct": attendance.women_pct,
        "youth_pct": attendance.youth_pct,
        "minority_pct": attendance.minority_pct,
    }


def issue_out(issue: ActivityIssue) -> dict[str, Any]:
    return {
        "id": issue.public_id,
        "summary": issue.summary,
        "category": issue.category.code if issue.category else None,
        "messages": [m.public_id for m in getattr(issue, "visible_messages", [])],
    }


def activity_detail_out(obj: Activity, membership: Membership) -> dict[str, Any]:
    detail = sel.activity_detail(membership=membership, activity=obj)
    cleared = clearance_for(membership.role) >= Sensitivity.CONFIDENTIAL
    return {
        **activity_out(obj),
        "places": sorted(u.pcode for u in obj.places.all()),
        "facilitators": sorted(u.get_username() for u in obj.facilitators.all()),
        "other_facilitators": obj.other_facilitators,
        "languages": list(obj.languages or []),
        "interpretation": obj.interpretation,
        "agenda": obj.agenda,
        "minutes": obj.minutes if cleared else None,
        "follow_up_of": obj.follow_up_of.public_id if obj.follow_up_of else None,
        "follow_up_notes": obj.follow_up_notes,
        "cancel_reason": obj.cancel_reason,
        "participants": [participant_out(p) for p in detail.participants],
        "hidden_participants": detail.hidden_participants,
        "attendance": attendance_out(detail.attendance),
        "issues": [issue_out(i) for i in detail.issues],
        "created_at": obj.created_at,
    }


class ActivityList:
    """A sliceable view of a queryset that shapes only the page that is sent."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [activity_out(obj) for obj in self.queryset[key]]


# --- Resolving input -------------------------------------------------------------------------


def invalid(exc: ValidationError) -> HttpError:
    if hasattr(exc, "error_dict"):
        parts = [
            f"{name}: {' '.join(str(m) for m in errors[0].messages)}"
            for name, errors in exc.error_dict.items()
        ]
        return HttpError(422, " ".join(parts))
    return HttpError(422, " ".join(str(m) for m in exc.messages))


def activity_or_404(membership: Membership, activity_id: str) -> Activity:
    found = sel.activity_get(membership=membership, public_id=activity_id)
    if found is None:
        raise Http404
    return found


def place_or_422(membership: Membership, pcode: str) -> Any:
    unit = admin_unit_visible(membership=membership, pcode=pcode)
    if unit is None:
        raise HttpError(422, _("Unknown place, or a place outside your area."))
    return unit


def site_or_422(membership: Membership, code: str | None) -> Any:
    if not code:
        return None
    site = site_visible(membership=membership, code=code)
    if site is None:
        raise HttpError(422, _("Unknown site, or a site outside your area."))
    return site


def facilitators_or_422(membership: Membership, names: list[str]) -> list[Any]:
    wanted = set(names)
    found = [
        m.user
        for m in membership.mission.memberships.filter(
            is_active=True, user__username__in=wanted
        ).select_related("user")
    ]
    if len(found) != len(wanted):
        raise HttpError(422, _("Facilitators must be members of the mission."))
    return found


def follow_up_or_422(membership: Membership, public_id: Any) -> Activity | None:
    if public_id is None:
        return None
    found = sel.activity_get(membership=membership, public_id=public_id)
    if found is None:
        raise HttpError(422, _("Unknown activity to follow up on."))
    return found


def activity_fields(membership: Membership, sent: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "admin_unit":
            if value is None:
                raise HttpError(422, _("admin_unit cannot be empty."))
            data[name] = place_or_422(membership, value)
        elif name == "places":
            data[name] = [place_or_422(membership, code) for code in dict.fromkeys(value or [])]
        elif name == "site":
            data[name] = site_or_422(membership, value)
        elif name == "facilitators":
            data[name] = facilitators_or_422(membership, value or [])
        elif name == "follow_up_of":
            data[name] = follow_up_or_422(membership, value)
        elif value is None and name not in ("ends_at",):
            raise HttpError(422, _("This field cannot be empty."))
        else:
            data[name] = value
    return data
