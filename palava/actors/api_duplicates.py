"""JSON API: duplicate candidates and merging actors.

Both routes need ``actor.merge``. Candidates and the two ends of a merge are found only through
``palava.actors.selectors`` (mission, geographic scope, clearance): an actor the caller may not
see answers 404, and never appears in a candidate pair.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.actors import selectors
from palava.actors.duplicates import DEFAULT_THRESHOLD, duplicate_candidates
from palava.actors.merge import actor_merge
from palava.actors.models import Actor
from palava.core.api_base import Pagination, error_responses, permission, require
from palava.missions.permissions import Perm

router = Router(tags=["actors"])


class ActorBriefOut(Schema):
    id: uuid.UUID
    name: str
    alt_names: list[str]
    kind: str
    actor_type: str
    admin_unit: str | None = Field(None, description="P-code of the main place.")
    is_active: bool
    merged_into: uuid.UUID | None = None


class DuplicateOut(Schema):
    a: ActorBriefOut
    b: ActorBriefOut
    score: float = Field(..., description="0 to 1: name similarity plus other evidence.")
    name_score: float = Field(..., description="0 to 1: name similarity alone.")
    reasons: list[str] = Field(..., description="Why the pair is proposed, in plain words.")


class MergeIn(Schema):
    into: uuid.UUID = Field(..., description="The actor to keep.")


class MergeOut(Schema):
    kept: ActorBriefOut
    merged: ActorBriefOut
    relationships_moved: int
    relationships_kept_on_merged: int = Field(
        ...,
        description="Relationships that would duplicate one of the kept actor or link it "
        "to itself; they stay on the merged record as history.",
    )
    consents_moved: int
    places_added: int
    alt_names_added: list[str]
    contact_fields_filled: list[str] = Field(
        ..., description="Names of contact fields taken over (never their values)."
    )


def _brief(obj: Actor) -> dict[str, Any]:
    return {
        "id": obj.public_id,
        "name": obj.name,
        "alt_names": list(obj.alt_names or []),
        "kind": obj.kind,
        "actor_type": obj.actor_type,
        "admin_unit": obj.admin_unit.pcode if obj.admin_unit else None,
        "is_active": obj.is_active,
        "merged_into": obj.merged_into.public_id if obj.merged_into else None,
    }


@router.get(
    "/missions/{slug}/actors/duplicates",
    response={200: list[DuplicateOut], **error_responses(401, 403, 404, 422)},
    operation_id="actors_duplicates",
    summary="Possible duplicate actors",
    description=(
        "Pairs of active actors the caller may see that may be the same, best first. Found by "
        "phonetic blocking on names (transliteration variants, word order, titles, initials) "
        "and the same phone or e-mail pseudonym; scored by name similarity plus evidence "
        "(same phone, same place, same type). `threshold` is the lowest score returned."
    ),
    openapi_extra=permission(Perm.ACTOR_MERGE),
)
@paginate(Pagination)
def actors_duplicates(
    request: HttpRequest, slug: str, threshold: float = DEFAULT_THRESHOLD
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTOR_MERGE)
    if not 0.5 <= threshold <= 1.0:
        raise HttpError(422, "threshold: 0.5 to 1.")
    found = duplicate_candidates(
        mission=membership.mission, membership=membership, threshold=threshold
    )
    return [
        {
            "a": _brief(c.a),
            "b": _brief(c.b),
            "score": round(c.score, 3),
            "name_score": round(c.name_score, 3),
            "reasons": c.reasons,
        }
        for c in found
    ]


@router.post(
    "/missions/{slug}/actors/{actor_id}/merge",
    response={200: MergeOut, **error_responses(401, 403, 404, 422)},
    operation_id="actors_merge",
    summary="Merge an actor into another",
    description=(
        "Merges actor_id into `into` (the one kept): relationships, consents, places, names "
        "(as alternate names) and missing contact details move to it; actor_id stays as an "
        "inactive record pointing at `into`. Both must be visible to the caller (else 404). "
        "422 when they are the same actor, or either was merged already."
    ),
    openapi_extra=permission(Perm.ACTOR_MERGE),
)
def actors_merge(
    request: HttpRequest, slug: str, actor_id: str, payload: MergeIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTOR_MERGE)
    merge = selectors.actor_get(membership=membership, public_id=actor_id, include_inactive=True)
    keep = selectors.actor_get(membership=membership, public_id=payload.into, include_inactive=True)
    if merge is None or keep is None:
        raise Http404
    try:
        result = actor_merge(actor=membership.user, keep=keep, merge=merge)
    except ValidationError as exc:
        raise HttpError(422, " ".join(str(m) for m in exc.messages)) from None
    related = Actor.objects.select_related("admin_unit", "merged_into")
    return {
        "kept": _brief(related.get(pk=result.kept.pk)),
        "merged": _brief(related.get(pk=result.merged.pk)),
        "relationships_moved": result.links.relationships_moved,
        "relationships_kept_on_merged": result.links.relationships_kept,
        "consents_moved": result.links.consents_moved,
        "places_added": result.links.places_added,
        "alt_names_added": list(result.alt_names_added),
        "contact_fields_filled": list(result.contact_fields_filled),
    }
