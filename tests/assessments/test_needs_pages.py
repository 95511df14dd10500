"""Needs register pages through the test client: the register and its empty state, recording
each method in two steps, an exercise's page (notes only for staff who read answers),
deleting, a round's ranking question, permissions and geographic scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from palava.assessments import ranking
from palava.assessments.models import RankingExercise, Round, Submission, SubmissionSource
from palava.assessments.needs_services import exercise_record
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set
from tests.assessments.helpers_forms import form_from_xlsform
from tests.assessments.test_needs_services import RANK_FORM
from tests.factories import AdminUnitFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MakeClient = Callable[[object], Client]
TODAY = timezone.localdate()


def base(mission: Mission) -> str:
    return f"/m/{mission.slug}/needs/"


def client_with(mission: Mission, client_for: MakeClient, role: str) -> Client:
    member: Membership = MembershipFactory(mission=mission, role=role)
    return client_for(member.user)


@pytest.fixture
def manager(mission: Mission, client_for: MakeClient) -> Client:
    return client_with(mission, client_for, Role.MANAGER)


@pytest.fixture
def place(mission: Mission) -> AdminUnit:
    return AdminUnitFactory(mission=mission, level=1, name="Kibumba", pcode="CD2001")


def exercise(mission: Mission, place: AdminUnit, **kwargs: Any) -> RankingExercise:
    values: dict[str, Any] = {
        "held_on": TODAY,
        "method": "pairwise",
        "items": ["water", "food", "health"],
        "inputs": {"pairs": [["water", "food", "water"], ["water", "health", "water"]]},
        "group": "Women",
        "participants": 12,
        "notes": "Secret facilitator remark",
    }
    values.update(kwargs)
    return exercise_record(actor=None, mission=mission, admin_unit=place, **values)


def test_empty_register_explains_how_to_record(mission: Mission, manager: Client) -> None:
    body = manager.get(base(mission)).content.decode()

    assert "No ranked needs yet." in body
    assert f'href="{base(mission)}exercises/new/"' in body


def test_register_lists_places_with_trend_and_charts(
    mission: Mission, manager: Client, place: AdminUnit
) -> None:
    exercise(mission, place, held_on=TODAY - dt.timedelta(days=120))
    exercise(
        mission,
        place,
        method="piling",
        items=["water", "food", "health"],
        inputs={"counters": {"health": 5, "water": 3, "food": 2}},
    )

    body = manager.get(base(mission)).content.decode()

    assert "Kibumba" in body
    assert 'data-need="health" data-trend="up"' in body
    assert "▲ 2" in body
    assert 'data-need="water" data-trend="down"' in body
    assert body.count('<svg class="chart') == 2
    assert 'data-weighting="equal"' in body
    assert "Secret facilitator remark" not in body


def test_register_filters(mission: Mission, manager: Client, place: AdminUnit) -> None:
    other = AdminUnitFactory(mission=mission, level=1, name="Rutshuru", pcode="CD2002")
    exercise(mission, place)
    exercise(mission, other)

    body = manager.get(base(mission), {"province": "CD2002"}).content.decode()
    assert "Rutshuru" in body.split("Top needs by place")[1]
    assert "Kibumba</a>" not in body

    body = manager.get(base(mission), {"level": "3"}).content.decode()
    assert "No place matches these filters." in body


def test_partner_sees_register_without_notes_but_cannot_record(
    mission: Mission, client_for: MakeClient, place: AdminUnit
) -> None:
    partner = client_with(mission, client_for, Role.PARTNER)
    done = exercise(mission, place)

    assert partner.get(base(mission)).status_code == 200
    assert partner.get(f"{base(mission)}place/{place.public_id}/").status_code == 200
    detail = partner.get(f"{base(mission)}exercises/{done.public_id}/")
    assert detail.status_code == 200
    assert "Secret facilitator remark" not in detail.content.decode()
    assert "Record a ranking exercise" not in partner.get(base(mission)).content.decode()
    assert partner.get(f"{base(mission)}exercises/new/").status_code == 403
    assert partner.post(f"{base(mission)}exercises/{done.public_id}/delete/").status_code == 403
    assert partner.post(f"{base(mission)}from-round/").status_code == 403


def test_exercise_page_shows_scores_matrix_and_notes_to_staff(
    mission: Mission, manager: Client, place: AdminUnit
) -> None:
    done = exercise(mission, place)

    body = manager.get(f"{base(mission)}exercises/{done.public_id}/").content.decode()

    assert "Secret facilitator remark" in body
    assert "Pairwise ranking matrix" in body
    assert 'data-need="water"' in body
    assert "100 %" in body  # water won both of its pairs, the others none
    # The upper triangle of 3 needs: rows water and food, columns food and health.
    assert body.count('<td class="muted">·</td>') == 1
    assert body.count("<td>Water</td>") == 2


def test_record_pairwise_in_two_steps(mission: Mission, manager: Client, place: AdminUnit) -> None:
    setup = {
        "place": "CD2001",
        "held_on": TODAY.isoformat(),
        "method": "pairwise",
        "needs": ["water", "health"],
        "other_1": "Market access",
    }
    step2 = manager.get(f"{base(mission)}exercises/new/", setup)
    body = step2.content.decode()
    assert step2.status_code == 200
    assert 'name="pair-0-1"' in body
    assert 'name="pair-1-2"' in body
    assert 'name="pair-1-0"' not in body
    assert "Market access" in body

    response = manager.post(
        f"{base(mission)}exercises/new/",
        {
            **setup,
            "pair-0-1": "health",
            "pair-0-2": "custom_market_access",
            "pair-1-2": "health",
            "group": "Youth",
            "participants": "9",
            "notes": "",
        },
    )

    saved = RankingExercise.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{base(mission)}exercises/{saved.public_id}/"
    assert saved.items == ["water", "health", "custom_market_access"]
    assert saved.inputs["labels"] == {"custom_market_access": "Market access"}
    assert saved.scores == pytest.approx(
        {"health": 2 / 3, "custom_market_access": 1 / 3, "water": 0}
    )
    assert (saved.group, saved.participants) == ("Youth", 9)


def test_record_borda_refuses_ranks_that_are_not_a_permutation(
    mission: Mission, manager: Client, place: AdminUnit
) -> None:
    setup = {
        "place": "Kibumba",
        "held_on": TODAY.isoformat(),
        "method": "borda",
        "needs": ["water", "food", "health"],
    }
    url = f"{base(mission)}exercises/new/"

    bad = manager.post(url, {**setup, "rank-water": "1", "rank-food": "1", "rank-health": "3"})
    assert bad.status_code == 400
    assert "exactly once" in bad.content.decode()
    assert 'value="1"' in bad.content.decode()
    assert not RankingExercise.objects.exists()

    good = manager.post(url, {**setup, "rank-water": "2", "rank-food": "3", "rank-health": "1"})
    assert good.status_code == 302
    expected = ranking.normalise(
        ranking.borda([["health", "water", "food"]], ["water", "food", "health"])
    )
    assert RankingExercise.objects.get().scores == pytest.approx(expected)


def test_record_piling_refuses_negative_counters(
    mission: Mission, manager: Client, place: AdminUnit
) -> None:
    setup = {
        "place": "CD2001",
        "held_on": TODAY.isoformat(),
        "method": "piling",
        "needs": ["water", "food"],
    }
    url = f"{base(mission)}exercises/new/"

    bad = manager.post(url, {**setup, "count-water": "-3", "count-food": "5"})
    assert bad.status_code == 400
    assert "zero or more" in bad.content.decode()

    good = manager.post(url, {**setup, "count-water": "6", "count-food": "4"})
    assert good.status_code == 302
    assert RankingExercise.objects.get().scores == pytest.approx({"water": 0.6, "food": 0.4})


def test_setup_step_errors(mission: Mission, manager: Client, place: AdminUnit) -> None:
    url = f"{base(mission)}exercises/new/"
    response = manager.get(
        url, {"place": "Nowhere", "held_on": TODAY.isoformat(), "method": "piling", "needs": []}
    )
    body = response.content.decode()
    assert "No admin unit in your area" in body
    assert "Choose between 2 and 15 needs." in body
    assert manager.get(url, {"place": "CD2001"}).status_code == 200


def test_scoped_member_sees_and_records_only_in_scope(
    mission: Mission, client_for: MakeClient, place: AdminUnit
) -> None:
    other = AdminUnitFactory(mission=mission, level=1, name="Rutshuru", pcode="CD2002")
    theirs = exercise(mission, other)
    exercise(mission, place)
    member: Membership = MembershipFactory(mission=mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=member, units=[place])
    client = client_for(member.user)

    body = client.get(base(mission)).content.decode()
    assert "Kibumba" in body
    assert "Rutshuru" not in body
    assert client.get(f"{base(mission)}place/{other.public_id}/").status_code == 404
    assert client.get(f"{base(mission)}exercises/{theirs.public_id}/").status_code == 404
    assert client.post(f"{base(mission)}exercises/{theirs.public_id}/delete/").status_code == 404
    refused = client.get(
        f"{base(mission)}exercises/new/",
        {
            "place": "CD2002",
            "held_on": TODAY.isoformat(),
            "method": "piling",
            "needs": ["water", "food"],
        },
    )
    assert "No admin unit in your area" in refused.content.decode()


def test_delete_returns_to_the_place(mission: Mission, manager: Client, place: AdminUnit) -> None:
    done = exercise(mission, place)

    response = manager.post(f"{base(mission)}exercises/{done.public_id}/delete/")

    assert response.status_code == 302
    assert response["Location"] == f"{base(mission)}place/{place.public_id}/"
    assert not RankingExercise.objects.exists()
    assert manager.get(f"{base(mission)}exercises/{done.public_id}/delete/").status_code == 405


def test_place_page_history_and_exercises(
    mission: Mission, manager: Client, place: AdminUnit
) -> None:
    exercise(mission, place, held_on=TODAY - dt.timedelta(days=100), group="Elders")
    exercise(mission, place, group="Youth")

    body = manager.get(f"{base(mission)}place/{place.public_id}/").content.decode()

    assert "chart-needs-history" in body
    assert "Elders" in body
    assert "Youth" in body
    assert "Secret facilitator remark" not in body


def test_from_round_ranks_needs(mission: Mission, manager: Client, place: AdminUnit) -> None:
    form = form_from_xlsform(mission=mission, source=RANK_FORM, form_id="needs_survey")
    rnd = Round.objects.create(
        mission=mission,
        form=form,
        series="perception",
        number=1,
        name="Round one",
        starts_on=TODAY - dt.timedelta(days=5),
        ends_on=TODAY,
    )
    Submission.objects.create(
        mission=mission,
        form=form,
        instance_id="uuid:a",
        source=SubmissionSource.OPENROSA,
        data={"needs/top_needs": "water health food"},
        received_at=timezone.now(),
        admin_unit=place,
        round=rnd,
    )
    register = manager.get(base(mission)).content.decode()
    value = f"{rnd.public_id}|needs/top_needs"
    assert f'value="{value}"' in register

    response = manager.post(f"{base(mission)}from-round/", {"source": value}, follow=True)

    assert "1 place now has the needs ranked in Round one." in response.content.decode()
    saved = RankingExercise.objects.get()
    assert saved.method == "rank"
    assert saved.round == rnd
    assert saved.scores == pytest.approx({"water": 2 / 3, "health": 1 / 3, "food": 0.0})
    bad = manager.post(f"{base(mission)}from-round/", {"source": "nope"}, follow=True)
    assert "Choose a round and its ranking question." in bad.content.decode()


def test_register_query_count_does_not_grow_with_places(
    mission: Mission, manager: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        unit = AdminUnitFactory(mission=mission, level=1)
        exercise(mission, unit, notes=f"n{n}")

    with django_assert_max_num_queries(14):
        assert manager.get(base(mission)).status_code == 200


def test_change_link_returns_to_step_one_filled(
    mission: Mission, manager: Client, place: AdminUnit
) -> None:
    setup = {
        "place": "CD2001",
        "held_on": TODAY.isoformat(),
        "method": "borda",
        "needs": ["water", "roads"],
        "other_1": "Firewood",
    }
    step2 = manager.get(f"{base(mission)}exercises/new/", setup).content.decode()
    assert "&amp;back=1" in step2

    body = manager.get(f"{base(mission)}exercises/new/", {**setup, "back": "1"}).content.decode()

    assert "Step 1 of 2" in body
    assert 'value="CD2001"' in body
    assert 'value="Firewood"' in body
    assert 'value="roads" id="id_needs_7" checked' in body
    assert manager.get(f"{base(mission)}place/{mission.public_id}/").status_code == 404
