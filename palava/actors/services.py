"""Writes about actors, their contact details, consent and relationships.

Every function is atomic, validates with ``full_clean()`` and writes its audit row in the same
transaction. Contact values never reach the audit trail: contact changes are recorded by field
name only (the values are redacted by ``audit_record`` and never passed to it).

Scope and clearance of the *caller* are checked by the callers (pages and API) through
``palava.actors.selectors``; these services check what the records themselves require (same
mission on both ends, no self-relationship, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.actors.models import (
    SYMMETRIC_KINDS,
    Actor,
    ActorKind,
    Confidence,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Relationship,
    RelationshipKind,
    default_sensitivity,
)
from palava.audit.services import audit_record
from palava.core import crypto
from palava.core.models import acting_user
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit, Site
from palava.places.text import search_text

# Fields ``actor_update`` may change (contact details go through ``actor_set_contact``).
UPDATABLE_FIELDS: frozenset[str] = frozenset(
    {
        "kind",
        "actor_type",
        "name",
        "alt_names",
        "gender",
        "title",
        "admin_unit",
        "places",
        "site",
        "languages",
        "influence",
        "stance_peace_process",
        "stance_mission",
        "sensitivity",
        "notes",
    }
)
CONTACT_FIELDS: tuple[str, ...] = ("phone", "email", "contact_other")


def _clean_names(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        text = " ".join(str(value).split())
        if text and text not in out:
            out.append(text)
    return out


def _check_places(
    mission: Mission,
    admin_unit: AdminUnit | None,
    places: Iterable[AdminUnit],
    site: Site | None,
) -> None:
    errors: dict[str, str] = {}
    if admin_unit is not None and admin_unit.mission_id != mission.pk:
        errors["admin_unit"] = _("This place belongs to another mission.")
    if any(unit.mission_id != mission.pk for unit in places):
        errors["places"] = _("A place belongs to another mission.")
    if site is not None and site.mission_id != mission.pk:
        errors["site"] = _("This site belongs to another mission.")
    if errors:
        raise ValidationError(errors)


def _refresh_search_text(obj: Actor) -> None:
    obj.name = " ".join(obj.name.split())
    obj.alt_names = _clean_names(obj.alt_names or [])
    obj.search_text = search_text(obj.name, extra=list(obj.alt_names))


def _validate_languages(value: Any) -> None:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and 2 <= len(v) <= 12 for v in value
    ):
        raise ValidationError({"languages": _("Give a list of language codes such as 'fr'.")})


@transaction.atomic
def actor_create(
    *,
    actor: Any,
    mission: Mission,
    kind: str,
    actor_type: str,
    name: str,
    alt_names: Iterable[str] = (),
    gender: str = "",
    title: str = "",
    admin_unit: AdminUnit | None = None,
    places: Iterable[AdminUnit] = (),
    site: Site | None = None,
    languages: Iterable[str] = (),
    influence: int | None = None,
    stance_peace_process: int | None = None,
    stance_mission: int | None = None,
    sensitivity: int | None = None,
    notes: str = "",
) -> Actor:
    """Create an actor. ``sensitivity`` defaults by type (armed-group figures: strictly
    confidential; others: internal)."""
    places = list(places)
    _check_places(mission, admin_unit, places, site)
    if gender and kind != ActorKind.PERSON:
        raise ValidationError({"gender": _("Only persons have a gender.")})
    obj = Actor(
        mission=mission,
        kind=kind,
        actor_type=actor_type,
        name=name,
        alt_names=list(alt_names),
        gender=gender,
        title=title,
        admin_unit=admin_unit,
        site=site,
        languages=list(languages),
        influence=influence,
        stance_peace_process=stance_peace_process,
        stance_mission=stance_mission,
        sensitivity=int(default_sensitivity(actor_type) if sensitivity is None else sensitivity),
        notes=notes,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    _refresh_search_text(obj)
    _validate_languages(obj.languages)
    obj.full_clean()
    obj.save()
    if places:
        obj.places.set(places)
    audit_record(
        actor=actor,
        action="actor.create",
        mission=mission,
        obj=obj,
        changes={
            "kind": kind,
            "actor_type": actor_type,
            "name": obj.name,
            "admin_unit": admin_unit.pcode if admin_unit else None,
            "sensitivity": obj.sensitivity,
            "places": ",".join(sorted(u.pcode for u in places)),
        },
    )
    return obj


@transaction.atomic
def actor_update(*, actor: Any, record: Actor, data: Mapping[str, Any]) -> Actor:
    """Change the fields named in ``data``; the audit row lists only fields that changed."""
    unknown = sorted(set(data) - UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"actor_update cannot change: {', '.join(unknown)}")
    obj = Actor.objects.select_for_update().get(pk=record.pk)
    changes: dict[str, Any] = {}
    new_places: list[AdminUnit] | None = None
    for name, value in data.items():
        if name == "places":
            new_places = list(value)
            old = {u.pk for u in obj.places.all()}
            if {u.pk for u in new_places} != old:
                changes["places"] = ",".join(sorted(u.pcode for u in new_places))
            continue
        if name in ("alt_names", "languages"):
            value = list(value)
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            if name in ("admin_unit", "site"):
                changes[name] = getattr(value, "pcode", None) or getattr(value, "code", None)
            else:
                changes[name] = value
    _check_places(obj.mission, obj.admin_unit, new_places or [], obj.site)
    if obj.gender and obj.kind != ActorKind.PERSON:
        raise ValidationError({"gender": _("Only persons have a gender.")})
    if not changes:
        return obj
    _refresh_search_text(obj)
    _validate_languages(obj.languages)
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    if new_places is not None and "places" in changes:
        obj.places.set(new_places)
    audit_record(actor=actor, action="actor.update", mission=obj.mission, obj=obj, changes=changes)
    return obj


@sensitive_variables()
@transaction.atomic
def actor_set_contact(
    *,
    actor: Any,
    record: Actor,
    phone: str | None = None,
    email: str | None = None,
    contact_other: str | None = None,
    clear: Iterable[str] = (),
) -> Actor:
    """Set (encrypted) contact details and recompute their pseudonyms.

    A value of ``None`` leaves the field as it is; a field named in ``clear`` is emptied.
    Raises ``ValidationError`` for a malformed phone number without repeating it.
    """
    to_clear = set(clear)
    unknown = to_clear - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError("clear names fields that are not contact fields")
    obj = Actor.objects.select_for_update().get(pk=record.pk)
    changed: list[str] = []
    if phone is not None and phone.strip():
        try:
            normalised = crypto.normalise_phone(phone)
        except crypto.InvalidPhoneNumber:
            raise ValidationError(
                {"phone": _("A phone number has 3 to 15 digits, an optional '+' and separators.")}
            ) from None
        obj.phone = normalised
        obj.phone_pseudonym = crypto.pseudonym(normalised, kind="phone")
        changed.append("phone")
    if email is not None and email.strip():
        value = email.strip()
        if "@" not in value or len(value) > 254:
            raise ValidationError({"email": _("Enter a valid e-mail address.")})
        obj.email = value
        obj.email_pseudonym = crypto.pseudonym(value, kind="email")
        changed.append("email")
    if contact_other is not None and contact_other.strip():
        obj.contact_other = contact_other.strip()
        changed.append("contact_other")
    for name in sorted(to_clear):
        setattr(obj, name, None)
        if name in ("phone", "email"):
            setattr(obj, f"{name}_pseudonym", "")
        changed.append(name)
    if not changed:
        return obj
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    # Field names only: the values are never passed to the trail.
    audit_record(
        actor=actor,
        action="actor.contact_set",
        mission=obj.mission,
        obj=obj,
        changes=dict.fromkeys(sorted(set(changed))),
    )
    return obj


@dataclass(frozen=True)
class ActorContact:
    phone: str | None
    email: str | None
    contact_other: str | None

    def __repr__(self) -> str:  # never print contact values by accident
        return "ActorContact(<redacted>)"


@transaction.atomic
def actor_contact_read(*, actor: Any, membership: Membership, record: Actor) -> ActorContact:
    """Return the decrypted contact details and write an ``actor.contact_read`` audit row.

    The caller has found ``record`` through a selector (scope and clearance); this checks the
    role's ``ACTOR_CONTACT_VIEW`` permission and the mission again.
    """
    if not role_has(membership.role, Perm.ACTOR_CONTACT_VIEW) or not membership.is_active:
        raise PermissionDenied(_("Your role does not allow this."))
    if record.mission_id != membership.mission_id:
        raise PermissionDenied(_("Your role does not allow this."))
    audit_record(
        actor=actor,
        action="actor.contact_read",
        mission=membership.mission,
        obj=record,
    )
    return ActorContact(phone=record.phone, email=record.email, contact_other=record.contact_other)


@transaction.atomic
def actor_deactivate(
    *, actor: Any, record: Actor, merged_into: Actor | None = None, reason: str = ""
) -> Actor:
    """Mark an actor inactive (kept for history), optionally as merged into another one."""
    obj = Actor.objects.select_for_update().get(pk=record.pk)
    if merged_into is not None:
        merged_into = Actor.objects.select_for_update().get(pk=merged_into.pk)
        if merged_into.pk == obj.pk:
            raise ValidationError({"merged_into": _("An actor cannot be merged into itself.")})
        if merged_into.mission_id != obj.mission_id:
            raise ValidationError({"merged_into": _("That actor belongs to another mission.")})
        if not merged_into.is_active:
            raise ValidationError({"merged_into": _("That actor is no longer active.")})
    obj.is_active = False
    obj.merged_into = merged_into
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="actor.merge" if merged_into is not None else "actor.deactivate",
        mission=obj.mission,
        obj=obj,
        changes={
            "is_active": False,
            "merged_into": str(merged_into.public_id) if merged_into else None,
            "reason": reason,
        },
    )
    return obj


@dataclass(frozen=True)
class MovedLinks:
    relationships_moved: int
    relationships_kept: int
    consents_moved: int
    places_added: int


@transaction.atomic
def actor_move_links(*, actor: Any, source: Actor, target: Actor) -> MovedLinks:
    """Move relationships, consents and places of influence from ``source`` to ``target``
    (used by a merge before ``actor_deactivate(..., merged_into=target)``).

    A relationship that would link ``target`` to itself, or duplicate an open relationship
    ``target`` already has, stays on ``source`` untouched (history is kept there).
    """
    if source.pk == target.pk or source.mission_id != target.mission_id:
        raise ValidationError(_("Links move only between two actors of the same mission."))
    moved = kept = 0
    rels = Relationship.objects.select_for_update().filter(Q(source=source) | Q(target=source))
    for rel in rels.order_by("id"):
        new_source = target if rel.source_id == source.pk else rel.source
        new_target = target if rel.target_id == source.pk else rel.target
        if new_source.pk == new_target.pk:
            kept += 1
            continue
        if rel.kind in SYMMETRIC_KINDS and new_source.pk > new_target.pk:
            new_source, new_target = new_target, new_source
        if rel.end_date is None and _open_duplicate(rel.kind, new_source, new_target, rel.pk):
            kept += 1
            continue
        rel.source, rel.target = new_source, new_target
        rel.updated_by = acting_user(actor)
        rel.save(update_fields=["source", "target", "updated_by", "updated_at"])
        moved += 1
    consents = Consent.objects.filter(actor=source).update(actor=target)
    existing = set(target.places.values_list("pk", flat=True))
    if target.admin_unit_id is not None:
        existing.add(target.admin_unit_id)
    extra = [u for u in source.places.all() if u.pk not in existing]
    if source.admin_unit_id is not None and source.admin_unit_id not in existing:
        unit = source.admin_unit
        if unit is not None and all(u.pk != unit.pk for u in extra):
            extra.append(unit)
    if extra:
        target.places.add(*extra)
    result = MovedLinks(
        relationships_moved=moved,
        relationships_kept=kept,
        consents_moved=consents,
        places_added=len(extra),
    )
    audit_record(
        actor=actor,
        action="actor.links_move",
        mission=target.mission,
        obj=target,
        changes={
            "from": str(source.public_id),
            "relationships_moved": moved,
            "relationships_kept": kept,
            "consents_moved": consents,
            "places_added": len(extra),
        },
    )
    return result


# --- Relationships ---------------------------------------------------------------------------


def _open_duplicate(kind: str, source: Actor, target: Actor, exclude_pk: int | None) -> bool:
    pair = Q(source=source, target=target)
    if kind in SYMMETRIC_KINDS:
        pair |= Q(source=target, target=source)
    found = Relationship.objects.filter(pair, kind=kind, end_date__isnull=True)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.exists()


@transaction.atomic
def relationship_create(
    *,
    actor: Any,
    source: Actor,
    target: Actor,
    kind: str,
    start_date: date | None = None,
    end_date: date | None = None,
    information_source: str = "",
    confidence: str = Confidence.MEDIUM,
    notes: str = "",
) -> Relationship:
    """Record a relationship. Refuses self-relationships, pairs from two missions, inactive
    actors, and an open relationship recorded twice (in either direction for symmetric kinds).
    """
    if source.pk == target.pk:
        raise ValidationError(_("An actor cannot have a relationship with itself."))
    if source.mission_id != target.mission_id:
        raise ValidationError(_("Both actors must belong to the same mission."))
    if not source.is_active or not target.is_active:
        raise ValidationError(_("Relationships link active actors only."))
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": _("Unknown relationship kind.")})
    if kind in SYMMETRIC_KINDS and source.pk > target.pk:
        source, target = target, source
    if end_date is None and _open_duplicate(kind, source, target, None):
        raise ValidationError(_("This relationship is already recorded."))
    rel = Relationship(
        mission_id=source.mission_id,
        source=source,
        target=target,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        information_source=information_source,
        confidence=confidence,
        notes=notes,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    rel.full_clean()
    rel.save()
    audit_record(
        actor=actor,
        action="relationship.create",
        mission=rel.mission,
        obj=rel,
        changes={
            "source": str(source.public_id),
            "target": str(target.public_id),
            "kind": kind,
            "start_date": start_date.isoformat() if start_date else None,
            "end_date": end_date.isoformat() if end_date else None,
            "confidence": confidence,
        },
    )
    return rel


@transaction.atomic
def relationship_end(
    *, actor: Any, relationship: Relationship, end_date: date | None = None
) -> Relationship:
    """Close an open relationship on ``end_date`` (today by default)."""
    rel = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if rel.end_date is not None:
        raise ValidationError({"end_date": _("This relationship has already ended.")})
    rel.end_date = end_date or timezone.localdate()
    rel.updated_by = acting_user(actor)
    rel.full_clean()
    rel.save()
    audit_record(
        actor=actor,
        action="relationship.end",
        mission=rel.mission,
        obj=rel,
        changes={"end_date": rel.end_date.isoformat()},
    )
    return rel


# --- Consent ---------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    record: Actor,
    purposes: Iterable[str],
    method: str,
    given_at: datetime | None = None,
    details: str = "",
) -> Consent:
    """Record what ``record`` (the actor) agreed to, when and how; ``actor`` recorded it."""
    codes = list(dict.fromkeys(purposes))
    if not codes:
        raise ValidationError({"purposes": _("Name at least one purpose.")})
    bad = [c for c in codes if c not in ConsentPurpose.values]
    if bad:
        raise ValidationError({"purposes": _("Unknown purpose.")})
    if method not in ConsentMethod.values:
        raise ValidationError({"method": _("Unknown method.")})
    when = given_at or timezone.now()
    if timezone.is_naive(when):
        raise ValidationError({"given_at": _("Give a date and time with a time zone.")})
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"given_at": _("Consent cannot be given in the future.")})
    consent = Consent(
        mission_id=record.mission_id,
        actor=record,
        purposes=codes,
        details=details,
        given_at=when,
        method=method,
        recorded_by=acting_user(actor),
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    consent.full_clean()
    consent.save()
    audit_record(
        actor=actor,
        action="consent.record",
        mission=consent.mission,
        obj=consent,
        changes={
            "actor": str(record.public_id),
            "purposes": ",".join(codes),
            "method": method,
            "given_at": when.isoformat(),
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: Any, consent: Consent, reason: str = "", withdrawn_at: datetime | None = None
) -> Consent:
    """Record that the consent was withdrawn; the record stays."""
    obj = Consent.objects.select_for_update().get(pk=consent.pk)
    if obj.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    when = withdrawn_at or timezone.now()
    if timezone.is_naive(when):
        raise ValidationError({"withdrawn_at": _("Give a date and time with a time zone.")})
    if when < obj.given_at:
        raise ValidationError({"withdrawn_at": _("Withdrawal cannot precede the consent.")})
    obj.withdrawn_at = when
    obj.withdrawal_reason = reason
    obj.withdrawn_by = acting_user(actor)
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="consent.withdraw",
        mission=obj.mission,
        obj=obj,
        changes={"withdrawn_at": when.isoformat(), "withdrawal_reason": reason},
    )
    return obj
