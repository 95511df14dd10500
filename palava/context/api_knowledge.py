"""JSON API: the cultural context knowledge base (entries, revisions, translations).

Reads need ``Perm.CONTEXT_VIEW``, writes ``Perm.CONTEXT_EDIT``, reviews ``Perm.CONTEXT_REVIEW``.
Entries are found only through the knowledge selectors (mission, geographic scope with
inheritance, clearance; reviewed entries only for roles that do not edit): one the caller may not
see answers 404 like one that does not exist. Writes go through the services (audited). The
confidential ``source`` is ``null`` for callers cleared below confidential.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.actors.models import Actor
from palava.actors.selectors import actors_visible, readable_fields
from palava.context import knowledge_selectors as selectors
from palava.context import knowledge_services as services
from palava.context.knowledge_selectors import EntryFilters, LocalisedEntry
from palava.context.models import (
    KnowledgeEntry,
    KnowledgeRevision,
    KnowledgeTranslation,
    Topic,
)
from palava.context.schemas_knowledge import (
    EntryDetailOut,
    EntryFilterQuery,
    EntryIn,
    EntryOut,
    EntryPatch,
    PlaceEntriesOut,
    PlaceEntriesQuery,
    RetireIn,
    ReviewIn,
    RevisionOut,
    TranslationIn,
    TranslationOut,
)
from palava.context.selectors import entry_is_stale
from palava.core.api_base import LazyList, Pagination, error_responses, permission, require
from palava.core.api_base import invalid_by_field as invalid
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places import selectors as places_selectors
from palava.places.models import AdminUnit, Site

router = Router(tags=["context"])

_ERRORS = error_responses(401, 403, 404, 422)
_NOT_EMPTY = frozenset({"topic", "title", "body", "language", "sensitivity", "source"})


# --- Support ---------------------------------------------------------------------------------


def _entry_or_404(membership: Membership, entry_id: str) -> KnowledgeEntry:
    entry = selectors.entry_get(membership=membership, public_id=entry_id)
    if entry is None:
        raise Http404
    return entry


def _place_ref(unit: AdminUnit | None, site: Site | None) -> dict[str, str]:
    if site is not None:
        return {"kind": "site", "code": site.code, "name": site.name}
    assert unit is not None
    return {"kind": "admin_unit", "code": unit.pcode, "name": unit.name}


def _username(user: Any) -> str | None:
    return str(user.get_username()) if user is not None else None


def _may_read_source(membership: Membership) -> bool:
    return "source" in readable_fields(membership, KnowledgeEntry)


def _entry_out(entry: KnowledgeEntry, show_source: bool) -> dict[str, Any]:
    return {
        "id": entry.public_id,
        "topic": entry.topic,
        "title": entry.title,
        "body": entry.body,
        "language": entry.language,
        "sensitivity": entry.sensitivity,
        "source": entry.source if show_source else None,
        "place": _place_ref(entry.admin_unit, entry.site),
        "status": entry.status,
        "author": _username(entry.author),
        "reviewer": _username(entry.reviewer),
        "reviewed_at": entry.reviewed_at,
        "review_note": entry.review_note,
        "valid_until": entry.valid_until,
        "version": entry.version,
        "is_stale": entry_is_stale(entry),
        "updated_at": entry.updated_at,
    }


def _entry_detail_out(membership: Membership, entry_id: Any) -> dict[str, Any]:
    entry = _entry_or_404(membership, str(entry_id))
    linked = actors_visible(membership=membership).filter(knowledge_entries=entry).order_by("name")
    translations: list[KnowledgeTranslation] = list(entry.translations.all())
    return {
        **_entry_out(entry, _may_read_source(membership)),
        "actors": [{"id": actor.public_id, "name": actor.name} for actor in linked],
        "translations": [
            {
                "language": item.language,
                "title": item.title,
                "source_version": item.source_version,
                "is_stale": item.source_version < entry.version,
            }
            for item in translations
        ],
    }


def _revision_out(revision: KnowledgeRevision, show_source: bool) -> dict[str, Any]:
    return {
        "version": revision.version,
        "topic": revision.topic,
        "title": revision.title,
        "body": revision.body,
        "sensitivity": revision.sensitivity,
        "source": revision.source if show_source else None,
        "valid_until": revision.valid_until,
        "note": revision.note,
        "created_at": revision.created_at,
        "created_by": _username(revision.created_by),
    }


def _localised_out(item: LocalisedEntry, show_source: bool) -> dict[str, Any]:
    entry = item.entry
    return {
        "id": entry.public_id,
        "title": item.title,
        "body": item.body,
        "language": item.language,
        "is_translation": item.is_translation,
        "translation_stale": item.translation_stale,
        "inherited_from": item.inherited_from,
        "is_stale": item.is_stale,
        "status": entry.status,
        "sensitivity": entry.sensitivity,
        "source": entry.source if show_source else None,
        "place": _place_ref(entry.admin_unit, entry.site),
    }


def _place(
    membership: Membership, unit_code: str | None, site_code: str | None
) -> tuple[AdminUnit | None, Site | None]:
    """The unit and site named in a body (each visible to the member), or 422."""
    unit = site = None
    if unit_code:
        unit = places_selectors.admin_unit_get(membership=membership, pcode=unit_code.strip())
        if unit is None:
            raise HttpError(422, "admin_unit: " + _("Unknown place, or outside your area."))
    if site_code:
        site = places_selectors.site_get(membership=membership, code=site_code.strip())
        if site is None:
            raise HttpError(422, "site: " + _("Unknown site, or outside your area."))
    return unit, site


def _actors(membership: Membership, ids: list[Any]) -> list[Actor]:
    wanted = {str(value) for value in ids}
    found = list(actors_visible(membership=membership).filter(public_id__in=wanted))
    if len(found) != len(wanted):
        raise HttpError(422, "actors: " + _("Unknown actor, or not visible to you."))
    return found


def _language(value: str | None) -> str:
    if not value:
        return translation.get_language() or "en"
    try:
        return services.clean_language(value)
    except ValueError:
        message = _("Give a language code such as fr, ar, sw or en-GB.")
        raise HttpError(422, f"language: {message}") from None


def _call(function: Any, **kwargs: Any) -> Any:
    """Run a service; its refusals become 403 (with its reason) and 422."""
    try:
        return function(**kwargs)
    except ValidationError as exc:
        raise invalid(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Your role does not allow this.")) from exc


# --- Entries ---------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/context/entries",
    response={200: list[EntryOut], **_ERRORS},
    operation_id="context_entries_list",
    summary="Context entries",
    description=(
        "Entries the caller may see; filters: place (P-code or site code, that place and "
        "below), topic, status (retired only when asked for), stale, q (words)."
    ),
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
@paginate(Pagination)
def context_entries_list(
    request: HttpRequest, slug: str, filters: Query[EntryFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    found = selectors.entry_list(
        membership=membership,
        filters=EntryFilters(
            place=filters.place or "",
            topic=str(filters.topic or ""),
            status=str(filters.status or ""),
            stale=filters.stale,
            q=filters.q or "",
        ),
    )
    show_source = _may_read_source(membership)
    return LazyList(found, lambda entry: _entry_out(entry, show_source))  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/context/entries",
    response={201: EntryDetailOut, **_ERRORS},
    operation_id="context_entries_create",
    summary="Write a context entry",
    description=(
        "About exactly one place: admin_unit (P-code) or site (site code). A draft, or waiting "
        "for review with submit=true. Classification at most the caller's clearance."
    ),
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def context_entries_create(
    request: HttpRequest, slug: str, payload: EntryIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    unit, site = _place(membership, payload.admin_unit, payload.site)
    linked = _actors(membership, payload.actors)
    entry = _call(
        services.entry_create,
        actor=membership.user,
        membership=membership,
        topic=payload.topic,
        title=payload.title,
        body=payload.body,
        language=payload.language,
        sensitivity=payload.sensitivity,
        source=payload.source,
        admin_unit=unit,
        site=site,
        valid_until=payload.valid_until,
        actors=linked,
        submit=payload.submit,
    )
    return Status(201, _entry_detail_out(membership, entry.public_id))


@router.get(
    "/missions/{slug}/context/entries/{entry_id}",
    response={200: EntryDetailOut, **_ERRORS},
    operation_id="context_entries_get",
    summary="One context entry with its translations and linked actors",
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
def context_entries_get(request: HttpRequest, slug: str, entry_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    return _entry_detail_out(membership, entry_id)


@router.patch(
    "/missions/{slug}/context/entries/{entry_id}",
    response={200: EntryDetailOut, **_ERRORS},
    operation_id="context_entries_update",
    summary="Change a context entry",
    description=(
        "Only the fields sent are changed (admin_unit or site moves the entry; valid_until may "
        "be null). A real change makes a new version; a reviewed entry then waits for review."
    ),
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def context_entries_update(
    request: HttpRequest, slug: str, entry_id: str, payload: EntryPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    entry = _entry_or_404(membership, entry_id)
    data = payload.model_dump(exclude_unset=True)
    note = data.pop("note", "") or ""
    for name in _NOT_EMPTY & set(data):
        if data[name] is None:
            raise HttpError(422, f"{name}: " + _("This field cannot be empty."))
    fields: dict[str, Any] = {
        name: value for name, value in data.items() if name not in ("admin_unit", "site", "actors")
    }
    if "admin_unit" in data or "site" in data:
        if not data.get("admin_unit") and not data.get("site"):
            message = _("Choose exactly one place: an admin unit or a site.")
            raise HttpError(422, f"admin_unit: {message}")
        fields["admin_unit"], fields["site"] = _place(
            membership, data.get("admin_unit"), data.get("site")
        )
    if "actors" in data:
        fields["actors"] = _actors(membership, data["actors"] or [])
    _call(
        services.entry_update,
        actor=membership.user,
        membership=membership,
        entry=entry,
        note=note,
        **fields,
    )
    return _entry_detail_out(membership, entry.public_id)


@router.post(
    "/missions/{slug}/context/entries/{entry_id}/submit",
    response={200: EntryDetailOut, **_ERRORS},
    operation_id="context_entries_submit",
    summary="Ask for a review of a context entry",
    description="A draft, or a reviewed entry due for a fresh look, then waits for review.",
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def context_entries_submit(request: HttpRequest, slug: str, entry_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    entry = _entry_or_404(membership, entry_id)
    _call(services.entry_submit, actor=membership.user, membership=membership, entry=entry)
    return _entry_detail_out(membership, entry.public_id)


@router.post(
    "/missions/{slug}/context/entries/{entry_id}/review",
    response={200: EntryDetailOut, **_ERRORS},
    operation_id="context_entries_review",
    summary="Approve or return a context entry",
    description=(
        "approve=true: reviewed now by the caller (optionally valid_until); approve=false: back "
        "to draft, the note says why. The reviewer is neither the author nor the last editor."
    ),
    openapi_extra=permission(Perm.CONTEXT_REVIEW),
)
def context_entries_review(
    request: HttpRequest, slug: str, entry_id: str, payload: ReviewIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_REVIEW)
    entry = _entry_or_404(membership, entry_id)
    _call(
        services.entry_review,
        actor=membership.user,
        membership=membership,
        entry=entry,
        approve=payload.approve,
        note=payload.note,
        valid_until=payload.valid_until,
    )
    return _entry_detail_out(membership, entry.public_id)


@router.post(
    "/missions/{slug}/context/entries/{entry_id}/retire",
    response={200: EntryDetailOut, **_ERRORS},
    operation_id="context_entries_retire",
    summary="Retire a context entry that no longer holds",
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def context_entries_retire(
    request: HttpRequest, slug: str, entry_id: str, payload: RetireIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    entry = _entry_or_404(membership, entry_id)
    _call(
        services.entry_retire,
        actor=membership.user,
        membership=membership,
        entry=entry,
        note=payload.note,
    )
    return _entry_detail_out(membership, entry.public_id)


@router.get(
    "/missions/{slug}/context/entries/{entry_id}/revisions",
    response={200: list[RevisionOut], **_ERRORS},
    operation_id="context_entries_revisions",
    summary="Versions of a context entry, newest first",
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
@paginate(Pagination)
def context_entries_revisions(
    request: HttpRequest, slug: str, entry_id: str
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    entry = _entry_or_404(membership, entry_id)
    show_source = _may_read_source(membership)
    found = selectors.entry_revisions(membership=membership, entry=entry)
    return LazyList(found, lambda rev: _revision_out(rev, show_source))  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/context/entries/{entry_id}/translations",
    response={200: TranslationOut, **_ERRORS},
    operation_id="context_entries_translation_set",
    summary="Write a context entry in another language",
    description="Creates or replaces the translation into language, from the current version.",
    openapi_extra=permission(Perm.CONTEXT_EDIT),
)
def context_entries_translation_set(
    request: HttpRequest, slug: str, entry_id: str, payload: TranslationIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_EDIT)
    entry = _entry_or_404(membership, entry_id)
    saved: KnowledgeTranslation = _call(
        services.translation_set,
        actor=membership.user,
        membership=membership,
        entry=entry,
        language=payload.language,
        title=payload.title,
        body=payload.body,
    )
    return {
        "entry": entry.public_id,
        "language": saved.language,
        "title": saved.title,
        "body": saved.body,
        "source_version": saved.source_version,
        "is_stale": saved.source_version < entry.version,
    }


# --- Places ----------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/context/places/{pcode}/entries",
    response={200: PlaceEntriesOut, **_ERRORS},
    operation_id="context_places_entries",
    summary="What holds at a place, by topic, in a language",
    description=(
        "Entries about the place (a P-code, or a site code) and the places above it, by topic; "
        "each in the language asked for when a translation exists (default: the request's)."
    ),
    openapi_extra=permission(Perm.CONTEXT_VIEW),
)
def context_places_entries(
    request: HttpRequest, slug: str, pcode: str, params: Query[PlaceEntriesQuery]
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CONTEXT_VIEW)
    language = _language(params.language)
    code = pcode.strip()[:64]
    unit = places_selectors.admin_unit_get(membership=membership, pcode=code)
    site = None if unit is not None else places_selectors.site_get(membership=membership, code=code)
    if unit is None and site is None:
        raise Http404
    grouped = selectors.place_entries(
        membership=membership, language=language, unit=unit, site=site
    )
    show_source = _may_read_source(membership)
    return {
        "place": _place_ref(unit, site),
        "language": language,
        "topics": [
            {
                "topic": topic.value,
                "label": str(Topic(topic).label),
                "entries": [_localised_out(item, show_source) for item in items],
            }
            for topic, items in grouped
        ],
    }
