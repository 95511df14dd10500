"""Merging two records of the same actor, keeping history.

The merged record is never deleted: it stays, inactive, with ``merged_into`` pointing at the
kept record, so links and audit rows that name it still resolve (``resolve_merged``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.actors.models import Actor
from palava.actors.services import CONTACT_FIELDS, MovedLinks, actor_deactivate, actor_move_links
from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.places.text import fold, search_text

# Contact fields and the pseudonym that goes with each.
_PSEUDONYMS: dict[str, str] = {"phone": "phone_pseudonym", "email": "email_pseudonym"}
MAX_MERGE_CHAIN = 50


@dataclass(frozen=True)
class MergeResult:
    kept: Actor
    merged: Actor
    links: MovedLinks
    alt_names_added: tuple[str, ...]
    contact_fields_filled: tuple[str, ...]


def _check(keep: Actor, merge: Actor) -> None:
    if keep.pk == merge.pk:
        raise ValidationError(_("An actor cannot be merged into itself."))
    if keep.mission_id != merge.mission_id:
        raise ValidationError(_("Actors of different missions cannot be merged."))
    if keep.merged_into_id is not None or not keep.is_active:
        raise ValidationError(_("The actor to keep has been merged or deactivated already."))
    if merge.merged_into_id is not None or not merge.is_active:
        raise ValidationError(_("This actor has been merged or deactivated already."))


def _added_names(keep: Actor, merge: Actor) -> list[str]:
    known = {fold(n) for n in [keep.name, *(keep.alt_names or [])]}
    added: list[str] = []
    for name in [merge.name, *(merge.alt_names or [])]:
        text = " ".join(str(name).split())
        if text and fold(text) not in known:
            known.add(fold(text))
            added.append(text)
    return added


@sensitive_variables()
@transaction.atomic
def actor_merge(*, actor: Any, keep: Actor, merge: Actor) -> MergeResult:
    """Merge ``merge`` into ``keep``: move its relationships (a relationship that would become a
    self-loop or duplicate an open one of ``keep`` stays on the merged record, as history), its
    consents and places; its names become alternate names of ``keep``; its contact details fill
    only those ``keep`` lacks (never logged); then it is deactivated with
    ``merged_into=keep``. Refuses merging across missions, into itself, or with a record
    merged already. Audited as ``actor.merge``.
    """
    locked = {a.pk: a for a in Actor.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
    if keep.pk == merge.pk:
        raise ValidationError(_("An actor cannot be merged into itself."))
    kept, merged = locked[keep.pk], locked[merge.pk]
    _check(kept, merged)

    links = actor_move_links(actor=actor, source=merged, target=kept)

    added = _added_names(kept, merged)
    kept.alt_names = [*(kept.alt_names or []), *added]
    filled: list[str] = []
    for name in CONTACT_FIELDS:
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
            pseudonym = _PSEUDONYMS.get(name)
            if pseudonym:
                setattr(kept, pseudonym, getattr(merged, pseudonym))
            filled.append(name)
    kept.search_text = search_text(kept.name, extra=list(kept.alt_names))
    kept.updated_by = acting_user(actor)
    kept.full_clean()
    kept.save()

    merged = actor_deactivate(
        actor=actor, record=merged, merged_into=kept, reason=_("Merged as a duplicate.")
    )
    # The row on the merged record (``merged_into``) is written by ``actor_deactivate``; this
    # one, on the kept record, lists the names it gained and the contact fields it took over,
    # by field name only (audit_record redacts contact values, and none is passed to it).
    changes: dict[str, Any] = {"alt_names": ", ".join(added), **dict.fromkeys(filled)}
    audit_record(actor=actor, action="actor.merge", mission=kept.mission, obj=kept, changes=changes)
    return MergeResult(
        kept=kept,
        merged=merged,
        links=links,
        alt_names_added=tuple(added),
        contact_fields_filled=tuple(filled),
    )


def resolve_merged(actor: Actor) -> Actor:
    """The record that now stands for ``actor``: itself, or the end of its merge chain."""
    current = actor
    for _step in range(MAX_MERGE_CHAIN):
        if current.merged_into_id is None:
            return current
        nxt = Actor.objects.filter(pk=current.merged_into_id).first()
        if nxt is None:
            return current
        current = nxt
    return current
