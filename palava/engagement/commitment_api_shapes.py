"""Shaping commitments for the JSON API (``api_commitments``): the list row, the detail with
evidence and history. Linked actors and activities appear only when the caller may see them;
the verification note only with the clearance its field class needs."""

from typing import Any

from django.utils import timezone

from palava.actors.schemas import sensitivity_name
from palava.actors.selectors import actors_visible, readable_fields
from palava.engagement import commitment_selectors as selectors
from palava.engagement.models import Commitment
from palava.engagement.reminders import mission_today
from palava.engagement.selectors import activities_visible
from palava.missions.models import Membership

# --- Shaping output --------------------------------------------------------------------------


def commitment_out(
    c: Commitment,
    membership: Membership,
    actors: set[int] | None = None,
    activities: set[int] | None = None,
) -> dict[str, Any]:
    """One commitment; ``actors`` / ``activities``: ids the caller may see (looked up if None)."""
    if actors is None:
        actors = selectors.visible_actor_ids(membership, c)
    if activities is None:
        activities = _visible_activities(membership, [c])
    today = mission_today(membership.mission, timezone.now())

    def party(side: str) -> dict[str, Any]:
        actor_id = getattr(c, f"{side}_actor_id")
        actor = getattr(c, f"{side}_actor") if actor_id in actors else None
        return {
            "kind": getattr(c, f"{side}_kind"),
            "name": getattr(c, f"{side}_name"),
            "actor": actor.public_id if actor is not None else None,
        }

    activity_visible = c.activity_id is not None and c.activity_id in activities
    return {
        "id": c.public_id,
        "reference": c.reference,
        "made_by": party("made_by"),
        "made_to": party("made_to"),
        "description": c.description,
        "admin_unit": c.admin_unit.pcode,
        "activity": c.activity.public_id if activity_visible and c.activity else None,
        "made_on": c.made_on,
        "due_date": c.due_date,
        "status": c.status,
        "status_changed_at": c.status_changed_at,
        "overdue": selectors.is_overdue(c, today),
        "verification": c.verification,
        "verified_at": c.verified_at,
        "owner": c.owner.get_username() if c.owner else None,
        "sensitivity": sensitivity_name(c.sensitivity),
        "updated_at": c.updated_at,
    }


def commitment_detail_out(c: Commitment, membership: Membership) -> dict[str, Any]:
    detail = selectors.commitment_detail(membership=membership, commitment=c)
    readable = readable_fields(membership, Commitment)
    return {
        **commitment_out(c, membership),
        "status_note": c.status_note,
        "verification_note": c.verification_note if "verification_note" in readable else None,
        "evidence": [evidence_out(e.evidence, e.activity_visible) for e in detail.evidence],
        "history": [
            {
                "kind": v.event.kind,
                "at": v.event.at,
                "by": v.event.by.get_username() if v.event.by else None,
                "from_status": v.event.from_status,
                "to_status": v.event.to_status,
                "changes": v.event.changes or {},
                "note": v.event.note,
            }
            for v in detail.events
        ],
    }


def evidence_out(e: Any, activity_visible: bool) -> dict[str, Any]:
    return {
        "id": e.public_id,
        "kind": e.kind,
        "document": e.document.public_id if e.document else None,
        "filename": e.document.filename if e.document else None,
        "activity": e.activity.public_id if e.activity and activity_visible else None,
        "note": e.note,
        "created_at": e.created_at,
    }


def _visible_activities(membership: Membership, rows: list[Commitment]) -> set[int]:
    ids = {c.activity_id for c in rows if c.activity_id}
    if not ids:
        return set()
    found = activities_visible(membership=membership).filter(pk__in=ids)
    return set(found.values_list("pk", flat=True))


class LazyList:
    """A sliceable view of a queryset that shapes only the page that is sent."""

    def __init__(self, queryset: Any, membership: Membership) -> None:
        self.queryset = queryset
        self.membership = membership

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        rows = list(self.queryset[key])
        ids = {i for c in rows for i in (c.made_by_actor_id, c.made_to_actor_id) if i}
        actors = set(
            actors_visible(membership=self.membership)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        activities = _visible_activities(self.membership, rows)
        return [commitment_out(c, self.membership, actors, activities) for c in rows]
