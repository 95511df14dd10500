"""Reading outbound messages and reply templates for the pages and the API.

A row tied to a case is listed only when the member may see the case
(``cases.selectors.cases_visible``: mission, area, restricted rule); rows without a case
(acknowledgements, broadcasts, staff notices) carry no number and no text on these pages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from palava.feedback.models import OutboundMessage, OutboundStatus, ReplyTemplate
from palava.missions.models import Membership


@dataclass(frozen=True)
class OutboundFilters:
    status: str = ""
    purpose: str = ""


def outbound_visible(membership: Membership) -> QuerySet[OutboundMessage]:
    from palava.feedback.cases.selectors import cases_visible

    visible_cases = cases_visible(membership).values("pk")
    return (
        OutboundMessage.objects.filter(mission_id=membership.mission_id)
        .filter(Q(case__isnull=True) | Q(case__in=visible_cases))
        .select_related("channel", "case")
    )


def outbound_list(*, membership: Membership, filters: OutboundFilters) -> QuerySet[OutboundMessage]:
    rows = outbound_visible(membership)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.purpose:
        rows = rows.filter(purpose=filters.purpose)
    return rows.order_by("-created_at", "-id")


def outbound_get(*, membership: Membership, public_id: uuid.UUID | str) -> OutboundMessage | None:
    return outbound_visible(membership).filter(public_id=public_id).first()


def outbound_counts(membership: Membership) -> dict[str, int]:
    """Rows per status (for the filter bar)."""
    rows = outbound_visible(membership).values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(OutboundStatus.values, 0)
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def templates_list(membership: Membership) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(mission_id=membership.mission_id).order_by("order", "name")


def template_get(*, membership: Membership, public_id: uuid.UUID | str) -> ReplyTemplate | None:
    return templates_list(membership).filter(public_id=public_id).first()
