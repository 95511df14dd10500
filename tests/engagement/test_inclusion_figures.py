"""Acceptance: every inclusion figure equals a hand computation on the fixture of
``helpers_inclusion`` (read its docstring first: places, population and activities)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from fractions import Fraction

import pytest

from palava.engagement import inclusion as calc
from palava.engagement.inclusion_selectors import (
    inclusion_by_period,
    inclusion_by_place,
    inclusion_total,
    places_for,
)
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_inclusion import World, build_world

START = date(2026, 1, 1)
END = date(2026, 4, 30)


@pytest.fixture
def world(mission: Mission) -> World:
    return build_world(mission)


@pytest.fixture
def analyst(member_of: Callable[..., Membership]) -> Membership:
    return member_of(Role.ANALYST)


def _by_place(
    member: Membership, place: object = None, level: int | None = None
) -> dict[str, calc.Inclusion]:
    units = list(places_for(membership=member, place=place, level=level))  # type: ignore[arg-type]
    rows = inclusion_by_place(membership=member, units=units, start=START, end=END)
    return {row.unit.pcode: row.figures for row in rows}


def test_provinces_equal_hand_computations(world: World, analyst: Membership) -> None:
    # when the analyst reads the provinces (admin level 1) from January to April 2026
    rows = _by_place(analyst, level=1)
    assert list(rows) == ["ZC01", "ZC02", "ZC03"]

    # P1 = A1 + A2 + A3 (A4 is planned, A5 is before the period, A9 after it in mission time)
    p1 = rows["ZC01"]
    assert p1.attendance.total == 32 + 39 + 6 == 77
    assert p1.attendance.sex_unknown == 2
    assert p1.attendance.age_unknown == 2 + 4
    # women: female (12 + 5) + (8 + 4) + 6 = 35, male (10 + 3) + (20 + 7) = 40, sex x left out
    assert p1.women.participants.numerator == 35
    assert p1.women.participants.denominator == 35 + 40
    assert p1.women.participants.value == Fraction(7, 15)
    # youth: 18-35 = 12 + 10 + 7 + 6 = 35, known age bands = 30 + 35 + 6 = 71
    assert p1.youth.participants.value == Fraction(35, 71)
    # minority: 5 + 20 of 77 counted
    assert p1.minority.participants.value == Fraction(25, 77)
    # population: 2024 (T11's 2020 row ignored), level 2 = T11 + T12 (P1 has none of its own)
    #   female 200 + 100 + 50 + 10 + 300 = 660, male 180 + 100 + 70 + 10 + 280 = 640
    assert p1.population.year == 2024
    assert p1.women.population is not None
    assert p1.women.population.value == Fraction(660, 1300) == Fraction(33, 65)
    #   (each branch on its latest year: T11 2024, T12 2024)
    #   youth 18-35: 15-19 -> 2/5 of 200; 30-39 -> 6/10 of 120; 18-59 -> 18/42 of 580
    youth_people = Fraction(2, 5) * 200 + Fraction(6, 10) * 120 + Fraction(18, 42) * 580
    assert youth_people == Fraction(2804, 7)
    assert p1.youth.population is not None
    assert p1.youth.population.value == youth_people / 1300 == Fraction(701, 2275)
    # gaps in percentage points
    assert p1.women.gap_pp == (Fraction(7, 15) - Fraction(33, 65)) * 100 == Fraction(-160, 39)
    assert p1.youth.gap_pp == (Fraction(35, 71) - Fraction(701, 2275)) * 100
    assert p1.minority.population is None
    assert p1.minority.gap_pp is None
    # targets: women 50 % (46.7 % is below), youth 25 %, minority 10 %
    assert p1.women.below_target
    assert not p1.youth.below_target
    assert not p1.minority.below_target
    assert p1.flags == [calc.BELOW_TARGET]

    # P2 = A6 only (9 women, 21 men, all with a known age; no minority)
    p2 = rows["ZC02"]
    assert p2.attendance.total == 30
    assert p2.women.participants.value == Fraction(9, 30) == Fraction(3, 10)
    assert p2.youth.participants.value == Fraction(9, 30)
    assert p2.minority.participants.value == Fraction(0)
    # population: P2's own 2023 figures (not its child T21's, not 2019, not the "total" row)
    #   female 400 + 150 = 550 of 1000; youth: the 18-35 band whole, 150 + 50 = 200 of 1000
    assert p2.population.year == 2023
    assert p2.women.population is not None
    assert p2.women.population.value == Fraction(550, 1000)
    assert p2.youth.population is not None
    assert p2.youth.population.value == Fraction(200, 1000)
    assert p2.women.gap_pp == (Fraction(3, 10) - Fraction(11, 20)) * 100 == -25
    assert p2.youth.gap_pp == (Fraction(3, 10) - Fraction(1, 5)) * 100 == 10
    assert p2.women.below_target
    assert p2.minority.below_target
    assert not p2.youth.below_target
    assert p2.flags == [calc.BELOW_TARGET]

    # P3 = A7 only (A9 starts on 1 May in the mission's time zone); no population figures
    p3 = rows["ZC03"]
    assert p3.attendance.total == 10
    assert p3.women.participants.value == Fraction(4, 10)
    assert p3.youth.participants.value == Fraction(0, 10)
    assert p3.minority.participants.value == Fraction(4, 10)
    assert not p3.population.has_data
    assert p3.women.population is None
    assert p3.youth.population is None
    assert p3.women.gap_pp is None
    assert p3.women.below_target
    assert p3.youth.below_target
    assert not p3.minority.below_target
    assert p3.flags == [calc.SMALL, calc.BELOW_TARGET, calc.NO_POPULATION]


def test_children_of_a_place_and_its_total(world: World, analyst: Membership) -> None:
    # when the analyst opens P1: its children T11 and T12
    rows = _by_place(analyst, place=world.p1)
    assert list(rows) == ["ZC0101", "ZC0102"]
    t11, t12 = rows["ZC0101"], rows["ZC0102"]
    # T11 = A1: women 17 of 30, youth 22 of 30, minority 5 of 32
    assert t11.women.participants.value == Fraction(17, 30)
    assert t11.youth.participants.value == Fraction(22, 30)
    assert t11.minority.participants.value == Fraction(5, 32)
    # T11 population 2024: 360 women, 360 men; youth 80 + 72 = 152 of 720
    assert t11.women.population is not None
    assert t11.youth.population is not None
    assert t11.women.population.value == Fraction(1, 2)
    assert t11.youth.population.value == Fraction(152, 720) == Fraction(19, 90)
    assert t11.women.gap_pp == (Fraction(17, 30) - Fraction(1, 2)) * 100 == Fraction(20, 3)
    # T12 = A2: women 12 of 39, youth 7 of 35, minority 20 of 39; population 300 of 580
    assert t12.women.participants.value == Fraction(12, 39)
    assert t12.youth.participants.value == Fraction(7, 35)
    assert t12.minority.participants.value == Fraction(20, 39)
    assert t12.women.population is not None
    assert t12.youth.population is not None
    assert t12.women.population.value == Fraction(300, 580)
    assert t12.youth.population.value == Fraction(18, 42)
    # the place as a whole also counts A3, held at P1 itself
    total = inclusion_total(membership=analyst, place=world.p1, start=START, end=END)
    assert total.attendance.total == 77
    assert total.women.participants.value == Fraction(7, 15)


def test_other_places_taking_part_do_not_count_participants(
    world: World, analyst: Membership
) -> None:
    # A2 lists T21 as another place taking part; its people are counted at T12 only
    rows = _by_place(analyst, place=world.p2)
    t21 = rows["ZC0201"]
    assert t21.attendance.total == 0
    assert t21.women.participants.value is None
    assert t21.women.participants.denominator == 0
    assert t21.flags[0] == calc.NO_PARTICIPANTS
    # T21's own 2023 figures: 77 girls under 18 -> women 1, youth 0
    assert t21.women.population is not None
    assert t21.youth.population is not None
    assert t21.women.population.value == 1
    assert t21.youth.population.value == 0
    assert t21.women.gap_pp is None


def test_total_of_everything_visible(world: World, analyst: Membership) -> None:
    total = inclusion_total(membership=analyst, place=None, start=START, end=END)
    # A1 + A2 + A3 + A6 + A7 = 77 + 30 + 10; women 35 + 9 + 4 of 75 + 30 + 10
    assert total.attendance.total == 117
    assert total.women.participants.value == Fraction(48, 115)
    # population: C has none -> P1 (T11 + T12, 2024) + P2 (its own, 2023) + P3 (none)
    #   female 660 + 550 of 1300 + 1000; youth 2804/7 + 200 of 2300
    assert total.population.year == 2024
    assert total.women.population is not None
    assert total.women.population.value == Fraction(660 + 550, 2300) == Fraction(121, 230)
    assert total.youth.population is not None
    assert total.youth.population.value == (Fraction(2804, 7) + 200) / 2300
    assert total.youth.population.value == Fraction(1051, 4025)


def test_trend_by_month_and_quarter_uses_the_mission_time_zone(
    world: World, analyst: Membership
) -> None:
    months = inclusion_by_period(
        membership=analyst, place=world.p1, start=START, end=END, grain="month"
    )
    assert [p.start for p in months] == [date(2026, m, 1) for m in (1, 2, 3, 4)]
    totals = [p.figures.attendance.total for p in months]
    # January nothing, February A1, March A2, April A3 (22:30 UTC on 31 March = 1 April)
    assert totals == [0, 32, 39, 6]
    assert months[0].figures.women.participants.value is None
    assert months[1].figures.women.participants.value == Fraction(17, 30)
    assert months[3].figures.women.participants.value == Fraction(6, 6)
    # the population of P1 is the same in every period
    assert all(p.figures.population.year == 2024 for p in months)

    quarters = inclusion_by_period(
        membership=analyst, place=world.p1, start=START, end=END, grain="quarter"
    )
    assert [(p.start, p.figures.attendance.total) for p in quarters] == [
        (date(2026, 1, 1), 32 + 39),
        (date(2026, 4, 1), 6),
    ]


def test_figures_by_place_take_few_queries(
    world: World, analyst: Membership, django_assert_max_num_queries: Callable[..., object]
) -> None:
    units = list(places_for(membership=analyst, place=None, level=2))
    with django_assert_max_num_queries(6):  # type: ignore[attr-defined]
        inclusion_by_place(membership=analyst, units=units, start=START, end=END)


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("15-19", Fraction(2, 5)),
        ("30-39", Fraction(6, 10)),
        ("18-59", Fraction(18, 42)),
        ("0-4", Fraction(0)),
        ("80+", Fraction(0)),
        ("35-39", Fraction(1, 5)),
        ("total", None),
        ("19-15", None),
        ("", None),
    ],
)
def test_youth_part_of_population_bands(band: str, expected: Fraction | None) -> None:
    assert calc.youth_part(band, 18, 35) == expected


def test_open_band_is_80_to_99() -> None:
    assert calc.band_years("80+") == (80, 99)
    assert calc.youth_part("80+", 18, 90) == Fraction(11, 20)


def test_unreadable_bands_alone_still_give_the_women_share() -> None:
    rows = [("/A/", 1, 2024, "f", "total", 30), ("/A/", 1, 2024, "m", "total", 70)]
    found = calc.population_of(rows, youth_min=18, youth_max=35)
    assert found.women.value == Fraction(3, 10)
    assert found.youth_share.value is None


def test_each_branch_keeps_its_own_latest_year() -> None:
    rows = [
        ("/A/B/", 2, 2024, "f", "0-4", 10),
        ("/A/B/", 2, 2020, "f", "0-4", 99),
        ("/A/C/", 2, 2021, "m", "0-4", 30),
        ("/Z/", 1, 2024, "m", "0-4", 1000),
    ]
    found = calc.population_of(rows, root="/A/", youth_min=18, youth_max=35)
    # B gives its 2024 figures (not 2020), C its 2021 ones; Z is outside A
    assert found.year == 2024
    assert found.women.value == Fraction(10, 10 + 30)
    assert found.youth_share.value == 0
