"""Writes about activities. Participants, attendance and issues live in
``activity_record_services`` and are re-exported here (the shared contract).

Every function validates that what it links (places, site, facilitators, actors, categories,
messages) belongs to the activity's mission, calls ``full_clean()`` and writes an audit row
(``engagement.activity.*``) in the same transaction. Callers (pages, API) must only offer
records the member may see (``activity_selectors``, ``actors_visible``, ``messages_visible``);
these services check the mission, not the member's scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.engagement.activity_record_services import (
    MAX_CELL_COUNT,
    MAX_ISSUE_MESSAGES,
    MAX_ISSUE_SUMMARY,
    attendance_set,
    clean_counts,
    issue_add,
    issue_remove,
    participant_add,
    participant_remove,
)
from palava.engagement.models import (
    Activity,
    ActivityStatus,
)
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit, Site

MAX_LANGUAGES = 10
MAX_LANGUAGE_LENGTH = 40
MAX_LONG_TEXT = 20_000  # agenda, minutes
MAX_NOTES = 5_000  # follow-up notes
MAX_OTHER_PLACES = 50

# Fields ``activity_create`` and ``activity_update`` accept.
ACTIVITY_FIELDS: frozenset[str] = frozenset(
    {
        "activity_type",
        "title",
        "status",
        "admin_unit",
        "places",
        "site",
        "venue",
        "starts_at",
        "ends_at",
        "facilitators",
        "other_facilitators",
        "languages",
        "interpretation",
        "agenda",
        "minutes",
        "follow_up_of",
        "follow_up_notes",
        "cancel_reason",
    }
)
_M2M = ("places", "facilitators")


def clean_languages(value: Any) -> list[str]:
    """A list of at most 10 short language codes or names, trimmed and without repeats."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError({"languages": _("Give a list of languages.")})
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError({"languages": _("Give a list of languages.")})
        text = " ".join(item.split())
        if not text:
            continue
        if len(text) > MAX_LANGUAGE_LENGTH:
            raise ValidationError({"languages": _("A language is at most 40 characters long.")})
        if text not in out:
            out.append(text)
    if len(out) > MAX_LANGUAGES:
        raise ValidationError({"languages": _("Give at most 10 languages.")})
    return out


def _check_links(
    mission: Mission,
    *,
    admin_unit: AdminUnit | None,
    places: Sequence[AdminUnit] | None,
    site: Site | None,
    facilitators: Sequence[Any] | None,
    follow_up_of: Activity | None,
    self_pk: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if admin_unit is not None and admin_unit.mission_id != mission.pk:
        errors["admin_unit"] = _("This place belongs to another mission.")
    if places is not None:
        if any(unit.mission_id != mission.pk for unit in places):
            errors["places"] = _("A place belongs to another mission.")
        elif len(places) > MAX_OTHER_PLACES:
            errors["places"] = _("Give at most 50 other places.")
    if site is not None:
        if site.mission_id != mission.pk:
            errors["site"] = _("This site belongs to another mission.")
        elif admin_unit is not None and not (
            site.admin_unit_id == admin_unit.pk or site.admin_unit.path.startswith(admin_unit.path)
        ):
            errors["site"] = _("This site is not in the activity's place.")
    if facilitators:
        ids = {user.pk for user in facilitators}
        members = set(
            Membership.objects.filter(mission=mission, is_active=True, user_id__in=ids).values_list(
                "user_id", flat=True
            )
        )
        if ids - members:
            errors["facilitators"] = _("Facilitators must be members of the mission.")
    if follow_up_of is not None:
        if follow_up_of.mission_id != mission.pk:
            errors["follow_up_of"] = _("This activity belongs to another mission.")
        elif self_pk is not None and follow_up_of.pk == self_pk:
            errors["follow_up_of"] = _("An activity cannot follow up on itself.")
    if errors:
        raise ValidationError(errors)


def _check_texts(obj: Activity) -> None:
    errors: dict[str, str] = {}
    for name in ("agenda", "minutes"):
        if len(getattr(obj, name) or "") > MAX_LONG_TEXT:
            errors[name] = _("At most 20,000 characters.")
    if len(obj.follow_up_notes or "") > MAX_NOTES:
        errors["follow_up_notes"] = _("At most 5,000 characters.")
    if obj.ends_at is not None and obj.starts_at is not None and obj.ends_at < obj.starts_at:
        errors["ends_at"] = _("The end is before the start.")
    if obj.status == ActivityStatus.CANCELLED and not obj.cancel_reason.strip():
        errors["cancel_reason"] = _("Say why the activity was cancelled.")
    if errors:
        raise ValidationError(errors)


def _audit_value(name: str, value: Any) -> Any:
    if name in ("admin_unit",):
        return value.pcode if value is not None else None
    if name == "site":
        return value.code if value is not None else None
    if name == "follow_up_of":
        return str(value.public_id) if value is not None else None
    if name == "places":
        return ",".join(sorted(u.pcode for u in value))
    if name == "facilitators":
        return ",".join(sorted(u.get_username() for u in value))
    if name == "languages":
        return ",".join(value)
    if name in ("starts_at", "ends_at"):
        return value.isoformat() if value is not None else None
    return value


def _unknown(fields: Mapping[str, Any]) -> None:
    unknown = sorted(set(fields) - ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"activity fields not accepted: {', '.join(unknown)}")


@transaction.atomic
def activity_create(*, actor: Any, mission: Mission, **fields: Any) -> Activity:
    """Record an activity; ``places`` and ``facilitators`` are sequences (many-to-many)."""
    _unknown(fields)
    places = list(fields.pop("places", None) or [])
    facilitators = list(fields.pop("facilitators", None) or [])
    fields["languages"] = clean_languages(fields.get("languages"))
    _check_links(
        mission,
        admin_unit=fields.get("admin_unit"),
        places=places,
        site=fields.get("site"),
        facilitators=facilitators,
        follow_up_of=fields.get("follow_up_of"),
    )
    user = acting_user(actor)
    obj = Activity(mission=mission, created_by=user, updated_by=user, **fields)
    _check_texts(obj)
    obj.full_clean()
    obj.save()
    if places:
        obj.places.set(places)
    if facilitators:
        obj.facilitators.set(facilitators)
    changes = {
        name: _audit_value(name, getattr(obj, name))
        for name in ACTIVITY_FIELDS - {"places", "facilitators", "minutes", "agenda"}
    }
    changes["places"] = _audit_value("places", places)
    changes["facilitators"] = _audit_value("facilitators", facilitators)
    changes["minutes"] = bool(obj.minutes)
    audit_record(
        actor=actor, action="engagement.activity.create", mission=mission, obj=obj, changes=changes
    )
    return obj


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, **fields: Any) -> Activity:
    """Change the fields given; the audit row names the changed fields (minutes redacted)."""
    _unknown(fields)
    obj = Activity.objects.select_for_update().get(pk=activity.pk)
    changes: dict[str, Any] = {}
    new_m2m: dict[str, list[Any]] = {}
    for name, value in fields.items():
        if name in _M2M:
            items = list(value or [])
            old = {item.pk for item in getattr(obj, name).all()}
            if {item.pk for item in items} != old:
                new_m2m[name] = items
                changes[name] = _audit_value(name, items)
            continue
        if name == "languages":
            value = clean_languages(value)
        if value is None and name not in ("site", "ends_at", "follow_up_of", "admin_unit"):
            value = ""
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changes[name] = _audit_value(name, value)
    _check_links(
        obj.mission,
        admin_unit=obj.admin_unit,
        places=new_m2m.get("places"),
        site=obj.site,
        facilitators=new_m2m.get("facilitators"),
        follow_up_of=obj.follow_up_of,
        self_pk=obj.pk,
    )
    if obj.status != ActivityStatus.CANCELLED and "status" in changes:
        obj.cancel_reason = obj.cancel_reason if obj.status == ActivityStatus.POSTPONED else ""
    _check_texts(obj)
    if not changes:
        return obj
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    for name, items in new_m2m.items():
        getattr(obj, name).set(items)
    audit_record(
        actor=actor,
        action="engagement.activity.update",
        mission=obj.mission,
        obj=obj,
        changes=changes,
    )
    return obj


@transaction.atomic
def activity_set_status(
    *, actor: Any, activity: Activity, status: str, reason: str = ""
) -> Activity:
    """Mark an activity planned, held, postponed or cancelled (cancelling needs a reason)."""
    if status not in ActivityStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    reason = " ".join(reason.split())
    if status == ActivityStatus.CANCELLED and not reason:
        raise ValidationError({"cancel_reason": _("Say why the activity was cancelled.")})
    obj = Activity.objects.select_for_update().get(pk=activity.pk)
    old = obj.status
    obj.status = status
    obj.cancel_reason = (
        reason if status in (ActivityStatus.CANCELLED, ActivityStatus.POSTPONED) else ""
    )
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="engagement.activity.status",
        mission=obj.mission,
        obj=obj,
        changes={"status": status, "from_status": old, "cancel_reason": obj.cancel_reason},
    )
    return obj


__all__ = [
    "ACTIVITY_FIELDS",
    "MAX_CELL_COUNT",
    "MAX_ISSUE_MESSAGES",
    "MAX_ISSUE_SUMMARY",
    "MAX_LANGUAGES",
    "MAX_LONG_TEXT",
    "MAX_NOTES",
    "MAX_OTHER_PLACES",
    "activity_create",
    "activity_set_status",
    "activity_update",
    "attendance_set",
    "clean_counts",
    "clean_languages",
    "issue_add",
    "issue_remove",
    "participant_add",
    "participant_remove",
]
