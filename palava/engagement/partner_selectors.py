"""Reads about partners and agreements, always from ``partners_visible`` (mission, scope and the
clearance of the organisation's actor record).

An agreement is visible with its partner. The organisation's contact details are never read
here: pages link to the actor's own page, which applies the actors rules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palava.actors.models import Actor, ActorKind
from palava.actors.selectors import actors_visible
from palava.engagement.models import Agreement, Partner, Project
from palava.engagement.selectors import partners_visible, projects_visible
from palava.missions.models import Membership
from palava.places.text import fold

EXPIRING_WITHIN_DAYS = 60
MAX_QUERY_CHARS = 100


class AgreementState:
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NOT_STARTED = "not_started"
    NONE = "none"


AGREEMENT_STATE_LABELS: dict[str, Any] = {
    AgreementState.ACTIVE: _("Active"),
    AgreementState.EXPIRING: _("Expiring soon"),
    AgreementState.EXPIRED: _("Expired"),
    AgreementState.NOT_STARTED: _("Not started"),
    AgreementState.NONE: _("No agreement"),
}


def agreement_state(agreement: Agreement, today: dt.date | None = None) -> str:
    """``active``, ``expiring`` (ends within 60 days), ``expired`` or ``not_started``."""
    today = today or timezone.localdate()
    if agreement.starts_on > today:
        return AgreementState.NOT_STARTED
    if agreement.ends_on is None:
        return AgreementState.ACTIVE
    if agreement.ends_on < today:
        return AgreementState.EXPIRED
    if agreement.ends_on <= today + dt.timedelta(days=EXPIRING_WITHIN_DAYS):
        return AgreementState.EXPIRING
    return AgreementState.ACTIVE


_STATE_RANK = {
    AgreementState.ACTIVE: 0,
    AgreementState.EXPIRING: 1,
    AgreementState.NOT_STARTED: 2,
    AgreementState.EXPIRED: 3,
}


def partner_agreement_state(agreements: list[Agreement], today: dt.date | None = None) -> str:
    """The partner's overall state: the best of its agreements' (``none`` without any)."""
    states = [agreement_state(a, today) for a in agreements]
    if not states:
        return AgreementState.NONE
    return min(states, key=lambda s: _STATE_RANK[s])


@dataclass(frozen=True)
class PartnerFilters:
    partner_type: str = ""
    active: bool | None = None
    query: str = ""


def partner_list(
    *, membership: Membership, filters: PartnerFilters | None = None
) -> QuerySet[Partner]:
    """Visible partners matching ``filters``, by organisation name, with project counts and
    agreements prefetched."""
    filters = filters or PartnerFilters()
    found = partners_visible(membership=membership)
    if filters.partner_type:
        found = found.filter(partner_type=filters.partner_type)
    if filters.active is not None:
        found = found.filter(is_active=filters.active)
    for word in fold(filters.query[:MAX_QUERY_CHARS]).split():
        found = found.filter(Q(actor__search_text__contains=word) | Q(acronym__icontains=word))
    visible_projects = projects_visible(membership=membership).values("pk")
    return (
        found.select_related("actor")
        .prefetch_related("agreements")
        .annotate(
            project_count=Count(
                "projects", filter=Q(projects__pk__in=visible_projects), distinct=True
            ),
            funded_count=Count(
                "funded_projects",
                filter=Q(funded_projects__pk__in=visible_projects),
                distinct=True,
            ),
        )
        .order_by("actor__name", "id")
    )


def partner_get(*, membership: Membership, public_id: uuid.UUID | str) -> Partner | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        partners_visible(membership=membership)
        .select_related("actor", "actor__admin_unit")
        .filter(public_id=key)
        .first()
    )


def partner_agreements(*, partner: Partner) -> QuerySet[Agreement]:
    """The agreements of a partner already found through :func:`partner_get`."""
    return partner.agreements.annotate(document_count=Count("documents")).order_by(
        "-starts_on", "-id"
    )


def partner_projects(*, membership: Membership, partner: Partner) -> QuerySet[Project]:
    """Visible projects the partner implements or funds."""
    return (
        projects_visible(membership=membership)
        .filter(Q(partner=partner) | Q(funder=partner))
        .select_related("admin_unit")
        .order_by("-starts_on", "code")
    )


def agreement_get(*, membership: Membership, public_id: uuid.UUID | str) -> Agreement | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        Agreement.objects.filter(partner__in=partners_visible(membership=membership), public_id=key)
        .select_related("partner__actor", "partner__mission")
        .first()
    )


def organisations_available(*, membership: Membership, query: str = "") -> QuerySet[Actor]:
    """Organisation actors the member may see that are not partners yet (the 'Add' picker)."""
    found = actors_visible(membership=membership).filter(
        kind=ActorKind.ORGANISATION, partner__isnull=True
    )
    for word in fold(query[:MAX_QUERY_CHARS]).split():
        found = found.filter(search_text__contains=word)
    return found.select_related("admin_unit").order_by("name", "id")


def organisation_available_get(*, membership: Membership, public_id: Any) -> Actor | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return organisations_available(membership=membership).filter(public_id=key).first()


def partner_choices(*, membership: Membership) -> QuerySet[Partner]:
    """Active visible partners, for the project form."""
    return partners_visible(membership=membership).select_related("actor").order_by("actor__name")


def agreement_choices(*, membership: Membership) -> QuerySet[Agreement]:
    """Agreements of the visible partners, for the project form."""
    return (
        Agreement.objects.filter(partner__in=partners_visible(membership=membership))
        .select_related("partner__actor")
        .order_by("partner__actor__name", "-starts_on")
    )
