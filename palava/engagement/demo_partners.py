"""The engagement demo's partners, agreements and projects (3W).

Ten partners: three UN agencies, a donor, two international and two national NGOs (new
organisation actors, created through the actors services) and two civil society organisations
of the demo registry. Agreements with dates relative to today (one expired, one expiring in
three weeks), fifteen projects with budgets in US dollars or Congolese francs, beneficiaries by
sex and age group and deliverables (some delivered, some late). Found again by actor, reference
and project code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from palava.accounts.models import User
from palava.actors.models import Actor, ActorKind, ActorType
from palava.actors.services import actor_create
from palava.engagement.demo_activities import document_store
from palava.engagement.demo_files import pdf_file
from palava.engagement.demo_places import DemoPlace
from palava.engagement.demo_text import PARTNERS, PROJECTS, PlannedProject
from palava.engagement.models import (
    Agreement,
    AgreementKind,
    BeneficiaryAge,
    DataSharing,
    Deliverable,
    DeliverableStatus,
    Partner,
    Project,
    ProjectReach,
    ProjectStatus,
    Sector,
)
from palava.missions.models import Mission, Role

SEED = 20_260_309
DEMO_ACTOR = "system:demo"


@dataclass(frozen=True)
class PlannedAgreement:
    partner: str  # acronym
    kind: str
    title: str
    reference: str
    start_days: int
    end_days: int | None
    scope: str
    data_sharing: str
    terms: str = ""


_AGGREGATE = "Aggregate figures by territory only; no names, phone numbers or locations below "
_AGGREGATE += "admin 2. Shared monthly; the partner may not pass them on without consent."
AGREEMENTS: tuple[PlannedAgreement, ...] = (
    PlannedAgreement("UNDP", AgreementKind.MOU, "MoU on community violence reduction",
                     "MOU/DEMO/2025/003", -400, 330,
                     "Joint CVR programming in the three provinces; shared project monitoring.",
                     DataSharing.AGGREGATE, _AGGREGATE),
    PlannedAgreement("UNICEF", AgreementKind.DATA_SHARING,
                     "Data-sharing agreement on child protection referrals", "DSA/DEMO/2026/001",
                     -200, 20, "Referral of children leaving armed groups to UNICEF partners.",
                     DataSharing.PSEUDONYMISED,
                     "Pseudonymised case records for referral follow-up only; deleted 90 days "
                     "after closure; no onward sharing."),
    PlannedAgreement("UNHCR", AgreementKind.LOA,
                     "Letter of agreement on protection monitoring in displacement sites",
                     "LOA/DEMO/2024/011", -500, -45,
                     "Joint protection monitoring visits and shared site profiles.",
                     DataSharing.AGGREGATE, _AGGREGATE),
    PlannedAgreement("PBF", AgreementKind.GRANT, "Grant for social cohesion in Kivalunga and "
                     "Mbeleko", "PBF/DEMO/2025/07", -300, 240,
                     "Funding of two peacebuilding projects implemented by APC and FUPD.",
                     DataSharing.NONE),
    PlannedAgreement("APC", AgreementKind.MOU, "MoU on inter-community dialogue",
                     "MOU/DEMO/2025/009", -330, 400,
                     "Co-facilitation of dialogue forums and land committees.",
                     DataSharing.AGGREGATE, _AGGREGATE),
    PlannedAgreement("TSI", AgreementKind.MOU, "MoU for the implementation of QIPs",
                     "MOU/DEMO/2026/002", -220, 145,
                     "Implementation of quick-impact projects selected with communities.",
                     DataSharing.NONE),
    PlannedAgreement("FUPD", AgreementKind.LOA, "Letter of agreement on women's participation",
                     "LOA/DEMO/2025/014", -270, 90,
                     "Support to women leaders joining local security committees.",
                     DataSharing.AGGREGATE, _AGGREGATE),
    PlannedAgreement("JEC", AgreementKind.LOA, "Letter of agreement on youth outreach",
                     "LOA/DEMO/2026/004", -180, 180,
                     "Youth outreach, sport for peace and vocational training referral.",
                     DataSharing.NONE),
    PlannedAgreement("CSC-K", AgreementKind.MOU, "MoU with the provincial civil society",
                     "MOU/DEMO/2026/005", -100, None,
                     "Early warning and community feedback collection in Kivalunga.",
                     DataSharing.AGGREGATE, _AGGREGATE),
)  # fmt: skip
# Projects whose main place is an engaged place (by index): the handovers' QIPs and a few more.
PROJECT_PLACES = {
    "QIP-2026-01": 5, "QIP-2026-02": 12, "QIP-2026-03": 18, "QIP-2026-04": 1,
    "QIP-2026-05": 9, "PBF-2025-01": 0, "PBF-2025-02": 2, "HUM-2026-02": 11,
}  # fmt: skip
# Share of beneficiaries by age group, by sector (children, adults, elderly).
AGE_SHARES: dict[str, tuple[float, float, float]] = {
    Sector.EDUCATION: (0.9, 0.09, 0.01),
    Sector.PROTECTION: (0.55, 0.4, 0.05),
    Sector.LIVELIHOODS: (0.05, 0.9, 0.05),
}
DEFAULT_AGES = (0.45, 0.45, 0.1)


def _organisation(mission: Mission, planned_name: str, reuse: str) -> Actor | None:
    if reuse == "cso-coord":
        return (
            Actor.objects.filter(
                mission=mission,
                actor_type=ActorType.CIVIL_SOCIETY,
                kind=ActorKind.ORGANISATION,
                name__startswith="Coordination provinciale",
                admin_unit__pcode="CDX1",
            )
            .order_by("name")
            .first()
        )
    if reuse == "cso":
        local = Actor.objects.filter(
            mission=mission,
            actor_type=ActorType.CIVIL_SOCIETY,
            kind=ActorKind.ORGANISATION,
            admin_unit__level=3,
            partner__isnull=True,
        ).order_by("admin_unit__pcode", "name")
        return local.filter(name__startswith="Réseau pour la paix").first() or local.first()
    found = Actor.objects.filter(mission=mission, name=planned_name, kind=ActorKind.ORGANISATION)
    return found.first() or actor_create(
        actor=DEMO_ACTOR,
        mission=mission,
        kind=ActorKind.ORGANISATION,
        actor_type=ActorType.OTHER,
        name=planned_name,
        languages=("fr", "en"),
        notes="Demo partner organisation (fictional record).",
    )


def partners_ensure(
    *, mission: Mission, users: dict[str, User], today: date
) -> tuple[dict[str, Partner], int, int]:
    """The ten partners by acronym and their agreements: (partners, created, agreements)."""
    manager = users.get(Role.MANAGER)
    existing = {p.acronym: p for p in Partner.objects.filter(mission=mission)}
    partners: dict[str, Partner] = {}
    created = agreements = 0
    for planned in PARTNERS:
        partner = existing.get(planned.acronym)
        if partner is None:
            organisation = _organisation(mission, planned.name, planned.reuse)
            if organisation is None:
                continue
            partner = Partner(
                mission=mission,
                actor=organisation,
                acronym=planned.acronym,
                partner_type=planned.partner_type,
                notes=planned.notes,
                created_by=manager,
            )
            partner.full_clean()
            partner.save()
            created += 1
        partners[planned.acronym] = partner
    known = set(
        Agreement.objects.filter(partner__mission=mission).values_list("reference", flat=True)
    )
    for agreement_plan in AGREEMENTS:
        partner = partners.get(agreement_plan.partner)
        if partner is None or agreement_plan.reference in known:
            continue
        starts = today + timedelta(days=agreement_plan.start_days)
        agreement = Agreement(
            partner=partner,
            kind=agreement_plan.kind,
            title=agreement_plan.title,
            reference=agreement_plan.reference,
            signed_on=starts - timedelta(days=9),
            starts_on=starts,
            ends_on=today + timedelta(days=agreement_plan.end_days)
            if agreement_plan.end_days is not None
            else None,
            scope=agreement_plan.scope,
            data_sharing=agreement_plan.data_sharing,
            data_sharing_terms=agreement_plan.terms,
            created_by=manager,
        )
        agreement.full_clean()
        agreement.save()
        agreements += 1
        if agreement_plan.kind == AgreementKind.MOU and agreement_plan.partner == "UNDP":
            document_store(
                mission=mission,
                file=pdf_file(
                    "mou-undp-signed.pdf",
                    agreement.title,
                    [
                        f"Reference: {agreement.reference}",
                        f"Signed on: {agreement.signed_on}",
                        f"Valid from {agreement.starts_on} to {agreement.ends_on}",
                        agreement.scope,
                        "Data sharing: aggregate figures only (demo).",
                    ],
                ),
                user=manager,
                description="Signed MoU (scan)",
                agreement=agreement,
            )
    return partners, created, agreements


def _reach(project: Project, planned: PlannedProject, today: date) -> list[ProjectReach]:
    children, adults, elderly = AGE_SHARES.get(planned.sector, DEFAULT_AGES)
    total = planned.beneficiaries
    if planned.status in (ProjectStatus.COMPLETED,):
        progress = 0.97
    elif planned.status == ProjectStatus.ONGOING and project.ends_on:
        span = max(1, (project.ends_on - project.starts_on).days)
        progress = min(0.9, max(0.05, (today - project.starts_on).days / span)) * 0.9
    elif planned.status == ProjectStatus.SUSPENDED:
        progress = 0.3
    else:
        progress = 0.0
    rows: list[ProjectReach] = []
    for age, share in (
        (BeneficiaryAge.CHILDREN, children),
        (BeneficiaryAge.ADULTS, adults),
        (BeneficiaryAge.ELDERLY, elderly),
    ):
        for sex, sex_share in (("f", 0.53), ("m", 0.47)):
            targeted = round(total * share * sex_share)
            if targeted:
                reached = round(targeted * progress)
                rows.append(
                    ProjectReach(
                        project=project, sex=sex, age_group=age, targeted=targeted, reached=reached
                    )
                )
    return rows


def _deliverables(project: Project, planned: PlannedProject, today: date) -> list[Deliverable]:
    assert project.ends_on is not None
    span = (project.ends_on - project.starts_on).days
    count = len(planned.deliverables)
    out: list[Deliverable] = []
    for n, description in enumerate(planned.deliverables):
        due = project.starts_on + timedelta(days=span * (n + 1) // count)
        status, delivered = DeliverableStatus.PENDING, None
        if planned.status == ProjectStatus.CANCELLED:
            status = DeliverableStatus.CANCELLED
        elif due < today and planned.status != ProjectStatus.SUSPENDED:
            late = planned.status == ProjectStatus.ONGOING and n == count - 2
            if not late:
                status = DeliverableStatus.DELIVERED
                delivered = min(today, due + timedelta(days=(n * 5) % 12 - 3))
        out.append(
            Deliverable(
                project=project,
                description=description,
                due_on=due,
                status=status,
                delivered_on=delivered,
                created_by=project.created_by,
            )
        )
    return out


def projects_ensure(
    *,
    mission: Mission,
    users: dict[str, User],
    places: list[DemoPlace],
    partners: dict[str, Partner],
    today: date,
) -> int:
    """Create the missing projects with their beneficiaries and deliverables."""
    from palava.places.models import AdminUnit

    officer = users.get(Role.OFFICER)
    known = set(Project.objects.filter(mission=mission).values_list("code", flat=True))
    agreements = {
        a.partner_id: a
        for a in Agreement.objects.filter(partner__mission=mission).order_by("starts_on")
    }
    chiefdoms = list(AdminUnit.objects.filter(mission=mission, level=3).order_by("pcode"))
    by_index = {p.index: p for p in places}
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data
    created = 0
    for planned in PROJECTS:
        fallback = rng.choice(chiefdoms) if chiefdoms else None
        extra = rng.sample(chiefdoms, min(2, len(chiefdoms)))
        if planned.code in known:
            continue
        place = by_index.get(PROJECT_PLACES.get(planned.code, -1))
        unit = place.unit if place is not None else fallback
        partner = partners.get(planned.partner)
        if unit is None:
            continue
        starts = today + timedelta(days=planned.start_days)
        project = Project(
            mission=mission,
            code=planned.code,
            title=f"{planned.title[:1].upper()}{planned.title[1:]}, {unit.name}",
            project_type=planned.project_type,
            sector=planned.sector,
            partner=partner,
            funder=partners.get(planned.funder) if planned.funder else None,
            admin_unit=unit,
            description=f"{planned.title[:1].upper()}{planned.title[1:]} in {unit.name}, "
            "selected with the community during a dialogue forum.",
            budget=Decimal(planned.budget),
            currency=planned.currency,
            starts_on=starts,
            ends_on=starts + timedelta(days=30 * planned.months),
            status=planned.status,
            agreement=agreements.get(partner.pk) if partner is not None else None,
            created_by=officer,
        )
        project.full_clean()
        project.save()
        if planned.project_type in ("peacebuilding", "cvr"):
            project.places.set([u for u in extra if u.pk != unit.pk])
        ProjectReach.objects.bulk_create(_reach(project, planned, today))
        for deliverable in _deliverables(project, planned, today):
            deliverable.full_clean()
            deliverable.save()
        created += 1
    return created
