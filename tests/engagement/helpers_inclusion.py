"""A small world for the inclusion tests: places, population figures and held activities.

Mission time zone: Africa/Lubumbashi (UTC+2, the factory's). Places::

    C (level 0)
    ├── P1  no figures of its own
    │   ├── T11  2024 figures in 5-year-ish bands (15-19 and 30-39 straddle youth 18-35),
    │   │        and an older 2020 row that must be ignored; a boundary polygon
    │   └── T12  2024 figures in one band 18-59; a centroid only
    ├── P2  2023 figures of its own (and a "total" row to ignore), an older 2019 row,
    │   │   and a child with 2023 figures that must not be added to P2's
    │   └── T21
    └── P3  no population data at all
        └── T31

Activities (cells are sex / age band / group: count):

    A1 held T11 2026-02-10   f/18-35/general 12, m/18-35/general 10, f/36-59/minority 5,
                             m/0-17/general 3, x/unknown/general 2
    A2 held T12 2026-03-15   f/60+/general 8, m/36-59/minority 20, m/18-35/idp 7,
                             f/unknown/general 4; other place taking part: T21
    A3 held P1  2026-03-31 22:30 UTC (= 1 April in the mission): f/18-35/general 6
    A4 planned T11 2026-02-20  f/18-35/general 100                        (ignored: planned)
    A5 held T11 2025-12-31 21:30 UTC (= 31 December): m/18-35/general 50  (ignored: before)
    A6 held P2  2026-01-20   f/18-35/general 9, m/36-59/general 21; other place: T11
    A7 held P3  2026-02-01   f/36-59/minority 4, m/36-59/general 6
    A9 held P3  2026-04-30 22:30 UTC (= 1 May in the mission): m/18-35/general 40 (ignored)

Settings: targets women 50 %, youth 25 %, minority 10 %; youth 18-35; coverage 90 days.
The period of the tests is 2026-01-01 to 2026-04-30.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from palava.engagement.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    AttendanceCount,
    EngagementSettings,
)
from palava.missions.models import Mission
from palava.places.models import AdminUnit
from palava.places.services import population_set
from tests.factories import AdminUnitFactory

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[29.0, -1.0], [29.1, -1.0], [29.1, -1.1], [29.0, -1.1], [29.0, -1.0]]],
}


@dataclass
class World:
    mission: Mission
    c: AdminUnit
    p1: AdminUnit
    p2: AdminUnit
    p3: AdminUnit
    t11: AdminUnit
    t12: AdminUnit
    t21: AdminUnit
    t31: AdminUnit
    activities: dict[str, Activity]


def _unit(mission: Mission, pcode: str, parent: AdminUnit | None, **extra: object) -> AdminUnit:
    unit: AdminUnit = AdminUnitFactory(
        mission=mission, parent=parent, pcode=pcode, name=f"Place {pcode}", **extra
    )
    return unit


def _population(unit: AdminUnit, year: int, cells: dict[tuple[str, str], int]) -> None:
    for (sex, band), count in cells.items():
        population_set(actor=None, unit=unit, year=year, sex=sex, age_band=band, count=count)


def _activity(
    mission: Mission,
    title: str,
    unit: AdminUnit,
    when: datetime,
    cells: dict[tuple[str, str, str], int],
    *,
    status: str = ActivityStatus.HELD,
    others: tuple[AdminUnit, ...] = (),
) -> Activity:
    activity = Activity.objects.create(
        mission=mission,
        activity_type=ActivityType.DIALOGUE_FORUM,
        title=title,
        status=status,
        admin_unit=unit,
        starts_at=when,
    )
    AttendanceCount.objects.bulk_create(
        AttendanceCount(activity=activity, sex=sex, age_band=band, group=group, count=count)
        for (sex, band, group), count in cells.items()
    )
    if others:
        activity.places.set(others)
    return activity


def build_world(mission: Mission) -> World:
    EngagementSettings.objects.create(
        mission=mission,
        target_women_pct=50,
        target_youth_pct=25,
        target_minority_pct=10,
        youth_min_age=18,
        youth_max_age=35,
        coverage_days=90,
    )
    c = _unit(mission, "ZC", None)
    p1 = _unit(mission, "ZC01", c)
    p2 = _unit(mission, "ZC02", c)
    p3 = _unit(mission, "ZC03", c)
    t11 = _unit(mission, "ZC0101", p1, boundary=SQUARE)
    t12 = _unit(mission, "ZC0102", p1, centroid_lat=-1.5, centroid_lon=29.5)
    t21 = _unit(mission, "ZC0201", p2)
    t31 = _unit(mission, "ZC0301", p3)

    _population(
        t11,
        2024,
        {
            ("f", "0-14"): 200,
            ("m", "0-14"): 180,
            ("f", "15-19"): 100,
            ("m", "15-19"): 100,
            ("f", "30-39"): 50,
            ("m", "30-39"): 70,
            ("f", "80+"): 10,
            ("m", "80+"): 10,
        },
    )
    _population(t11, 2020, {("f", "0-14"): 999})
    _population(t12, 2024, {("f", "18-59"): 300, ("m", "18-59"): 280})
    _population(
        p2,
        2023,
        {
            ("f", "0-17"): 400,
            ("m", "0-17"): 400,
            ("f", "18-35"): 150,
            ("m", "18-35"): 50,
            ("f", "total"): 550,
        },
    )
    _population(p2, 2019, {("f", "0-17"): 1})
    _population(t21, 2023, {("f", "0-17"): 77})

    utc = UTC
    acts = {
        "A1": _activity(
            mission,
            "A1",
            t11,
            datetime(2026, 2, 10, 10, tzinfo=utc),
            {
                ("f", "18-35", "general"): 12,
                ("m", "18-35", "general"): 10,
                ("f", "36-59", "minority"): 5,
                ("m", "0-17", "general"): 3,
                ("x", "unknown", "general"): 2,
            },
        ),
        "A2": _activity(
            mission,
            "A2",
            t12,
            datetime(2026, 3, 15, 9, tzinfo=utc),
            {
                ("f", "60+", "general"): 8,
                ("m", "36-59", "minority"): 20,
                ("m", "18-35", "idp"): 7,
                ("f", "unknown", "general"): 4,
            },
            others=(t21,),
        ),
        "A3": _activity(
            mission,
            "A3",
            p1,
            datetime(2026, 3, 31, 22, 30, tzinfo=utc),
            {("f", "18-35", "general"): 6},
        ),
        "A4": _activity(
            mission,
            "A4",
            t11,
            datetime(2026, 2, 20, 9, tzinfo=utc),
            {("f", "18-35", "general"): 100},
            status=ActivityStatus.PLANNED,
        ),
        "A5": _activity(
            mission,
            "A5",
            t11,
            datetime(2025, 12, 31, 21, 30, tzinfo=utc),
            {("m", "18-35", "general"): 50},
        ),
        "A6": _activity(
            mission,
            "A6",
            p2,
            datetime(2026, 1, 20, 9, tzinfo=utc),
            {("f", "18-35", "general"): 9, ("m", "36-59", "general"): 21},
            others=(t11,),
        ),
        "A7": _activity(
            mission,
            "A7",
            p3,
            datetime(2026, 2, 1, 9, tzinfo=utc),
            {("f", "36-59", "minority"): 4, ("m", "36-59", "general"): 6},
        ),
        "A9": _activity(
            mission,
            "A9",
            p3,
            datetime(2026, 4, 30, 22, 30, tzinfo=utc),
            {("m", "18-35", "general"): 40},
        ),
    }
    return World(
        mission=mission,
        c=c,
        p1=p1,
        p2=p2,
        p3=p3,
        t11=t11,
        t12=t12,
        t21=t21,
        t31=t31,
        activities=acts,
    )
