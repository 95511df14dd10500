"""Helpers the knowledge base pages share: finding records (404 when not visible), their
URLs and names, list rows, and the entry page (rendered by reading and writing views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.actors.models import RecordSensitivity
from palava.actors.selectors import actors_visible
from palava.context import knowledge_selectors as selectors
from palava.context.knowledge_forms import (
    RetireForm,
    translation_language_choices,
)
from palava.context.knowledge_text import (
    language_name,
    primary_language,
    text_direction,
)
from palava.context.models import EntryStatus, KnowledgeEntry
from palava.context.selectors import entry_is_stale
from palava.engagement.view_support import membership_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.models import AdminUnit, Site
from palava.places.selectors import (
    admin_unit_get,
    site_get,
)


def language_of(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE)


def entry_or_404(membership: Membership, entry_id: Any) -> KnowledgeEntry:
    found = selectors.entry_get(membership=membership, public_id=entry_id)
    if found is None:
        raise Http404(_("No such entry."))
    return found


def unit_or_404(membership: Membership, pcode: str) -> AdminUnit:
    unit = admin_unit_get(membership=membership, pcode=pcode)
    if unit is None:
        raise Http404(_("No such place."))
    return unit


def site_or_404(membership: Membership, code: str) -> Site:
    site = site_get(membership=membership, code=code)
    if site is None:
        raise Http404(_("No such place."))
    return site


def entry_url(membership: Membership, entry: KnowledgeEntry) -> str:
    return reverse(
        "context:entry",
        kwargs={"mission_slug": membership.mission.slug, "entry_id": entry.public_id},
    )


def place_url(membership: Membership, entry: KnowledgeEntry) -> str:
    slug = membership.mission.slug
    if entry.site_id is not None and entry.site is not None:
        return reverse("context:site", kwargs={"mission_slug": slug, "site_code": entry.site.code})
    if entry.admin_unit is not None:
        return reverse(
            "context:place", kwargs={"mission_slug": slug, "pcode": entry.admin_unit.pcode}
        )
    return reverse("context:home", kwargs={"mission_slug": slug})


def place_name(entry: KnowledgeEntry) -> str:
    if entry.site is not None:
        return entry.site.name
    return entry.admin_unit.name if entry.admin_unit is not None else ""


def place_code(entry: KnowledgeEntry) -> str:
    if entry.site is not None:
        return entry.site.code
    return entry.admin_unit.pcode if entry.admin_unit is not None else ""


def sees_source(membership: Membership) -> bool:
    return int(clearance_for(membership.role)) >= int(RecordSensitivity.CONFIDENTIAL)


@dataclass(frozen=True)
class EntryRow:
    """An entry in a list with what the template shows next to it."""

    entry: KnowledgeEntry
    place_name: str
    place_url: str
    language_name: str
    is_stale: bool
    reason: str = ""


def entry_rows(
    membership: Membership, entries: Any, *, with_reasons: bool = False
) -> list[EntryRow]:
    now = timezone.now()
    return [
        EntryRow(
            entry=entry,
            place_name=place_name(entry),
            place_url=place_url(membership, entry),
            language_name=language_name(entry.language),
            is_stale=entry_is_stale(entry, now=now),
            reason=selectors.stale_reason(entry, now=now) if with_reasons else "",
        )
        for entry in entries
    ]


def render_entry(
    request: HttpRequest,
    entry: KnowledgeEntry,
    *,
    retire_form: RetireForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    membership = membership_of(request)
    language = language_of(request)
    show_original = request.GET.get("original") == "1"
    shown = selectors.localised(entry, entry.language if show_original else language)
    role = membership.role
    can_edit = role_has(role, Perm.CONTEXT_EDIT) and entry.status != EntryStatus.RETIRED
    stale = entry_is_stale(entry)
    translations = [
        {
            "translation": t,
            "language_name": language_name(t.language),
            "is_stale": t.source_version < entry.version,
        }
        for t in entry.translations.all().order_by("language")
    ]
    linked = []
    if role_has(role, Perm.ACTOR_VIEW):
        linked = list(
            actors_visible(membership=membership)
            .filter(pk__in=entry.actors.values("pk"))
            .select_related("admin_unit")
            .order_by("name")
        )
    return render(
        request,
        "context/knowledge/entry.html",
        {
            "mission": membership.mission,
            "entry": entry,
            "shown": shown,
            "shown_language_name": language_name(shown.language),
            "shown_dir": text_direction(shown.language),
            "original_language_name": language_name(entry.language),
            "show_original": show_original,
            "reader_language_name": language_name(language),
            "other_language": primary_language(shown.language) != primary_language(language),
            "place_name": place_name(entry),
            "place_url": place_url(membership, entry),
            "is_stale": stale,
            "reason": selectors.stale_reason(entry),
            "translations": translations,
            "linked_actors": linked,
            "sees_source": sees_source(membership),
            "can_edit": can_edit,
            "can_submit": can_edit
            and (
                entry.status == EntryStatus.DRAFT
                or (entry.status == EntryStatus.REVIEWED and stale)
            ),
            "can_review": role_has(role, Perm.CONTEXT_REVIEW)
            and entry.status == EntryStatus.IN_REVIEW,
            "can_translate": can_edit and bool(translation_language_choices(entry.language)),
            "retire_form": retire_form or RetireForm(),
            "error": error,
        },
        status=status,
    )
