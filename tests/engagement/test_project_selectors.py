"""Partner and project selectors: agreement states, filters, totals per currency, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from palava.engagement.models import Agreement, AgreementKind, PartnerType, ProjectStatus, Sector
from palava.engagement.partner_selectors import (
    PartnerFilters,
    agreement_state,
    organisations_available,
    partner_agreement_state,
    partner_list,
)
from palava.engagement.project_selectors import (
    ProjectFilters,
    project_list,
    project_reach_table,
    project_totals,
)
from palava.engagement.project_services import project_reach_set
from palava.missions.models import Mission, Role
from tests.engagement.helpers_partners import (
    organisation_make,
    partner_make,
    places_make,
    project_make,
    scoped_member,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("starts", "ends", "state"),
    [
        (dt.date(2026, 1, 1), None, "active"),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "active"),
        (dt.date(2026, 1, 1), dt.date(2026, 7, 31), "expiring"),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 1), "expiring"),
        (dt.date(2026, 1, 1), dt.date(2026, 5, 31), "expired"),
        (dt.date(2026, 6, 2), None, "not_started"),
    ],
)
def test_agreement_state(starts: dt.date, ends: dt.date | None, state: str) -> None:
    agreement = Agreement(kind=AgreementKind.MOU, title="x", starts_on=starts, ends_on=ends)
    assert agreement_state(agreement, TODAY) == state


def test_partner_state_is_the_best_of_its_agreements() -> None:
    expired = Agreement(starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 2, 1))
    future = Agreement(starts_on=dt.date(2027, 1, 1))
    current = Agreement(starts_on=dt.date(2026, 1, 1))
    assert partner_agreement_state([], TODAY) == "none"
    assert partner_agreement_state([expired, future], TODAY) == "not_started"
    assert partner_agreement_state([expired, future, current], TODAY) == "active"


def test_partner_list_filters_and_scope(mission: Mission) -> None:
    places = places_make(mission)
    north = partner_make(mission, "Amani Water", "AMW", PartnerType.NNGO, admin_unit=places.north)
    south = partner_make(mission, "Bukavu Women", "BW", PartnerType.CSO, admin_unit=places.south)
    runs_in_south = partner_make(mission, "Peace Fund", "PF", PartnerType.DONOR)
    project_make(mission, places.south_town, "S-1", partner=runs_in_south)
    gone = partner_make(mission, "Gone", "G", PartnerType.NNGO, admin_unit=places.south)
    gone.is_active = False
    gone.save()
    whole = MembershipFactory(mission=mission, role=Role.VIEWER)
    scoped = scoped_member(mission, Role.VIEWER, places.south)

    assert {p.acronym for p in partner_list(membership=whole)} == {"AMW", "BW", "PF", "G"}
    assert {p.acronym for p in partner_list(membership=scoped)} == {"BW", "PF", "G"}
    assert [
        p.acronym for p in partner_list(membership=whole, filters=PartnerFilters(query="amani"))
    ] == ["AMW"]
    assert [
        p.acronym
        for p in partner_list(membership=whole, filters=PartnerFilters(partner_type="cso"))
    ] == ["BW"]
    assert [
        p.acronym for p in partner_list(membership=whole, filters=PartnerFilters(active=False))
    ] == ["G"]
    counts = {p.acronym: getattr(p, "project_count", None) for p in partner_list(membership=whole)}
    assert counts["PF"] == 1
    assert north.pk
    assert south.pk


def test_strictly_confidential_organisation_is_not_visible_to_partners(mission: Mission) -> None:
    partner_make(mission, "Hidden", "H", sensitivity=3)
    reader = MembershipFactory(mission=mission, role=Role.PARTNER)
    assert list(partner_list(membership=reader)) == []


def test_organisations_available_excludes_partners_and_persons(mission: Mission) -> None:
    taken = partner_make(mission, "Taken")
    free = organisation_make(mission, "Free Org")
    member = MembershipFactory(mission=mission, role=Role.MANAGER)

    found = list(organisations_available(membership=member))

    assert free in found
    assert taken.actor not in found


def test_project_list_filters_place_with_descendants(mission: Mission) -> None:
    places = places_make(mission)
    partner = partner_make(mission, "Amani")
    project_make(mission, places.north_village, "V-1", sector=Sector.HEALTH)
    project_make(
        mission,
        places.south_town,
        "S-1",
        partner=partner,
        places=(places.north_town,),
        status=ProjectStatus.ONGOING,
    )
    project_make(mission, places.south, "S-2", title="School roof")
    member = MembershipFactory(mission=mission, role=Role.VIEWER)

    def codes(**kwargs: Any) -> list[str]:
        return sorted(
            p.code for p in project_list(membership=member, filters=ProjectFilters(**kwargs))
        )

    assert codes(place="CD10") == ["S-1", "V-1"]  # a village below, another place inside
    assert codes(place="CD20") == ["S-1", "S-2"]
    assert codes(place="NOPE") == []
    assert codes(sector="health") == ["V-1"]
    assert codes(status="ongoing") == ["S-1"]
    assert codes(partner=str(partner.public_id)) == ["S-1"]
    assert codes(partner="garbage") == []
    assert codes(query="roof") == ["S-2"]


def test_totals_never_add_different_currencies(mission: Mission) -> None:
    places = places_make(mission)
    one = project_make(mission, places.north, "A", budget="100.50", currency="USD")
    project_make(mission, places.north, "B", budget="200", currency="USD")
    project_make(mission, places.north, "C", budget="1000", currency="EUR")
    project_make(mission, places.north, "D")
    project_reach_set(
        actor=None, project=one, cells={("f", "adults"): (10, 7), ("m", "children"): (4, 9)}
    )
    member = MembershipFactory(mission=mission, role=Role.VIEWER)

    totals = project_totals(project_list(membership=member))

    assert totals.budget_by_currency == {"EUR": Decimal("1000"), "USD": Decimal("300.50")}
    assert totals.no_budget == 1
    assert totals.reached_by_sex == {"f": 7, "m": 9}
    assert (totals.targeted, totals.reached) == (14, 16)
    assert dict(totals.by_sector) == {"wash": 4}


def test_reach_table_has_every_cell_and_flags(mission: Mission) -> None:
    places = places_make(mission)
    project = project_make(mission, places.north, "A")
    project_reach_set(actor=None, project=project, cells={("f", "adults"): (3, 5)})

    table = project_reach_table(project=project)

    assert len(table.rows) == 3
    assert all(len(row.cells) == 3 for row in table.rows)
    assert [(c.sex, c.age_group) for c in table.over_target] == [("f", "adults")]
    assert not table.is_empty


def test_list_pages_use_a_bounded_number_of_queries(mission: Mission, client_for: Any) -> None:
    places = places_make(mission)
    member = MembershipFactory(mission=mission, role=Role.MANAGER)
    client = client_for(member.user)
    for n in range(3):
        partner = partner_make(mission, f"Org {n}")
        project_make(mission, places.north, f"P-{n}", partner=partner)
    url = reverse("projects:list", kwargs={"mission_slug": mission.slug})
    purl = reverse("partners:list", kwargs={"mission_slug": mission.slug})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        client.get(purl)
    for n in range(3, 12):
        partner = partner_make(mission, f"Org {n}")
        project_make(mission, places.north, f"P-{n}", partner=partner)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
        client.get(purl)

    assert len(many) == len(few)
