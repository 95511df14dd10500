"""Case metrics (selectors): medians and p90s computed by hand, informed share, SLA breaches,
grouping by place, category, type, week and month, filters, scope and the restricted rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from palava.feedback.cases.metrics import (
    GROUP_CATEGORY,
    GROUP_MONTH,
    GROUP_PLACE,
    GROUP_TYPE,
    GROUP_WEEK,
    NONE_KEY,
    MetricsFilters,
    case_metrics,
    percentile,
)
from palava.feedback.models import Case, CaseStatus, CaseType
from palava.missions.models import Role
from tests.factories import MissionFactory
from tests.feedback.helpers_cases import make_case, minutes
from tests.feedback.helpers_inbox import Geo, categories, make_geo, member_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def geo():  # type: ignore[no-untyped-def]
    mission = MissionFactory(time_zone="Africa/Kinshasa")  # UTC+1, no daylight saving
    return make_geo(mission)


def _ten_cases(geo: Geo, **kwargs: Any) -> list[Case]:
    """Acknowledged after 1..10 minutes, responded after 10..100 minutes."""
    return [
        make_case(
            geo.mission,
            opened_at=MONDAY,
            unit=geo.north_town,
            ack_after=minutes(i),
            respond_after=minutes(10 * i),
            **kwargs,
        )
        for i in range(1, 11)
    ]


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5) == pytest.approx(5.5)
    assert percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 0.9) == pytest.approx(9.1)
    assert percentile([1, 100], 0.9) == pytest.approx(90.1)


def test_median_and_p90_of_acknowledge_and_response_times(geo) -> None:  # type: ignore[no-untyped-def]
    _ten_cases(geo)
    make_case(geo.mission, opened_at=MONDAY, unit=geo.north_town)  # still new: not measured
    manager = member_in(geo.mission, Role.MANAGER)

    totals = case_metrics(membership=manager, now=NOW).totals

    assert totals.cases == 11
    assert (totals.acknowledged, totals.responded) == (10, 10)
    assert totals.ack_median == pytest.approx(5.5 * 60)
    assert totals.ack_p90 == pytest.approx(9.1 * 60)
    assert totals.respond_median == pytest.approx(55 * 60)
    assert totals.respond_p90 == pytest.approx(91 * 60)


def test_sla_breaches_late_missing_and_stopped_clocks(geo) -> None:  # type: ignore[no-untyped-def]
    m = geo.mission
    make_case(m, opened_at=MONDAY, ack_after=minutes(20), respond_after=minutes(60))  # ack late
    make_case(m, opened_at=MONDAY, ack_after=minutes(5), respond_after=minutes(150))  # resp late
    make_case(m, opened_at=NOW - minutes(30))  # never acknowledged, both overdue now? ack only
    make_case(m, opened_at=NOW - minutes(5))  # nothing due yet
    make_case(m, opened_at=MONDAY, ack_after=minutes(3), unfounded_after=minutes(30))  # stopped
    # found unfounded in time, closed much later: the clock stopped at the decision
    make_case(
        m, opened_at=MONDAY, ack_after=minutes(3), unfounded_after=minutes(30),
        closed_after=minutes(300),
    )  # fmt: skip
    # found unfounded only after the response was due, then closed: late
    make_case(
        m, opened_at=MONDAY, ack_after=minutes(3), unfounded_after=minutes(150),
        closed_after=minutes(200),
    )  # fmt: skip
    manager = member_in(m, Role.MANAGER)

    totals = case_metrics(membership=manager, now=NOW).totals

    assert totals.cases == 7
    assert totals.ack_breaches == 2  # 20 min, and the open one 30 min old
    assert totals.respond_breaches == 2  # answered at 150 min, unfounded at 150 min
    assert totals.breached == 4
    assert totals.breach_rate == pytest.approx(4 / 7)


def test_informed_share_counts_finished_cases_only(geo) -> None:  # type: ignore[no-untyped-def]
    m = geo.mission
    base: dict[str, Any] = {
        "opened_at": MONDAY,
        "ack_after": minutes(2),
        "respond_after": minutes(30),
    }
    make_case(m, **base, resolve_after=minutes(60), informed_after=minutes(90))
    make_case(
        m, **base, resolve_after=minutes(60), informed_after=minutes(90), closed_after=minutes(95)
    )
    make_case(m, **base, resolve_after=minutes(60), closed_after=minutes(70))  # not informed
    make_case(m, opened_at=MONDAY, ack_after=minutes(2), unfounded_after=minutes(9))  # not yet
    # Informed early by a reply, but still open: not counted until finished.
    make_case(m, opened_at=MONDAY, ack_after=minutes(2), informed_after=minutes(5),
              status=CaseStatus.ACKNOWLEDGED)  # fmt: skip
    manager = member_in(m, Role.MANAGER)

    totals = case_metrics(membership=manager, now=NOW).totals

    assert (totals.finished, totals.informed) == (4, 2)
    assert totals.informed_share == pytest.approx(0.5)


def test_no_cases_give_empty_figures(geo) -> None:  # type: ignore[no-untyped-def]
    metrics = case_metrics(membership=member_in(geo.mission, Role.ANALYST), now=NOW)
    assert metrics.totals.cases == 0
    assert metrics.totals.ack_median is None
    assert metrics.totals.informed_share is None
    assert metrics.totals.breach_rate is None
    assert metrics.groups == []


def test_groups_by_place_at_the_chosen_level(geo) -> None:  # type: ignore[no-untyped-def]
    m = geo.mission
    make_case(m, opened_at=MONDAY, unit=geo.north_town, ack_after=minutes(4))
    make_case(m, opened_at=MONDAY, unit=geo.north, ack_after=minutes(8))
    make_case(m, opened_at=MONDAY, unit=geo.south_town, ack_after=minutes(1))
    make_case(m, opened_at=MONDAY, ack_after=minutes(30))  # not placed
    manager = member_in(m, Role.MANAGER)

    by_province = case_metrics(
        membership=manager, filters=MetricsFilters(group_by=GROUP_PLACE, level=1), now=NOW
    ).groups
    by_territory = case_metrics(
        membership=manager, filters=MetricsFilters(group_by=GROUP_PLACE, level=2), now=NOW
    ).groups

    assert [(g.key, g.label, g.figures.cases) for g in by_province] == [
        ("CD10", "Nord", 2),
        ("CD20", "Sud", 1),
        (NONE_KEY, "Not placed", 1),
    ]
    assert by_province[0].figures.ack_median == pytest.approx(6 * 60)
    # At level 2 a case placed only at province level stays at its province.
    assert sorted((g.key, g.figures.cases) for g in by_territory) == [
        ("CD10", 1),
        ("CD1001", 1),
        ("CD2001", 1),
        (NONE_KEY, 1),
    ]


def test_groups_by_top_category_and_by_type(geo) -> None:  # type: ignore[no-untyped-def]
    m = geo.mission
    cats = categories(m)
    water = next(c for c in cats.values() if c.parent is not None and c.code == "need_water")
    assert water.parent is not None
    make_case(m, opened_at=MONDAY, category=cats["security_threat"], ack_after=minutes(2))
    make_case(m, opened_at=MONDAY, category=cats["security_threat"], ack_after=minutes(4))
    make_case(m, opened_at=MONDAY, category=water, case_type=CaseType.REQUEST)
    make_case(m, opened_at=MONDAY, case_type=CaseType.FEEDBACK)
    manager = member_in(m, Role.MANAGER)

    by_category = case_metrics(
        membership=manager, filters=MetricsFilters(group_by=GROUP_CATEGORY), now=NOW
    ).groups
    by_type = case_metrics(
        membership=manager, filters=MetricsFilters(group_by=GROUP_TYPE), now=NOW
    ).groups

    assert [(g.key, g.figures.cases) for g in by_category] == [
        ("security_threat", 2),
        (water.parent.code, 1),  # a sub-category counts in its parent
        (NONE_KEY, 1),
    ]
    assert by_category[0].figures.ack_median == pytest.approx(3 * 60)
    assert [(g.key, g.label, g.figures.cases) for g in by_type] == [
        ("alert", "Alert", 2),
        ("request", "Request", 1),
        ("feedback", "Feedback", 1),
    ]


def test_groups_by_week_and_month_in_the_mission_time_zone(geo) -> None:  # type: ignore[no-untyped-def]
    m = geo.mission
    # Sunday 1 March 23:30 UTC is Monday 2 March 00:30 in Kinshasa: the week of 2 March.
    make_case(m, opened_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    make_case(m, opened_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # Sunday 23:30 local
    make_case(m, opened_at=datetime(2026, 2, 28, 23, 30, tzinfo=UTC))  # 1 March local
    make_case(m, opened_at=datetime(2026, 2, 28, 22, 30, tzinfo=UTC))  # 28 Feb local
    manager = member_in(m, Role.MANAGER)

    weeks = case_metrics(
        membership=manager, filters=MetricsFilters(group_by=GROUP_WEEK), now=NOW
    ).groups
    months = case_metrics(
        membership=manager, filters=MetricsFilters(group_by=GROUP_MONTH), now=NOW
    ).groups

    assert [(g.key, g.figures.cases) for g in weeks] == [("2026-02-23", 3), ("2026-03-02", 1)]
    assert weeks[1].label == "Week of 2 Mar 2026"
    assert [(g.key, g.label, g.figures.cases) for g in months] == [
        ("2026-02-01", "February 2026", 1),
        ("2026-03-01", "March 2026", 3),
    ]


def test_filters_period_place_category_type_urgency(geo) -> None:  # type: ignore[no-untyped-def]
    m = geo.mission
    cats = categories(m)
    make_case(m, opened_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC), unit=geo.north_town,
              category=cats["security_threat"], urgency="urgent")  # fmt: skip
    make_case(m, opened_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC), unit=geo.south_town,
              case_type=CaseType.COMPLAINT)  # fmt: skip
    manager = member_in(m, Role.MANAGER)

    def count(**kwargs: object) -> int:
        return case_metrics(
            membership=manager,
            filters=MetricsFilters(**kwargs),  # type: ignore[arg-type]
            now=NOW,
        ).totals.cases

    assert count() == 2
    assert count(since=date(2026, 3, 2)) == 1  # local days
    assert count(until=date(2026, 3, 1)) == 1
    assert count(place="CD10") == 1
    assert count(place="XX99") == 0
    assert count(category="security_threat") == 1
    assert count(case_type=CaseType.COMPLAINT) == 1
    assert count(urgency="urgent") == 1


def test_scope_and_restricted_rule(geo) -> None:  # type: ignore[no-untyped-def]
    m = geo.mission
    make_case(m, opened_at=MONDAY, unit=geo.north_town, ack_after=minutes(1))
    make_case(m, opened_at=MONDAY, unit=geo.south_town, ack_after=minutes(50))
    make_case(m, opened_at=MONDAY)  # not placed: whole-mission members only
    make_case(m, opened_at=MONDAY, unit=geo.north_town, restricted=True, ack_after=minutes(99))
    other = make_geo(MissionFactory())
    make_case(other.mission, opened_at=MONDAY, unit=other.north_town)

    def totals(role: str, *units):  # type: ignore[no-untyped-def]
        return case_metrics(membership=member_in(m, role, *units), now=NOW).totals

    assert totals(Role.MANAGER).cases == 4
    officer = totals(Role.OFFICER)
    assert officer.cases == 3  # not the restricted one
    assert officer.ack_p90 is not None
    assert officer.ack_p90 < 50 * 60
    scoped = totals(Role.ANALYST, geo.north)
    assert scoped.cases == 1
    assert scoped.ack_median == pytest.approx(60)
    assert totals(Role.MANAGER, geo.north).cases == 2  # north + its restricted case
    assert totals(Role.PARTNER).cases == 0  # no metrics permission at all
    assert totals(Role.VIEWER).cases == 0
