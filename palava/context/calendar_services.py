"""Writes of the cultural calendar: events, their retirement, and the standard holidays.

Every function is atomic and writes its audit row (``context.event.*``) in the same transaction.
The services check what the caller may do (deny by default): an active membership with
``Perm.CONTEXT_EDIT``, and a place inside the member's own scope. Mission-wide events (no place)
can be written only by members who see the whole mission. The recurrence parameters are checked
and normalised by :func:`palava.context.calendar_rules.rule_params_clean`.

Audit rows never hold the note (staff text): only that it changed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.context.calendar_rules import PARAMS, rule_params_clean
from palava.context.models import CalendarEvent, EventCategory
from palava.context.recurrence.rules import (
    CHRISTIAN_HOLIDAYS,
    EasterRelativeRule,
    FixedAnnualRule,
    HijriAnnualRule,
    Rule,
    RuleKind,
    islamic_holiday_rules,
)
from palava.context.text_checks import BIDI_CONTROLS
from palava.core.models import acting_user
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for

__all__ = [
    "EVENT_FIELDS",
    "MAX_NOTE_CHARS",
    "MAX_TITLE_CHARS",
    "event_create",
    "event_retire",
    "event_update",
    "holidays_install",
]

MAX_TITLE_CHARS: Final = 200
MAX_NOTE_CHARS: Final = 2000
MAX_KEY_CHARS: Final = 60
#: Fields :func:`event_update` may change.
EVENT_FIELDS: Final = frozenset(
    {
        "category",
        "title",
        "rule_kind",
        "rule",
        "titles",
        "note",
        "warn",
        "admin_unit",
        "site",
        "key",
        "is_active",
    }
)


# --- Checks -----------------------------------------------------------------------------


def _check_editor(membership: Membership) -> None:
    if not membership.is_active or not role_has(membership.role, Perm.CONTEXT_EDIT):
        raise PermissionDenied(_("You may not edit the cultural calendar."))


def _clean_text(value: object, field: str, *, limit: int, required: bool, multiline: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Enter a text.")})
    text = value.strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": limit}})
    allowed = "\n\r\t" if multiline else ""
    if any(
        (unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in BIDI_CONTROLS
        for ch in text
    ):
        raise ValidationError({field: _("Remove the control or text-direction characters.")})
    return text


def _clean_titles(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError({"titles": _("Give the titles as language: title pairs.")})
    languages = {code for code, _name in settings.LANGUAGES}
    out: dict[str, str] = {}
    for language, title in value.items():
        if language not in languages:
            raise ValidationError(
                {"titles": _("Titles can only be given in the languages of the application.")}
            )
        text = _clean_text(title, "titles", limit=MAX_TITLE_CHARS, required=False, multiline=False)
        if text:
            out[str(language)] = text
    return dict(sorted(out.items()))


def _clean_rule(kind: object, rule: object) -> tuple[str, dict[str, Any]]:
    if not isinstance(kind, str) or kind not in PARAMS:
        raise ValidationError({"rule_kind": _("Choose a kind of recurrence.")})
    try:
        return kind, rule_params_clean(kind, rule)
    except ValueError as error:
        # The reason names a parameter and a number, never user text beyond 200 characters.
        raise ValidationError(
            {"rule": _("The recurrence is not valid: %(reason)s") % {"reason": str(error)[:200]}}
        ) from None


def _clean_category(value: object) -> str:
    if not isinstance(value, str) or value not in EventCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    return value


def _clean_key(value: object, title: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({"key": _("Enter a valid key (letters, numbers, - and _).")})
    key = value.strip() or slugify(title)[:MAX_KEY_CHARS].strip("-") or "event"
    if len(key) > MAX_KEY_CHARS or not _is_slug(key):
        raise ValidationError({"key": _("Enter a valid key (letters, numbers, - and _).")})
    return key


def _is_slug(key: str) -> bool:
    return bool(key) and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key)


def _check_place(
    membership: Membership, admin_unit: object, site: object
) -> tuple[AdminUnit | None, Site | None]:
    """The place of an event: in the member's mission and scope (else PermissionDenied)."""
    if admin_unit is not None and site is not None:
        raise ValidationError({"site": _("Give an admin unit or a site, not both.")})
    if admin_unit is not None and not isinstance(admin_unit, AdminUnit):
        raise ValidationError({"admin_unit": _("Choose a place in your area.")})
    if site is not None and not isinstance(site, Site):
        raise ValidationError({"site": _("Choose a site in your area.")})
    scope = scope_for(membership)
    if site is not None:
        if site.mission_id != membership.mission_id or not scope.contains(site.admin_unit):
            raise PermissionDenied(_("This site is outside your area."))
        return None, site
    if admin_unit is None:
        if not scope.is_whole_mission:
            raise PermissionDenied(
                _("Only members who see the whole mission can add mission-wide events.")
            )
        return None, None
    if not scope.contains(admin_unit):
        raise PermissionDenied(_("This place is outside your area."))
    return admin_unit, None


def _check_event(membership: Membership, event: CalendarEvent) -> None:
    """The member may write this event: same mission and its place inside their scope."""
    if event.mission_id != membership.mission_id:
        raise PermissionDenied(_("This event belongs to another mission."))
    _check_place(membership, event.admin_unit, event.site)


def _audit_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, AdminUnit):
        return value.pcode
    if isinstance(value, Site):
        return value.code
    return str(value)


# --- Events -----------------------------------------------------------------------------


def _new_event(
    *,
    actor: Any,
    membership: Membership,
    category: str,
    title: str,
    rule_kind: str,
    rule: dict[str, Any],
    titles: dict[str, str],
    note: str,
    warn: bool,
    admin_unit: AdminUnit | None,
    site: Site | None,
    key: str,
) -> CalendarEvent:
    event = CalendarEvent(
        mission_id=membership.mission_id,
        admin_unit=admin_unit,
        site=site,
        key=key,
        category=category,
        title=title,
        titles=titles,
        rule_kind=rule_kind,
        rule=rule,
        note=note,
        warn=warn,
        is_active=True,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        action="context.event.create",
        mission=membership.mission,
        obj=event,
        changes={
            "category": category,
            "key": key,
            "rule_kind": rule_kind,
            "admin_unit": _audit_value(admin_unit),
            "site": _audit_value(site),
            "warn": warn,
        },
    )
    return event


@transaction.atomic
def event_create(
    *,
    actor: Any,
    membership: Membership,
    category: str,
    title: str,
    rule_kind: str,
    rule: Any,
    titles: Mapping[str, str] | None = None,
    note: str = "",
    warn: bool = True,
    admin_unit: AdminUnit | None = None,
    site: Site | None = None,
    key: str = "",
) -> CalendarEvent:
    """Add an event to the calendar of the member's mission (at a place, or mission-wide).

    Raises :class:`ValidationError` (a field-keyed dict) for invalid input and
    :class:`PermissionDenied` when the member may not edit or the place is outside their area.
    """
    _check_editor(membership)
    unit, place_site = _check_place(membership, admin_unit, site)
    clean_title = _clean_text(title, "title", limit=MAX_TITLE_CHARS, required=True, multiline=False)
    kind, params = _clean_rule(rule_kind, rule)
    if not isinstance(warn, bool):
        raise ValidationError({"warn": _("Enter yes or no.")})
    return _new_event(
        actor=actor,
        membership=membership,
        category=_clean_category(category),
        title=clean_title,
        rule_kind=kind,
        rule=params,
        titles=_clean_titles(titles),
        note=_clean_text(note, "note", limit=MAX_NOTE_CHARS, required=False, multiline=True),
        warn=warn,
        admin_unit=unit,
        site=place_site,
        key=_clean_key(key, clean_title),
    )


@transaction.atomic
def event_update(
    *, actor: Any, membership: Membership, event: CalendarEvent, **fields: Any
) -> CalendarEvent:
    """Change the given fields (see :data:`EVENT_FIELDS`); a no-op change writes nothing.

    Changing the recurrence kind requires new ``rule`` parameters of that kind. Moving the
    event: pass ``admin_unit`` and/or ``site`` (one of them ``None``; both ``None`` =
    mission-wide).
    """
    unknown = sorted(set(fields) - EVENT_FIELDS)
    if unknown:
        raise ValueError(f"event_update cannot change: {', '.join(unknown)}")
    _check_editor(membership)
    obj = (
        CalendarEvent.objects.select_for_update(of=("self",))
        .select_related("admin_unit", "site__admin_unit", "mission")
        .get(pk=event.pk)
    )
    _check_event(membership, obj)
    values: dict[str, Any] = {}
    if "admin_unit" in fields or "site" in fields:
        unit = fields.get("admin_unit", obj.admin_unit if "site" not in fields else None)
        place_site = fields.get("site", obj.site if "admin_unit" not in fields else None)
        values["admin_unit"], values["site"] = _check_place(membership, unit, place_site)
    if "title" in fields:
        values["title"] = _clean_text(
            fields["title"], "title", limit=MAX_TITLE_CHARS, required=True, multiline=False
        )
    if "category" in fields:
        values["category"] = _clean_category(fields["category"])
    if "rule_kind" in fields or "rule" in fields:
        kind = fields.get("rule_kind", obj.rule_kind)
        params = fields.get("rule", obj.rule)
        values["rule_kind"], values["rule"] = _clean_rule(kind, params)
    if "titles" in fields:
        values["titles"] = _clean_titles(fields["titles"])
    if "note" in fields:
        values["note"] = _clean_text(
            fields["note"], "note", limit=MAX_NOTE_CHARS, required=False, multiline=True
        )
    for flag in ("warn", "is_active"):
        if flag in fields:
            if not isinstance(fields[flag], bool):
                raise ValidationError({flag: _("Enter yes or no.")})
            values[flag] = fields[flag]
    if "key" in fields:
        values["key"] = _clean_key(fields["key"], values.get("title", obj.title))
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changes[name] = "(changed)" if name in ("note", "titles", "rule") else value
    if not changes:
        return obj
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="context.event.update",
        mission=obj.mission,
        obj=obj,
        changes={name: _audit_value(value) for name, value in changes.items()},
    )
    return obj


@transaction.atomic
def event_retire(*, actor: Any, membership: Membership, event: CalendarEvent) -> CalendarEvent:
    """Retire the event: it is kept but no longer shown in the calendar or warned about."""
    _check_editor(membership)
    obj = (
        CalendarEvent.objects.select_for_update(of=("self",))
        .select_related("admin_unit", "site__admin_unit", "mission")
        .get(pk=event.pk)
    )
    _check_event(membership, obj)
    if not obj.is_active:
        return obj
    obj.is_active = False
    obj.updated_by = acting_user(actor)
    obj.save(update_fields=["is_active", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action="context.event.retire",
        mission=obj.mission,
        obj=obj,
        changes={"is_active": False},
    )
    return obj


# --- Standard holidays ------------------------------------------------------------------

HOLIDAY_SETS: Final = ("islamic", "christian")
#: Languages the standard holidays get titles in (those of the application among them).
HOLIDAY_LANGUAGES: Final = ("en", "fr", "ar")


def _params_of(rule: Rule) -> tuple[str, dict[str, Any]]:
    if isinstance(rule, HijriAnnualRule):
        return RuleKind.HIJRI_ANNUAL, {
            "hijri_month": rule.hijri_month,
            "hijri_day": rule.hijri_day,
            "duration_days": rule.duration_days,
            "offset_days": rule.offset_days,
        }
    if isinstance(rule, EasterRelativeRule):
        return RuleKind.EASTER_RELATIVE, {
            "offset_days": rule.offset_days,
            "tradition": rule.tradition,
            "duration_days": rule.duration_days,
        }
    if isinstance(rule, FixedAnnualRule):
        return str(rule.kind), {
            "month": rule.month,
            "day": rule.day,
            "duration_days": rule.duration_days,
        }
    raise AssertionError(rule)  # pragma: no cover - the standard sets use these kinds only


def _titles_of(rule: Rule) -> dict[str, str]:
    languages = {code for code, _name in settings.LANGUAGES}
    titles: dict[str, str] = {}
    for language in HOLIDAY_LANGUAGES:
        if language in languages:
            with translation.override(language):
                titles[language] = str(rule.label)
    return titles


@transaction.atomic
def holidays_install(
    *,
    actor: Any,
    membership: Membership,
    which: str,
    offset_days: int = 0,
    admin_unit: AdminUnit | None = None,
) -> int:
    """Add the standard Islamic (``which="islamic"``) or Christian (``"christian"``) holidays
    as events of the mission (or of ``admin_unit``), keyed by their standard keys.

    ``offset_days`` (-2..+2, Islamic only) follows local moon sighting. Idempotent: a holiday
    that already has an active event with the same key at the same place is skipped. Returns
    how many events were created.
    """
    _check_editor(membership)
    if which not in HOLIDAY_SETS:
        raise ValidationError({"which": _("Choose Islamic or Christian holidays.")})
    if isinstance(offset_days, bool) or not isinstance(offset_days, int):
        raise ValidationError({"offset_days": _("Enter a whole number of days.")})
    if not -2 <= offset_days <= 2:
        raise ValidationError({"offset_days": _("The offset must be between -2 and +2 days.")})
    if which == "christian" and offset_days:
        raise ValidationError({"offset_days": _("An offset applies to the Islamic holidays only.")})
    unit, _site = _check_place(membership, admin_unit, None)
    rules: tuple[Rule, ...] = (
        islamic_holiday_rules(offset_days) if which == "islamic" else CHRISTIAN_HOLIDAYS
    )
    category = EventCategory.ISLAMIC if which == "islamic" else EventCategory.CHRISTIAN
    existing = set(
        CalendarEvent.objects.filter(
            mission_id=membership.mission_id,
            admin_unit=unit,
            site__isnull=True,
            is_active=True,
            key__in=[rule.key for rule in rules],
        ).values_list("key", flat=True)
    )
    created = 0
    for rule in rules:
        if rule.key in existing:
            continue
        kind, params = _params_of(rule)
        titles = _titles_of(rule)
        with translation.override("en"):
            title = str(rule.label)
        _new_event(
            actor=actor,
            membership=membership,
            category=category,
            title=title,
            rule_kind=kind,
            rule=rule_params_clean(kind, params),
            titles=titles,
            note="",
            warn=True,
            admin_unit=unit,
            site=None,
            key=rule.key,
        )
        created += 1
    return created
