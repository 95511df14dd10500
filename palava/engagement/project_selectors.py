"""Reads about projects (3W), always from ``projects_visible`` (mission and geographic scope
through the project's main place).

Totals never add budgets of different currencies: they are given per currency.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from palava.engagement.models import (
    BeneficiaryAge,
    CountSex,
    Deliverable,
    Partner,
    Project,
    ProjectReach,
)
from palava.engagement.selectors import projects_visible
from palava.missions.models import Membership
from palava.missions.permissions import clearance_for
from palava.places.models import AdminUnit

MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class ProjectFilters:
    sector: str = ""
    project_type: str = ""
    status: str = ""
    partner: str = ""  # a partner's public id: implementing or funding
    place: str = ""  # a P-code: main place or another place inside it
    query: str = ""


def project_list(
    *, membership: Membership, filters: ProjectFilters | None = None
) -> QuerySet[Project]:
    """Visible projects matching ``filters``, latest first."""
    filters = filters or ProjectFilters()
    found = projects_visible(membership=membership)
    if filters.sector:
        found = found.filter(sector=filters.sector)
    if filters.project_type:
        found = found.filter(project_type=filters.project_type)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.partner:
        try:
            key = uuid.UUID(filters.partner)
        except ValueError:
            return found.none()
        found = found.filter(Q(partner__public_id=key) | Q(funder__public_id=key))
    if filters.place:
        unit = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=filters.place.strip()
        ).first()
        if unit is None:
            return found.none()
        inside = Q(admin_unit__path__startswith=unit.path) | Q(
            pk__in=Project.places.through.objects.filter(
                adminunit__path__startswith=unit.path
            ).values("project_id")
        )
        found = found.filter(inside)
    for word in filters.query[:MAX_QUERY_CHARS].split():
        found = found.filter(Q(title__icontains=word) | Q(code__icontains=word))
    return found.select_related("admin_unit", "partner__actor").order_by("-starts_on", "code")


@dataclass
class ProjectTotals:
    count: int = 0
    budget_by_currency: dict[str, Decimal] = field(default_factory=dict)
    no_budget: int = 0
    targeted_by_sex: dict[str, int] = field(default_factory=dict)
    reached_by_sex: dict[str, int] = field(default_factory=dict)
    by_sector: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)

    @property
    def targeted(self) -> int:
        return sum(self.targeted_by_sex.values())

    @property
    def reached(self) -> int:
        return sum(self.reached_by_sex.values())


def project_totals(projects: QuerySet[Project]) -> ProjectTotals:
    """Totals of a (filtered) visible project queryset: budget per currency, beneficiaries by
    sex, and counts by sector and status."""
    ids = projects.order_by().values("pk")
    totals = ProjectTotals(count=projects.count())
    for row in (
        Project.objects.filter(pk__in=ids, budget__isnull=False)
        .values("currency")
        .annotate(total=Sum("budget"))
        .order_by("currency")
    ):
        totals.budget_by_currency[row["currency"]] = row["total"]
    totals.no_budget = Project.objects.filter(pk__in=ids, budget__isnull=True).count()
    for cell in (
        ProjectReach.objects.filter(project_id__in=ids)
        .values("sex")
        .annotate(t=Sum("targeted"), r=Sum("reached"))
        .order_by("sex")
    ):
        totals.targeted_by_sex[cell["sex"]] = int(cell["t"] or 0)
        totals.reached_by_sex[cell["sex"]] = int(cell["r"] or 0)
    sectors: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for sector, status in Project.objects.filter(pk__in=ids).values_list("sector", "status"):
        sectors[sector] += 1
        statuses[status] += 1
    totals.by_sector = sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))
    totals.by_status = sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))
    return totals


def project_get(*, membership: Membership, public_id: uuid.UUID | str) -> Project | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        projects_visible(membership=membership)
        .select_related("admin_unit", "partner__actor", "funder__actor", "agreement", "mission")
        .prefetch_related("places")
        .filter(public_id=key)
        .first()
    )


@dataclass(frozen=True)
class ReachCell:
    sex: str
    age_group: str
    targeted: int
    reached: int

    @property
    def over_target(self) -> bool:
        return self.reached > self.targeted


@dataclass(frozen=True)
class ReachRow:
    age_group: str
    label: Any
    cells: list[ReachCell]


@dataclass(frozen=True)
class ReachTable:
    rows: list[ReachRow]
    sexes: list[tuple[str, Any]]
    targeted: int
    reached: int

    @property
    def over_target(self) -> list[ReachCell]:
        return [c for row in self.rows for c in row.cells if c.over_target]

    @property
    def is_empty(self) -> bool:
        return self.targeted == 0 and self.reached == 0


def project_reach_table(*, project: Project) -> ReachTable:
    """Beneficiaries by age group (rows) x sex (columns), zero cells included."""
    stored = {(r.sex, r.age_group): r for r in project.reach.all()}
    rows: list[ReachRow] = []
    for age, label in BeneficiaryAge.choices:
        cells = []
        for sex in CountSex.values:
            found = stored.get((sex, age))
            cells.append(
                ReachCell(
                    sex=sex,
                    age_group=age,
                    targeted=found.targeted if found else 0,
                    reached=found.reached if found else 0,
                )
            )
        rows.append(ReachRow(age_group=age, label=label, cells=cells))
    return ReachTable(
        rows=rows,
        sexes=list(CountSex.choices),
        targeted=sum(r.targeted for r in stored.values()),
        reached=sum(r.reached for r in stored.values()),
    )


def project_deliverables(*, project: Project) -> QuerySet[Deliverable]:
    return project.deliverables.order_by("due_on", "id")


def deliverable_get(
    *, membership: Membership, project: Project, public_id: uuid.UUID | str
) -> Deliverable | None:
    """A deliverable of a project already found through :func:`project_get`."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    if not projects_visible(membership=membership).filter(pk=project.pk).exists():
        return None
    return project.deliverables.filter(public_id=key).first()


def project_places(*, project: Project) -> list[AdminUnit]:
    """The main place then the other places, by path (names and P-codes are public)."""
    others = sorted(
        (u for u in project.places.all() if u.pk != project.admin_unit_id), key=lambda u: u.path
    )
    return [project.admin_unit, *others]


def project_places_summary(
    projects: QuerySet[Project], limit: int = 12
) -> list[tuple[str, str, int]]:
    """(P-code, name, number of projects) of the main places, most projects first."""
    rows = (
        Project.objects.filter(pk__in=projects.order_by().values("pk"))
        .values("admin_unit__pcode", "admin_unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "admin_unit__name")[:limit]
    )
    return [(r["admin_unit__pcode"], r["admin_unit__name"], int(r["n"])) for r in rows]


def partner_shown(*, membership: Membership, partner: Partner | None) -> Partner | None:
    """``partner`` if the member's clearance allows its organisation's actor record, else None
    (a project may name a partner whose actor the reader may not see)."""
    if partner is None or partner.actor.sensitivity > int(clearance_for(membership.role)):
        return None
    return partner
