"""Coverage states with time travel, on the fixture of ``helpers_inclusion``.

Held activities reaching the level-2 places: T11 on 10 February (A1; A5 on 31 December; A6 on
20 January as another place taking part; A4 on 20 February is only planned), T12 on 15 March
(A2), T21 on 15 March (A2, as another place taking part), T31 never.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import time_machine

from palava.engagement import inclusion as calc
from palava.engagement.inclusion_selectors import coverage_counts, coverage_for, places_for
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_inclusion import World, build_world


@pytest.fixture
def world(mission: Mission) -> World:
    return build_world(mission)


@pytest.fixture
def analyst(member_of: Callable[..., Membership]) -> Membership:
    return member_of(Role.ANALYST)


def _states(member: Membership, days: int, level: int = 2) -> dict[str, tuple[str, date | None]]:
    units = list(places_for(membership=member, place=None, level=level))
    return {
        row.unit.pcode: (row.state, row.last)
        for row in coverage_for(membership=member, units=units, days=days)
    }


def test_coverage_counts_main_and_other_places(world: World, analyst: Membership) -> None:
    with time_machine.travel(datetime(2026, 5, 10, 12, tzinfo=UTC), tick=False):
        # 90 days before 10 May is 9 February
        assert _states(analyst, 90) == {
            "ZC0101": (calc.RECENT, date(2026, 2, 10)),
            "ZC0102": (calc.RECENT, date(2026, 3, 15)),
            "ZC0201": (calc.RECENT, date(2026, 3, 15)),
            "ZC0301": (calc.NEVER, None),
        }
        # 85 days before is 14 February: T11's last held activity is older (A4 is planned)
        states = _states(analyst, 85)
        assert states["ZC0101"] == (calc.EARLIER, date(2026, 2, 10))
        assert states["ZC0102"][0] == calc.RECENT


def test_coverage_window_edge_is_inclusive(world: World, analyst: Membership) -> None:
    # 13 June - 90 days = 15 March: T12 still recent that day, earlier the next
    with time_machine.travel(datetime(2026, 6, 13, 12, tzinfo=UTC), tick=False):
        assert _states(analyst, 90)["ZC0102"][0] == calc.RECENT
    with time_machine.travel(datetime(2026, 6, 14, 12, tzinfo=UTC), tick=False):
        states = _states(analyst, 90)
        assert states["ZC0102"][0] == calc.EARLIER
        assert states["ZC0101"][0] == calc.EARLIER


def test_activities_starting_later_do_not_count_yet(world: World, analyst: Membership) -> None:
    # on 11 February, A2 (15 March) has not started even though it is marked held
    with time_machine.travel(datetime(2026, 2, 11, 12, tzinfo=UTC), tick=False):
        states = _states(analyst, 90)
        assert states["ZC0101"] == (calc.RECENT, date(2026, 2, 10))
        assert states["ZC0102"] == (calc.NEVER, None)
        assert states["ZC0201"] == (calc.NEVER, None)


def test_coverage_dates_are_in_the_mission_time_zone(world: World, analyst: Membership) -> None:
    with time_machine.travel(datetime(2026, 5, 10, 12, tzinfo=UTC), tick=False):
        states = _states(analyst, 90, level=1)
        # A3 started 22:30 UTC on 31 March = 1 April in Lubumbashi; A9 30 April -> 1 May
        assert states["ZC01"] == (calc.RECENT, date(2026, 4, 1))
        assert states["ZC03"] == (calc.RECENT, date(2026, 5, 1))
        rows = coverage_for(
            membership=analyst,
            units=list(places_for(membership=analyst, place=None, level=2)),
            days=90,
        )
        assert coverage_counts(rows) == {calc.RECENT: 3, calc.EARLIER: 0, calc.NEVER: 1}
