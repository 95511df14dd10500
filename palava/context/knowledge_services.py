"""Writes about knowledge entries: create, edit (with revisions), review, retire, translate.

Every function is atomic, validates, and writes its audit row (``context.entry.*``,
``context.translation.set``) in the same transaction. The audit rows name the fields that
changed; free text (title, body, source, notes) is never copied into them.

The caller's role and reach are checked here too (deny by default): writing needs
``Perm.CONTEXT_EDIT``, reviewing ``Perm.CONTEXT_REVIEW``; the entry, its place and its linked
actors must be visible to the member (mission, geographic scope, clearance), and an entry may not
be classified above the member's clearance. A reviewer is never the entry's author nor its last
editor (four eyes).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.actors.models import Actor, RecordSensitivity
from palava.actors.selectors import actors_visible
from palava.audit.services import audit_record
from palava.context.knowledge_text import primary_language
from palava.context.models import (
    MAX_BODY_CHARS,
    EntryStatus,
    KnowledgeEntry,
    KnowledgeRevision,
    KnowledgeTranslation,
    Topic,
)
from palava.context.selectors import entries_visible
from palava.context.text_checks import strip_bidi_controls
from palava.core.models import acting_user
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for

__all__ = [
    "MAX_ACTORS",
    "MAX_NOTE_CHARS",
    "MAX_REVIEW_NOTE_CHARS",
    "MAX_SOURCE_CHARS",
    "MAX_TITLE_CHARS",
    "UPDATABLE_FIELDS",
    "clean_language",
    "entry_create",
    "entry_retire",
    "entry_review",
    "entry_submit",
    "entry_update",
    "translation_set",
]

MAX_TITLE_CHARS = 200
MAX_SOURCE_CHARS = 300
MAX_NOTE_CHARS = 300
MAX_REVIEW_NOTE_CHARS = 2000
MAX_ACTORS = 50

UPDATABLE_FIELDS: frozenset[str] = frozenset(
    {
        "topic",
        "title",
        "body",
        "language",
        "sensitivity",
        "source",
        "admin_unit",
        "site",
        "valid_until",
        "actors",
    }
)

# A language tag: "fr", "ar", "sw", "kin", "en-GB", "zh-Hant", "es-419" (at most 10 characters).
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}|[A-Za-z]{2}|[0-9]{3}))?$")


def _clean_text(value: Any, *, multiline: bool) -> str:
    """``value`` as text without control characters (newlines and tabs kept in multi-line text)
    and without bidirectional overrides; stripped."""
    text = strip_bidi_controls(str(value if value is not None else ""))
    kept = []
    for ch in text:
        if ch in "\n\t" and multiline:
            kept.append(ch)
        elif ch == "\r":
            continue
        elif unicodedata.category(ch) == "Cc":
            kept.append(" " if ch in "\n\t" else "")
        else:
            kept.append(ch)
    return "".join(kept).strip()


def clean_language(value: Any) -> str:
    """A normalised language tag (``"EN-gb"`` -> ``"en-GB"``), or ValueError."""
    match = _LANGUAGE.match(str(value or "").strip())
    if match is None:
        raise ValueError("not a language code")
    primary, sub = match.group(1).lower(), match.group(2)
    if sub is None:
        return primary
    if len(sub) == 4:
        return f"{primary}-{sub.title()}"
    return f"{primary}-{sub.upper()}"


def _audit_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _require(membership: Membership, perm: Perm) -> None:
    if not membership.is_active or not role_has(membership.role, perm):
        if perm == Perm.CONTEXT_REVIEW:
            raise PermissionDenied(_("Your role does not allow reviewing context entries."))
        raise PermissionDenied(_("Your role does not allow editing context entries."))


def _check_entry(membership: Membership, entry: KnowledgeEntry) -> None:
    """The entry must be one the member may see (mission, scope, clearance) and about a place
    inside their scope: an entry inherited from a place above it is read, not changed."""
    found = (
        entries_visible(membership=membership)
        .select_related("admin_unit", "site__admin_unit")
        .filter(pk=entry.pk)
        .first()
    )
    if found is None:
        raise PermissionDenied(_("This entry is not visible to you."))
    scope = scope_for(membership)
    unit = found.admin_unit if found.site is None else found.site.admin_unit
    if not scope.contains(unit):
        raise PermissionDenied(_("This entry is about a place outside your area."))


def _check_place(
    membership: Membership, admin_unit: AdminUnit | None, site: Site | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (admin_unit is None) == (site is None):
        errors["admin_unit"] = _("Choose exactly one place: an admin unit or a site.")
        return errors
    scope = scope_for(membership)
    if admin_unit is not None and (
        admin_unit.mission_id != membership.mission_id
        or not scope.contains(admin_unit)
        or admin_unit.retired_at is not None
    ):
        errors["admin_unit"] = _("Unknown place, or outside your area.")
    if site is not None and (
        site.mission_id != membership.mission_id
        or not scope.contains(site.admin_unit if site.admin_unit_id else None)
        or site.retired_at is not None
    ):
        errors["site"] = _("Unknown site, or outside your area.")
    return errors


def _resolve_actors(membership: Membership, actors: Iterable[Actor]) -> list[Actor]:
    """The linked actors, each visible to the member, or ValidationError."""
    wanted = list(actors)
    if len(wanted) > MAX_ACTORS:
        raise ValidationError({"actors": _("Link at most %(max)d actors.") % {"max": MAX_ACTORS}})
    if any(not isinstance(actor, Actor) for actor in wanted):
        raise ValidationError({"actors": _("Unknown actor, or not visible to you.")})
    pks = {actor.pk for actor in wanted}
    found = list(actors_visible(membership=membership).filter(pk__in=pks))
    if len(found) != len(pks):
        raise ValidationError({"actors": _("Unknown actor, or not visible to you.")})
    return sorted(found, key=lambda actor: actor.pk)


def _clean_fields(membership: Membership, values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the entry fields in ``values``; ValidationError names each bad one."""
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if "topic" in values:
        if values["topic"] not in Topic.values:
            errors["topic"] = _("Choose a topic from the list.")
        else:
            cleaned["topic"] = str(values["topic"])
    if "title" in values:
        title = _clean_text(values["title"], multiline=False)
        if not title:
            errors["title"] = _("Give the entry a title.")
        elif len(title) > MAX_TITLE_CHARS:
            errors["title"] = _("At most %(max)d characters.") % {"max": MAX_TITLE_CHARS}
        cleaned["title"] = title
    if "body" in values:
        body = _clean_text(values["body"], multiline=True)
        if not body:
            errors["body"] = _("Write the entry's text.")
        elif len(body) > MAX_BODY_CHARS:
            errors["body"] = _("At most %(max)d characters.") % {"max": MAX_BODY_CHARS}
        cleaned["body"] = body
    if "source" in values:
        source = _clean_text(values["source"], multiline=False)
        if not source:
            errors["source"] = _("Say where this knowledge comes from.")
        elif len(source) > MAX_SOURCE_CHARS:
            errors["source"] = _("At most %(max)d characters.") % {"max": MAX_SOURCE_CHARS}
        cleaned["source"] = source
    if "language" in values:
        try:
            cleaned["language"] = clean_language(values["language"])
        except ValueError:
            errors["language"] = _("Give a language code such as fr, ar, sw or en-GB.")
    if "sensitivity" in values:
        value = values["sensitivity"]
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or (value not in RecordSensitivity.values)
        ):
            errors["sensitivity"] = _("Choose a classification from the list.")
        elif value > int(clearance_for(membership.role)):
            errors["sensitivity"] = _("You may not classify an entry above your own clearance.")
        else:
            cleaned["sensitivity"] = int(value)
    if "valid_until" in values:
        value = values["valid_until"]
        if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
            errors["valid_until"] = _("Give a date.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _revision(entry: KnowledgeEntry, *, actor: Any, note: str) -> KnowledgeRevision:
    return KnowledgeRevision.objects.create(
        entry=entry,
        version=entry.version,
        topic=entry.topic,
        title=entry.title,
        body=entry.body,
        sensitivity=entry.sensitivity,
        source=entry.source,
        valid_until=entry.valid_until,
        note=note,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )


def _clean_note(note: Any, *, limit: int = MAX_NOTE_CHARS, field: str = "note") -> str:
    text = _clean_text(note, multiline=limit > MAX_NOTE_CHARS)
    if len(text) > limit:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": limit}})
    return text


def _place_changes(entry: KnowledgeEntry) -> dict[str, Any]:
    return {
        "admin_unit": entry.admin_unit.pcode if entry.admin_unit is not None else None,
        "site": entry.site.code if entry.site is not None else None,
    }


@transaction.atomic
def entry_create(
    *,
    actor: Any,
    membership: Membership,
    topic: str,
    title: str,
    body: str,
    language: str,
    sensitivity: int,
    source: str,
    admin_unit: AdminUnit | None = None,
    site: Site | None = None,
    valid_until: dt.date | None = None,
    actors: Iterable[Actor] = (),
    submit: bool = False,
) -> KnowledgeEntry:
    """Write a new entry about one place (version 1, its first revision); a draft, or waiting
    for review when ``submit``."""
    _require(membership, Perm.CONTEXT_EDIT)
    errors = _check_place(membership, admin_unit, site)
    try:
        cleaned = _clean_fields(
            membership,
            {
                "topic": topic,
                "title": title,
                "body": body,
                "language": language,
                "sensitivity": sensitivity,
                "source": source,
                "valid_until": valid_until,
            },
        )
    except ValidationError as exc:
        errors.update({name: " ".join(msgs) for name, msgs in exc.message_dict.items()})
        cleaned = {}
    linked: list[Actor] = []
    try:
        linked = _resolve_actors(membership, actors)
    except ValidationError as exc:
        errors.update({name: " ".join(msgs) for name, msgs in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    user = acting_user(actor)
    entry = KnowledgeEntry(
        mission_id=membership.mission_id,
        admin_unit=admin_unit,
        site=site,
        author=user,
        status=EntryStatus.IN_REVIEW if submit else EntryStatus.DRAFT,
        version=1,
        created_by=user,
        updated_by=user,
        **cleaned,
    )
    entry.full_clean()
    entry.save()
    if linked:
        entry.actors.set(linked)
    _revision(entry, actor=actor, note="")
    audit_record(
        actor=actor,
        action="context.entry.create",
        mission=membership.mission,
        obj=entry,
        changes={
            **_place_changes(entry),
            "topic": entry.topic,
            "language": entry.language,
            "sensitivity": entry.sensitivity,
            "status": entry.status,
            "valid_until": _audit_value(entry.valid_until),
            "actors": len(linked),
            "version": entry.version,
        },
    )
    return entry


def _locked(entry: KnowledgeEntry) -> KnowledgeEntry:
    return (
        KnowledgeEntry.objects.select_for_update(of=("self",))
        .select_related("admin_unit", "site", "mission")
        .get(pk=entry.pk)
    )


def _sync(target: KnowledgeEntry, source: KnowledgeEntry) -> KnowledgeEntry:
    """Copy the saved state back into the caller's instance (they keep using it)."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for cached in ("admin_unit", "site"):
        if source._meta.get_field(cached).is_cached(source):  # type: ignore[union-attr]
            setattr(target, cached, getattr(source, cached))
    return target


@transaction.atomic
def entry_update(
    *, actor: Any, membership: Membership, entry: KnowledgeEntry, note: str = "", **fields: Any
) -> KnowledgeEntry:
    """Change the fields given (those of :func:`entry_create`, the place included).

    Nothing changed: no new version. Otherwise the version goes up by one with a revision, and
    an entry that was reviewed waits for review again. Translations then show as out of date.
    """
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"entry_update cannot change: {', '.join(unknown)}")
    _require(membership, Perm.CONTEXT_EDIT)
    _check_entry(membership, entry)
    obj = _locked(entry)
    if obj.status == EntryStatus.RETIRED:
        raise ValidationError(_("A retired entry cannot be edited."))
    errors: dict[str, str] = {}
    values = {name: value for name, value in fields.items() if name not in ("actors",)}
    place_given = "admin_unit" in values or "site" in values
    new_unit: AdminUnit | None = values.pop("admin_unit", None)
    new_site: Site | None = values.pop("site", None)
    try:
        cleaned = _clean_fields(membership, values)
    except ValidationError as exc:
        errors.update({name: " ".join(msgs) for name, msgs in exc.message_dict.items()})
        cleaned = {}
    new_place = (
        new_unit.pk if new_unit is not None else None,
        new_site.pk if new_site is not None else None,
    )
    place_changed = place_given and new_place != (obj.admin_unit_id, obj.site_id)
    if place_changed:
        errors.update(_check_place(membership, new_unit, new_site))
    linked: list[Actor] | None = None
    if "actors" in fields:
        try:
            linked = _resolve_actors(membership, fields["actors"] or ())
        except ValidationError as exc:
            errors.update({name: " ".join(msgs) for name, msgs in exc.message_dict.items()})
    try:
        clean_note = _clean_note(note)
    except ValidationError as exc:
        errors.update({name: " ".join(msgs) for name, msgs in exc.message_dict.items()})
        clean_note = ""
    if errors:
        raise ValidationError(errors)

    changes: dict[str, Any] = {}
    for name, value in cleaned.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changes[name] = (
                "(changed)" if name in ("title", "body", "source") else (_audit_value(value))
            )
    if place_changed:
        obj.admin_unit, obj.site = new_unit, new_site
        changes.update(_place_changes(obj))
    if linked is not None:
        current = set(obj.actors.values_list("pk", flat=True))
        if current != {actor.pk for actor in linked}:
            obj.actors.set(linked)
            changes["actors"] = len(linked)
    if not changes:
        return _sync(entry, obj)
    obj.version += 1
    if obj.status == EntryStatus.REVIEWED:
        obj.status = EntryStatus.IN_REVIEW
        changes["status"] = obj.status
    obj.updated_by = acting_user(actor)
    changes["version"] = obj.version
    obj.full_clean()
    obj.save()
    _revision(obj, actor=actor, note=clean_note)
    audit_record(
        actor=actor,
        action="context.entry.update",
        mission=obj.mission,
        obj=obj,
        changes=changes,
    )
    return _sync(entry, obj)


@transaction.atomic
def entry_submit(*, actor: Any, membership: Membership, entry: KnowledgeEntry) -> KnowledgeEntry:
    """Ask for a review: a draft, or a reviewed entry due for a fresh look, waits for review.
    An entry already waiting is left as it is."""
    _require(membership, Perm.CONTEXT_EDIT)
    _check_entry(membership, entry)
    obj = _locked(entry)
    if obj.status == EntryStatus.RETIRED:
        raise ValidationError(_("A retired entry cannot be submitted for review."))
    if obj.status == EntryStatus.IN_REVIEW:
        return _sync(entry, obj)
    obj.status = EntryStatus.IN_REVIEW
    obj.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="context.entry.submit",
        mission=obj.mission,
        obj=obj,
        changes={"status": obj.status},
    )
    return _sync(entry, obj)


@transaction.atomic
def entry_review(
    *,
    actor: Any,
    membership: Membership,
    entry: KnowledgeEntry,
    approve: bool,
    note: str = "",
    valid_until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> KnowledgeEntry:
    """Approve (reviewed now, by the member) or return (back to draft, with a note saying why).

    The entry waits for review, or is reviewed already and is confirmed again (a stale entry).
    The reviewer is neither the entry's author nor its last editor.
    """
    _require(membership, Perm.CONTEXT_REVIEW)
    _check_entry(membership, entry)
    obj = _locked(entry)
    user = acting_user(actor)
    if user is None or obj.author_id == user.pk or obj.updated_by_id == user.pk:
        raise PermissionDenied(
            _("You wrote or last changed this entry: another colleague must review it.")
        )
    if obj.status not in (EntryStatus.IN_REVIEW, EntryStatus.REVIEWED):
        raise ValidationError(_("Only an entry waiting for review can be reviewed."))
    errors: dict[str, str] = {}
    try:
        clean_note = _clean_note(note, limit=MAX_REVIEW_NOTE_CHARS, field="review_note")
    except ValidationError as exc:
        errors.update({name: " ".join(msgs) for name, msgs in exc.message_dict.items()})
        clean_note = ""
    if not approve and not clean_note and "review_note" not in errors:
        errors["review_note"] = _("Say why the entry goes back to its author.")
    if valid_until is not None and (
        isinstance(valid_until, dt.datetime) or not isinstance(valid_until, dt.date)
    ):
        errors["valid_until"] = _("Give a date.")
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    if approve:
        obj.status = EntryStatus.REVIEWED
        obj.reviewer = user
        obj.reviewed_at = now or timezone.now()
        changes.update({"status": obj.status, "reviewed_at": obj.reviewed_at.isoformat()})
        if valid_until is not None and valid_until != obj.valid_until:
            obj.valid_until = valid_until
            changes["valid_until"] = valid_until.isoformat()
    else:
        obj.status = EntryStatus.DRAFT
        changes["status"] = obj.status
    obj.review_note = clean_note
    changes["review_note"] = "(changed)" if clean_note else ""
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="context.entry.approve" if approve else "context.entry.return",
        mission=obj.mission,
        obj=obj,
        changes=changes,
    )
    return _sync(entry, obj)


@transaction.atomic
def entry_retire(
    *, actor: Any, membership: Membership, entry: KnowledgeEntry, note: str
) -> KnowledgeEntry:
    """Withdraw an entry that no longer holds (kept with its revisions, shown nowhere).
    ``note`` says why; it is kept as the entry's review note."""
    _require(membership, Perm.CONTEXT_EDIT)
    _check_entry(membership, entry)
    obj = _locked(entry)
    if obj.status == EntryStatus.RETIRED:
        raise ValidationError(_("This entry is already retired."))
    clean_note = _clean_note(note, limit=MAX_REVIEW_NOTE_CHARS, field="review_note")
    if not clean_note:
        raise ValidationError({"review_note": _("Say why the entry is retired.")})
    obj.status = EntryStatus.RETIRED
    obj.review_note = clean_note
    obj.updated_by = acting_user(actor)
    obj.save(update_fields=["status", "review_note", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action="context.entry.retire",
        mission=obj.mission,
        obj=obj,
        changes={"status": obj.status, "review_note": "(changed)"},
    )
    return _sync(entry, obj)


@transaction.atomic
def translation_set(
    *,
    actor: Any,
    membership: Membership,
    entry: KnowledgeEntry,
    language: str,
    title: str,
    body: str,
) -> KnowledgeTranslation:
    """Write (or rewrite) the entry in another language, as a translation of its current
    version."""
    _require(membership, Perm.CONTEXT_EDIT)
    _check_entry(membership, entry)
    obj = _locked(entry)
    if obj.status == EntryStatus.RETIRED:
        raise ValidationError(_("A retired entry cannot be translated."))
    cleaned = _clean_fields(membership, {"language": language, "title": title, "body": body})
    if primary_language(cleaned["language"]) == primary_language(obj.language):
        raise ValidationError(
            {"language": _("The entry is written in this language: choose another one.")}
        )
    user = acting_user(actor)
    translation = (
        KnowledgeTranslation.objects.select_for_update(of=("self",))
        .filter(entry=obj, language__iexact=cleaned["language"])
        .first()
    )
    created = translation is None
    if translation is None:
        translation = KnowledgeTranslation(entry=obj, language=cleaned["language"], created_by=user)
    translation.title = cleaned["title"]
    translation.body = cleaned["body"]
    translation.source_version = obj.version
    translation.updated_by = user
    translation.full_clean()
    translation.save()
    audit_record(
        actor=actor,
        action="context.translation.set",
        mission=obj.mission,
        obj=translation,
        changes={
            "entry": str(obj.public_id),
            "language": translation.language,
            "source_version": translation.source_version,
            "title": "(created)" if created else "(changed)",
            "body": "(created)" if created else "(changed)",
        },
    )
    return translation
