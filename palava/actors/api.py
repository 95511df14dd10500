"""JSON API: actors, their contact details (audited reads), relationships and consent.

Every route checks its permission first (``require``), then finds records only through
``palava.actors.selectors`` (mission, scope, clearance): a record the caller may not see
answers 404 exactly like one that does not exist.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.actors import selectors, services
from palava.actors.models import Actor, Consent, Relationship
from palava.actors.schemas import (
    ActorDetailOut,
    ActorFilterQuery,
    ActorIn,
    ActorOut,
    ActorPatch,
    ConsentIn,
    ConsentOut,
    ConsentWithdrawIn,
    ContactIn,
    ContactOut,
    GraphOut,
    GridOut,
    RelationshipEndIn,
    RelationshipIn,
    RelationshipOut,
    sensitivity_name,
    sensitivity_value,
)
from palava.core.api_base import Pagination, error_responses, invalid_input, permission, require
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for

router = Router(tags=["actors"])

# --- Shaping output --------------------------------------------------------------------------


def _actor_out(obj: Actor) -> dict[str, Any]:
    return {
        "id": obj.public_id,
        "kind": obj.kind,
        "actor_type": obj.actor_type,
        "name": obj.name,
        "alt_names": list(obj.alt_names or []),
        "gender": obj.gender,
        "title": obj.title,
        "admin_unit": obj.admin_unit.pcode if obj.admin_unit else None,
        "site": obj.site.code if obj.site else None,
        "languages": list(obj.languages or []),
        "influence": obj.influence,
        "stance_peace_process": obj.stance_peace_process,
        "stance_mission": obj.stance_mission,
        "sensitivity": sensitivity_name(obj.sensitivity),
        "has_contact": bool(obj.phone_pseudonym or obj.email_pseudonym)
        or obj.contact_other is not None,
        "is_active": obj.is_active,
        "updated_at": obj.updated_at,
    }


def _actor_detail_out(obj: Actor, membership: Membership) -> dict[str, Any]:
    readable = selectors.readable_fields(membership, Actor)
    return {
        **_actor_out(obj),
        "places": sorted(u.pcode for u in obj.places.all()),
        "notes": obj.notes if "notes" in readable else None,
        "merged_into": obj.merged_into.public_id if obj.merged_into else None,
        "created_at": obj.created_at,
    }


def _relationship_out(rel: Relationship, membership: Membership) -> dict[str, Any]:
    readable = selectors.readable_fields(membership, Relationship)
    return {
        "id": rel.public_id,
        "source": {"id": rel.source.public_id, "name": rel.source.name},
        "target": {"id": rel.target.public_id, "name": rel.target.name},
        "kind": rel.kind,
        "symmetric": rel.is_symmetric,
        "start_date": rel.start_date,
        "end_date": rel.end_date,
        "information_source": (
            rel.information_source if "information_source" in readable else None
        ),
        "confidence": rel.confidence,
        "notes": rel.notes if "notes" in readable else None,
    }


def _consent_out(consent: Consent, membership: Membership) -> dict[str, Any]:
    readable = selectors.readable_fields(membership, Consent)
    return {
        "id": consent.public_id,
        "actor": consent.actor.public_id,
        "purposes": list(consent.purposes),
        "details": consent.details if "details" in readable else None,
        "given_at": consent.given_at,
        "method": consent.method,
        "recorded_by": consent.recorded_by.get_username() if consent.recorded_by else None,
        "withdrawn_at": consent.withdrawn_at,
        "withdrawal_reason": (
            consent.withdrawal_reason if "withdrawal_reason" in readable else None
        ),
        "in_force": consent.withdrawn_at is None,
    }


# --- Resolving input -------------------------------------------------------------------------


def _filters(query: ActorFilterQuery) -> selectors.ActorFilters:
    return selectors.ActorFilters(
        actor_types=tuple(str(t) for t in query.actor_type),
        kinds=tuple(str(k) for k in query.kind),
        place=query.place or "",
        influence_min=query.influence_min,
        influence_max=query.influence_max,
        stance_peace_process=tuple(query.stance_peace_process),
        stance_mission=tuple(query.stance_mission),
        stance_unknown=query.stance_unknown,
        query=query.q or "",
    )


def _get_actor(membership: Membership, actor_id: str) -> Actor:
    found = selectors.actor_get(membership=membership, public_id=actor_id)
    if found is None:
        raise Http404
    return found


def _main_place(membership: Membership, pcode: str | None) -> AdminUnit | None:
    """The main place, which must be inside the caller's scope; scoped callers must give one
    (else the record would be invisible to them)."""
    if not pcode:
        if not scope_for(membership).is_whole_mission:
            raise HttpError(422, _("Give a main place inside your area."))
        return None
    unit = selectors.admin_unit_visible(membership=membership, pcode=pcode)
    if unit is None:
        raise HttpError(422, _("Unknown place, or a place outside your area."))
    return unit


def _other_places(membership: Membership, pcodes: list[str]) -> list[AdminUnit]:
    wanted = {p.strip() for p in pcodes if p.strip()}
    units = list(AdminUnit.objects.filter(mission_id=membership.mission_id, pcode__in=wanted))
    if len(units) != len(wanted):
        raise HttpError(422, _("Unknown place among the places of influence."))
    return units


def _site(membership: Membership, code: str | None) -> Site | None:
    if not code:
        return None
    site = selectors.site_visible(membership=membership, code=code)
    if site is None:
        raise HttpError(422, _("Unknown site, or a site outside your area."))
    return site


# --- Actors ----------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/actors",
    response={200: list[ActorOut], **error_responses(401, 403, 404, 422)},
    operation_id="actors_list",
    summary="Actors of the mission",
    description=(
        "Actors the caller may see (geographic scope and clearance), by name. Filters: type and "
        "kind (repeatable), place (P-code, includes the units below it), influence range, "
        "stance values (repeatable; stance_unknown also keeps unknown), q (name search)."
    ),
    openapi_extra=permission(Perm.ACTOR_VIEW),
)
@paginate(Pagination)
def actors_list(
    request: HttpRequest, slug: str, filters: Query[ActorFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTOR_VIEW)
    found = selectors.actor_list(membership=membership, filters=_filters(filters))
    return _LazyList(found, _actor_out)  # type: ignore[return-value]


class _LazyList:
    """A sliceable view of a queryset that shapes only the page that is sent."""

    def __init__(self, queryset: Any, shape: Any) -> None:
        self.queryset = queryset
        self.shape = shape

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.shape(obj) for obj in self.queryset[key]]


@router.get(
    "/missions/{slug}/actors/grid",
    response={200: GridOut, **error_responses(401, 403, 404, 422)},
    operation_id="actors_grid",
    summary="Influence x stance grid",
    description=(
        "Counts of visible actors by influence (5 to 1, then unknown) and stance (-2 to +2, then "
        "unknown); stance is towards the peace process or, with stance=mission, the mission. "
        "Takes the same filters as the list."
    ),
    openapi_extra=permission(Perm.ACTOR_VIEW),
)
def actors_grid(
    request: HttpRequest,
    slug: str,
    filters: Query[ActorFilterQuery],
    stance: str = "peace_process",
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_VIEW)
    if stance not in ("peace_process", "mission"):
        raise HttpError(422, _("stance is peace_process or mission."))
    grid = selectors.actor_grid(
        membership=membership, stance_field=f"stance_{stance}", filters=_filters(filters)
    )
    return {
        "stance_field": grid.stance_field,
        "stances": list(grid.stances),
        "rows": [{"influence": i, "counts": counts} for i, counts in grid.rows()],
        "total": grid.total,
    }


@router.get(
    "/missions/{slug}/actors/graph",
    response={200: GraphOut, **error_responses(401, 403, 404, 422)},
    operation_id="actors_graph",
    summary="Relationship graph",
    description=(
        "Visible actors matching the list's filters (the most influential first, at most 300) "
        "and the open relationships among them (include_ended=true adds ended ones)."
    ),
    openapi_extra=permission(Perm.ACTOR_VIEW),
)
def actors_graph(
    request: HttpRequest,
    slug: str,
    filters: Query[ActorFilterQuery],
    include_ended: bool = False,
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_VIEW)
    graph = selectors.actor_graph(
        membership=membership, filters=_filters(filters), include_ended=include_ended
    )
    return {
        "nodes": [
            {
                "id": n.public_id,
                "name": n.name,
                "kind": n.kind,
                "actor_type": n.actor_type,
                "influence": n.influence,
                "stance_peace_process": n.stance_peace_process,
                "admin_unit": n.admin_unit,
            }
            for n in graph.nodes
        ],
        "edges": [
            {
                "id": e.public_id,
                "source": e.source,
                "target": e.target,
                "kind": e.kind,
                "confidence": e.confidence,
                "symmetric": e.symmetric,
                "ended": e.ended,
            }
            for e in graph.edges
        ],
        "truncated": graph.truncated,
    }


@router.post(
    "/missions/{slug}/actors",
    response={201: ActorDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="actors_create",
    summary="Record an actor",
    description=(
        "Scoped callers must give a main place (P-code) inside their area. Contact details are "
        "stored encrypted and never echoed back."
    ),
    openapi_extra=permission(Perm.ACTOR_MANAGE),
)
def actors_create(request: HttpRequest, slug: str, payload: ActorIn) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTOR_MANAGE)
    user = membership.user
    try:
        with transaction.atomic():
            obj = services.actor_create(
                actor=user,
                mission=membership.mission,
                kind=payload.kind,
                actor_type=payload.actor_type,
                name=payload.name,
                alt_names=payload.alt_names,
                gender=payload.gender,
                title=payload.title,
                admin_unit=_main_place(membership, payload.admin_unit),
                places=_other_places(membership, payload.places),
                site=_site(membership, payload.site),
                languages=payload.languages,
                influence=payload.influence,
                stance_peace_process=payload.stance_peace_process,
                stance_mission=payload.stance_mission,
                sensitivity=(
                    sensitivity_value(payload.sensitivity) if payload.sensitivity else None
                ),
                notes=payload.notes,
            )
            if payload.phone or payload.email or payload.contact_other:
                obj = services.actor_set_contact(
                    actor=user,
                    record=obj,
                    phone=payload.phone,
                    email=payload.email,
                    contact_other=payload.contact_other,
                )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    # The creator sees what they wrote, even above their own clearance (write-up, ADR 0004).
    obj = Actor.objects.select_related("admin_unit", "site", "merged_into").get(pk=obj.pk)
    return Status(201, _actor_detail_out(obj, membership))


@router.get(
    "/missions/{slug}/actors/{actor_id}",
    response={200: ActorDetailOut, **error_responses(401, 403, 404)},
    operation_id="actors_get",
    summary="One actor",
    description="Without contact details (see actors_contact_get). 404 outside scope/clearance.",
    openapi_extra=permission(Perm.ACTOR_VIEW),
)
def actors_get(request: HttpRequest, slug: str, actor_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_VIEW)
    return _actor_detail_out(_get_actor(membership, actor_id), membership)


@router.patch(
    "/missions/{slug}/actors/{actor_id}",
    response={200: ActorDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="actors_update",
    summary="Change an actor",
    description="Only the fields sent are changed. Contact details: actors_contact_set.",
    openapi_extra=permission(Perm.ACTOR_MANAGE),
)
def actors_update(
    request: HttpRequest, slug: str, actor_id: str, payload: ActorPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_MANAGE)
    obj = _get_actor(membership, actor_id)
    sent = payload.model_dump(exclude_unset=True)
    data: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "admin_unit":
            data[name] = _main_place(membership, value)
        elif name == "places":
            data[name] = _other_places(membership, value or [])
        elif name == "site":
            data[name] = _site(membership, value)
        elif name == "sensitivity":
            if value is None:
                raise HttpError(422, _("sensitivity cannot be empty."))
            data[name] = sensitivity_value(value)
        elif value is None and name not in ("influence", "stance_peace_process", "stance_mission"):
            raise HttpError(422, _("This field cannot be empty."))
        else:
            data[name] = value
    try:
        obj = services.actor_update(actor=membership.user, record=obj, data=data)
    except ValidationError as exc:
        raise invalid_input(exc) from None
    obj = Actor.objects.select_related("admin_unit", "site", "merged_into").get(pk=obj.pk)
    return _actor_detail_out(obj, membership)


@router.get(
    "/missions/{slug}/actors/{actor_id}/contact",
    response={200: ContactOut, **error_responses(401, 403, 404)},
    operation_id="actors_contact_get",
    summary="An actor's contact details",
    description="Decrypted contact details. Every call writes an actor.contact_read audit row.",
    openapi_extra=permission(Perm.ACTOR_CONTACT_VIEW),
)
def actors_contact_get(request: HttpRequest, slug: str, actor_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_CONTACT_VIEW)
    obj = _get_actor(membership, actor_id)
    contact = services.actor_contact_read(actor=membership.user, membership=membership, record=obj)
    return {
        "phone": contact.phone,
        "email": contact.email,
        "contact_other": contact.contact_other,
    }


@router.put(
    "/missions/{slug}/actors/{actor_id}/contact",
    response={204: None, **error_responses(401, 403, 404, 422)},
    operation_id="actors_contact_set",
    summary="Set an actor's contact details",
    description=(
        "Fields left out or null are kept; names in clear are emptied. Stored encrypted, with "
        "pseudonyms for matching; the values are not echoed back."
    ),
    openapi_extra=permission(Perm.ACTOR_MANAGE),
)
def actors_contact_set(
    request: HttpRequest, slug: str, actor_id: str, payload: ContactIn
) -> Status[None]:
    membership = require(request, slug, Perm.ACTOR_MANAGE)
    obj = _get_actor(membership, actor_id)
    try:
        services.actor_set_contact(
            actor=membership.user,
            record=obj,
            phone=payload.phone,
            email=payload.email,
            contact_other=payload.contact_other,
            clear=payload.clear,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return Status(204, None)


# --- Relationships ---------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/actors/{actor_id}/relationships",
    response={200: list[RelationshipOut], **error_responses(401, 403, 404, 422)},
    operation_id="relationships_list",
    summary="Relationships of an actor",
    description="Only relationships whose other end the caller may also see; open ones first.",
    openapi_extra=permission(Perm.ACTOR_VIEW),
)
@paginate(Pagination)
def relationships_list(request: HttpRequest, slug: str, actor_id: str) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTOR_VIEW)
    obj = _get_actor(membership, actor_id)
    found = selectors.actor_relationships(membership=membership, actor=obj)
    return _LazyList(found, lambda r: _relationship_out(r, membership))  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/actors/{actor_id}/relationships",
    response={201: RelationshipOut, **error_responses(401, 403, 404, 422)},
    operation_id="relationships_create",
    summary="Record a relationship",
    description=(
        "From this actor to target. Refused (422): with itself, a duplicate of an open "
        "relationship (either direction for allied_with, in_dispute_with, related_to)."
    ),
    openapi_extra=permission(Perm.ACTOR_MANAGE),
)
def relationships_create(
    request: HttpRequest, slug: str, actor_id: str, payload: RelationshipIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTOR_MANAGE)
    source = _get_actor(membership, actor_id)
    target = selectors.actor_get(membership=membership, public_id=payload.target)
    if target is None:
        raise HttpError(422, _("Unknown target actor."))
    try:
        with transaction.atomic():
            rel = services.relationship_create(
                actor=membership.user,
                source=source,
                target=target,
                kind=payload.kind,
                start_date=payload.start_date,
                end_date=payload.end_date,
                information_source=payload.information_source,
                confidence=payload.confidence,
                notes=payload.notes,
            )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    except IntegrityError:  # a concurrent duplicate
        raise HttpError(422, _("This relationship is already recorded.")) from None
    return Status(201, _relationship_out(rel, membership))


@router.post(
    "/missions/{slug}/relationships/{relationship_id}/end",
    response={200: RelationshipOut, **error_responses(401, 403, 404, 422)},
    operation_id="relationships_end",
    summary="End a relationship",
    openapi_extra=permission(Perm.ACTOR_MANAGE),
)
def relationships_end(
    request: HttpRequest, slug: str, relationship_id: str, payload: RelationshipEndIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_MANAGE)
    rel = selectors.relationship_get(membership=membership, public_id=relationship_id)
    if rel is None:
        raise Http404
    try:
        rel = services.relationship_end(
            actor=membership.user, relationship=rel, end_date=payload.end_date
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return _relationship_out(rel, membership)


# --- Consent ---------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/actors/{actor_id}/consents",
    response={200: list[ConsentOut], **error_responses(401, 403, 404, 422)},
    operation_id="consents_list",
    summary="Consent records of an actor",
    description="Newest first, withdrawn ones included (in_force=false).",
    openapi_extra=permission(Perm.ACTOR_VIEW),
)
@paginate(Pagination)
def consents_list(request: HttpRequest, slug: str, actor_id: str) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTOR_VIEW)
    obj = _get_actor(membership, actor_id)
    found = selectors.actor_consents(membership=membership, actor=obj)
    return _LazyList(found, lambda c: _consent_out(c, membership))  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/actors/{actor_id}/consents",
    response={201: ConsentOut, **error_responses(401, 403, 404, 422)},
    operation_id="consents_record",
    summary="Record consent",
    description="What the actor agreed to, when and how; the caller is recorded as witness.",
    openapi_extra=permission(Perm.ACTOR_MANAGE),
)
def consents_record(
    request: HttpRequest, slug: str, actor_id: str, payload: ConsentIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTOR_MANAGE)
    obj = _get_actor(membership, actor_id)
    try:
        consent = services.consent_record(
            actor=membership.user,
            record=obj,
            purposes=[str(p) for p in payload.purposes],
            method=payload.method,
            given_at=payload.given_at,
            details=payload.details,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return Status(201, _consent_out(consent, membership))


@router.post(
    "/missions/{slug}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **error_responses(401, 403, 404, 422)},
    operation_id="consents_withdraw",
    summary="Record a withdrawal of consent",
    openapi_extra=permission(Perm.ACTOR_MANAGE),
)
def consents_withdraw(
    request: HttpRequest, slug: str, consent_id: str, payload: ConsentWithdrawIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_MANAGE)
    consent = selectors.consent_get(membership=membership, public_id=consent_id)
    if consent is None:
        raise Http404
    try:
        consent = services.consent_withdraw(
            actor=membership.user,
            consent=consent,
            reason=payload.reason,
            withdrawn_at=payload.withdrawn_at,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return _consent_out(consent, membership)
