"""The engaged places of the engagement demo and who attends there (anonymous counts).

``demo_places`` picks the chiefdoms the demo engages (a fixed-seed sample per province; the
rest of the geography is never engaged, so the coverage map has gaps) with an inclusion profile:
a few places where few women attend, some with a minority group, those with a displacement site
(the displaced and their hosts). ``attendance_cells`` draws a meeting's attendance person by
person from that profile and the kind of meeting.
"""

from __future__ import annotations

import random
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from palava.engagement.demo_text import Theme
from palava.engagement.models import ActivityType, AgeBand, ParticipantGroup
from palava.engagement.selectors import zone_of
from palava.missions.models import Mission
from palava.places.models import AdminUnit, Site, SiteKind

SEED = 20_260_307
PLACES_PER_PROVINCE = (9, 8, 7)
LOW_WOMEN = frozenset({6, 10, 20})  # place indexes where few women attend
MINORITY = frozenset({2, 9, 13, 17, 21})  # place indexes with a minority group
# theme's activity type -> (min people, max people, women factor, age weights)
_AGES = (AgeBand.UNDER_18, AgeBand.YOUTH, AgeBand.ADULT, AgeBand.OLDER, AgeBand.UNKNOWN)
SIZES: dict[str, tuple[int, int, float, tuple[float, ...]]] = {
    ActivityType.DIALOGUE_FORUM: (30, 70, 1.0, (0.02, 0.35, 0.43, 0.15, 0.05)),
    ActivityType.RECONCILIATION_COUNCIL: (18, 40, 0.6, (0.0, 0.15, 0.45, 0.38, 0.02)),
    ActivityType.TOWN_HALL: (60, 140, 1.0, (0.05, 0.38, 0.37, 0.12, 0.08)),
    ActivityType.FOCUS_GROUP: (9, 16, 1.0, (0.0, 0.45, 0.45, 0.1, 0.0)),
    ActivityType.KEY_INFORMANT: (3, 7, 0.5, (0.0, 0.1, 0.6, 0.3, 0.0)),
    ActivityType.JOINT_PATROL: (7, 14, 0.25, (0.0, 0.6, 0.4, 0.0, 0.0)),
    ActivityType.PROJECT_HANDOVER: (40, 110, 1.0, (0.15, 0.3, 0.37, 0.12, 0.06)),
    ActivityType.OTHER: (4, 8, 0.8, (0.0, 0.3, 0.5, 0.2, 0.0)),
}


@dataclass(frozen=True)
class DemoPlace:
    index: int
    unit: AdminUnit
    territory: AdminUnit | None
    has_idp_site: bool
    low_women: bool
    minority: bool


def mission_zone(mission: Mission) -> zoneinfo.ZoneInfo:
    return zone_of(mission)


def local_at(day: date, hour: int, zone: zoneinfo.ZoneInfo, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def demo_places(mission: Mission) -> list[DemoPlace]:
    """The engaged chiefdoms: a fixed-seed sample per province; the others stay unengaged."""
    units = list(AdminUnit.objects.filter(mission=mission, level=3, retired_at__isnull=True))
    parents = {u.pk: u for u in AdminUnit.objects.filter(mission=mission, level=2)}
    with_sites = set(
        Site.objects.filter(mission=mission, kind=SiteKind.IDP_CAMP).values_list(
            "admin_unit_id", flat=True
        )
    )
    provinces = sorted({u.pcode[:4] for u in units})
    rng = random.Random(f"{SEED}:places")  # noqa: S311 - reproducible demo data
    chosen: list[AdminUnit] = []
    for province, size in zip(provinces, PLACES_PER_PROVINCE, strict=False):
        candidates = sorted(
            (u for u in units if u.pcode.startswith(province)), key=lambda u: u.pcode
        )
        chosen += sorted(rng.sample(candidates, min(size, len(candidates))), key=lambda u: u.pcode)
    return [
        DemoPlace(
            index=i,
            unit=unit,
            territory=parents.get(unit.parent_id or 0),
            has_idp_site=unit.pk in with_sites,
            low_women=i in LOW_WOMEN,
            minority=i in MINORITY,
        )
        for i, unit in enumerate(chosen)
    ]


def attendance_cells(
    theme: Theme, place: DemoPlace, rng: random.Random
) -> dict[tuple[str, str, str], int]:
    """Anonymous counts by (sex, age band, group), drawn person by person."""
    low, high, women_factor, ages = SIZES[theme.activity_type]
    women = (0.15 if place.low_women else rng.uniform(0.38, 0.5)) * women_factor
    only_women = "women" in theme.title
    only_youth = "youth" in theme.title
    cells: Counter[tuple[str, str, str]] = Counter()
    for _person in range(rng.randint(low, high)):
        sex = "f" if only_women or rng.random() < women else "m"
        if rng.random() < 0.02 and not only_women:
            sex = "x"
        band = AgeBand.YOUTH if only_youth else rng.choices(_AGES, weights=ages)[0]
        roll = rng.random()
        group: str = ParticipantGroup.GENERAL
        if only_women and roll < 0.6:
            group = ParticipantGroup.WOMENS_GROUP
        elif only_youth and roll < 0.5:
            group = ParticipantGroup.YOUTH_GROUP
        elif place.has_idp_site and roll < 0.3:
            group = ParticipantGroup.IDP
        elif place.has_idp_site and roll < 0.65:
            group = ParticipantGroup.HOST
        elif place.minority and roll > 0.87:
            group = ParticipantGroup.MINORITY
        elif roll > 0.98:
            group = ParticipantGroup.DISABILITY
        elif roll > 0.95:
            group = ParticipantGroup.RETURNEE
        cells[(sex, str(band), group)] += 1
    return dict(cells)
