"""The needs register's reads: combining a quarter's exercises, rank trend against the previous
quarter, a place's history, geographic scope and population-weighted mission-wide needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from palava.assessments.needs_selectors import (
    combine,
    mission_needs,
    needs_register,
    place_needs,
    population_totals,
)
from palava.assessments.needs_services import exercise_record
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set, population_set
from tests.factories import AdminUnitFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(mission: Mission) -> Membership:
    return MembershipFactory(mission=mission, role=Role.MANAGER)


def unit(mission: Mission, **kwargs: Any) -> AdminUnit:
    kwargs.setdefault("level", 1)
    return AdminUnitFactory(mission=mission, **kwargs)


def piling(
    mission: Mission, place: AdminUnit, day: dt.date, counters: dict[str, int], **kw: Any
) -> Any:
    return exercise_record(
        actor=None,
        mission=mission,
        admin_unit=place,
        held_on=day,
        method="piling",
        items=list(counters),
        inputs={"counters": counters},
        **kw,
    )


def test_trend_across_two_quarters(mission: Mission, staff: Membership) -> None:
    place = unit(mission, name="Kibumba")
    piling(mission, place, dt.date(2026, 1, 15), {"water": 50, "food": 30, "health": 20})
    piling(
        mission, place, dt.date(2026, 4, 3), {"health": 40, "water": 30, "food": 10, "roads": 20}
    )

    [row] = needs_register(mission=mission, membership=staff)

    assert row.latest.period.label == "Q2 2026"
    assert row.previous is not None
    assert row.previous.period.label == "Q1 2026"
    by_code = {n.code: n for n in row.latest.needs}
    assert [n.code for n in row.latest.needs] == ["health", "water", "roads", "food"]
    assert (by_code["health"].trend, by_code["health"].moved) == ("up", 2)
    assert (by_code["water"].trend, by_code["water"].moved) == ("down", 1)
    assert by_code["roads"].trend == "new"
    assert (by_code["food"].trend, by_code["food"].moved) == ("down", 2)
    assert by_code["health"].score_change == pytest.approx(0.4 - 0.2)
    assert by_code["health"].change_points == 20
    assert by_code["roads"].score_change is None
    assert [n.code for n in row.top] == ["health", "water", "roads", "food"]


def test_first_quarter_has_nothing_to_compare_and_same_rank_is_same(
    mission: Mission, staff: Membership
) -> None:
    place = unit(mission)
    piling(mission, place, dt.date(2025, 11, 1), {"water": 5, "food": 1})

    [row] = needs_register(mission=mission, membership=staff)
    assert row.previous is None
    assert {n.trend for n in row.latest.needs} == {""}

    piling(mission, place, dt.date(2026, 1, 2), {"water": 3, "food": 2})
    [row] = needs_register(mission=mission, membership=staff)
    assert [n.trend for n in row.latest.needs] == ["same", "same"]


def test_exercises_of_a_quarter_are_weighted_by_participants(
    mission: Mission, staff: Membership
) -> None:
    place = unit(mission)
    women = piling(mission, place, dt.date(2026, 5, 1), {"water": 1, "food": 0}, participants=30)
    youth = piling(mission, place, dt.date(2026, 6, 1), {"food": 1, "security": 0}, participants=10)
    elders = piling(mission, place, dt.date(2026, 6, 2), {"food": 1, "water": 0})

    scores = combine([women, youth, elders])

    assert scores == pytest.approx({"water": 30 / 41, "food": 11 / 41, "security": 0.0})
    [row] = needs_register(mission=mission, membership=staff)
    assert [n.code for n in row.latest.needs] == ["water", "food", "security"]
    assert len(row.latest.exercises) == 3
    assert row.latest.participants == 40


def test_place_history_per_quarter(mission: Mission, staff: Membership) -> None:
    place = unit(mission)
    piling(mission, place, dt.date(2025, 12, 1), {"water": 3, "food": 1})
    piling(mission, place, dt.date(2026, 2, 1), {"food": 3, "water": 1})
    exercise_record(
        actor=None,
        mission=mission,
        admin_unit=place,
        held_on=dt.date(2026, 2, 5),
        method="borda",
        items=["water", "custom_fuel"],
        inputs={"rankings": [["custom_fuel", "water"]], "labels": {"custom_fuel": "Firewood"}},
    )

    history = place_needs(mission=mission, membership=staff, admin_unit=place)

    assert [p.period.label for p in history.periods] == ["Q4 2025", "Q1 2026"]
    assert len(history.exercises) == 3
    assert history.exercises[0].held_on == dt.date(2026, 2, 5)
    assert history.codes[0] == "custom_fuel"
    assert history.labels["custom_fuel"] == "Firewood"
    assert history.periods[0].score_of("custom_fuel") is None
    assert history.periods[1].score_of("custom_fuel") == pytest.approx(0.5)


def test_scope_limits_the_register(mission: Mission) -> None:
    north, south = unit(mission, name="North"), unit(mission, name="South")
    inside = unit(mission, parent=north, level=2, name="North territory")
    for place in (north, south, inside):
        piling(mission, place, dt.date(2026, 3, 1), {"water": 2, "food": 1})
    member: Membership = MembershipFactory(mission=mission, role=Role.PARTNER)
    membership_scope_set(actor=None, membership=member, units=[north])

    rows = needs_register(mission=mission, membership=member)

    assert {r.unit.name for r in rows} == {"North", "North territory"}
    assert place_needs(mission=mission, membership=member, admin_unit=south).exercises == []


def test_register_filters_by_province_and_level(mission: Mission, staff: Membership) -> None:
    north, south = unit(mission, name="North"), unit(mission, name="South")
    inside = unit(mission, parent=north, level=2, name="North territory")
    for place in (north, south, inside):
        piling(mission, place, dt.date(2026, 3, 1), {"water": 2, "food": 1})

    by_province = needs_register(mission=mission, membership=staff, province=north)
    by_level = needs_register(mission=mission, membership=staff, level=2)

    assert {r.unit.name for r in by_province} == {"North", "North territory"}
    assert [r.unit.name for r in by_level] == ["North territory"]


def test_mission_needs_are_population_weighted(mission: Mission, staff: Membership) -> None:
    big, small = unit(mission, name="Big"), unit(mission, name="Small")
    piling(mission, big, dt.date(2026, 3, 1), {"water": 1, "food": 0})
    piling(mission, small, dt.date(2026, 3, 1), {"water": 0, "food": 1})
    population_set(actor=None, unit=big, year=2020, sex="f", age_band="18-59", count=1)
    population_set(actor=None, unit=big, year=2024, sex="f", age_band="18-59", count=5000)
    population_set(actor=None, unit=big, year=2024, sex="m", age_band="18-59", count=4000)
    population_set(actor=None, unit=small, year=2024, sex="f", age_band="18-59", count=1000)

    assert population_totals([big.pk, small.pk]) == {big.pk: 9000, small.pk: 1000}
    overall = mission_needs(needs_register(mission=mission, membership=staff))

    assert overall.weighted
    assert [(n.code, n.percent) for n in overall.needs] == [("water", 90), ("food", 10)]


def test_mission_needs_fall_back_to_equal_weights(mission: Mission, staff: Membership) -> None:
    big, small = unit(mission), unit(mission)
    piling(mission, big, dt.date(2026, 3, 1), {"water": 1, "food": 0})
    piling(mission, small, dt.date(2026, 3, 1), {"water": 0, "food": 3})
    population_set(actor=None, unit=big, year=2024, sex="f", age_band="18-59", count=9000)

    overall = mission_needs(needs_register(mission=mission, membership=staff))

    assert not overall.weighted
    assert overall.without_population == 1
    assert [(n.code, n.percent) for n in overall.needs] == [("food", 50), ("water", 50)]
    assert mission_needs([]).needs == []
