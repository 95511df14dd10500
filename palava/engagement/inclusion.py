"""Inclusion analytics: who took part, against who lives there. Pure computations, no queries.

The queries that feed these functions live in :mod:`palava.engagement.inclusion_selectors`
(by place, by period, coverage); pages and the API only format their results.

**Participants** come from the anonymous ``AttendanceCount`` cells of activities whose status is
``held`` and whose ``starts_at`` falls in the period (a date in the mission's time zone). An
activity counts for a place when its *main* place (``admin_unit``) lies in that place
(``admin_unit.path`` starts with the place's path). The other places taking part (``places``)
are not counted here: a cell carries no place of its own, so counting it under every place
would count the same people several times.

- women share = female / (female + male); cells of sex ``x`` (not recorded) are left out of the
  denominator and reported as ``sex_unknown``;
- youth share = people in the age band ``18-35`` / people with a known age band (``unknown``
  left out and reported as ``age_unknown``). Attendance is counted in the fixed bands of
  ``AgeBand``; the youth band is 18-35 whatever ``EngagementSettings.youth_min_age`` and
  ``youth_max_age`` say (those apply to the population side);
- minority share = people of group ``minority`` / all people counted.

**Population** comes from ``PopulationFigure`` rows of the place's subtree, never counting a
parent and its children together: a unit with figures of its own gives them (for its latest
reference year); a unit without gives the sum of its children, each found the same way (so a
place without figures sums its territories, and a branch updated in 2024 is not dropped because
another one stops at 2022). ``year`` reports the latest year used.

- women share = f / (f + m);
- youth share = people aged ``youth_min_age`` to ``youth_max_age`` (both included) / all people
  in bands that can be read. A band ``a-b`` covers the ages a..b (``b - a + 1`` years) and
  contributes in proportion to its years inside the youth range (``15-19`` with youth 18-35:
  2/5 of the band); an open band ``80+`` is treated as 80..99. Bands that cannot be read
  (``total``, ``unknown``) are ignored whenever readable bands exist (a ``total`` row would
  count people twice); only when none exist do they give the women share (youth stays ``None``);
- minority share: there is no population figure; it is compared with the target only.

**Gap** = participant share - population share, in percentage points. A share is **below
target** when it is under ``EngagementSettings.target_*_pct``. A place with no population
figure has population share ``None`` and the flag *no population data*; its participant share
is still compared with the target. Fewer than :data:`SMALL_NUMBERS` people counted is flagged
*small numbers* (the shares swing with one person).

Every share keeps its numerator and denominator; a share with a zero denominator is ``None``.

**Coverage**: a place is *engaged recently* when the last held activity that reached it (main
place or one of the other places taking part; here counting both is right, since it asks
whether a place was reached, not how many people came) started within the last N days, *engaged
earlier* when it has an older one, *never engaged* when it has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from palava.engagement.models.common import (
    SEX_FEMALE,
    SEX_MALE,
    AgeBand,
    CountSex,
    ParticipantGroup,
)

SMALL_NUMBERS = 20
OPEN_BAND_MAX_AGE = 99
MAX_PERIODS = 120  # a trend has at most ten years of months

# Flags
BELOW_TARGET = "below_target"
NO_POPULATION = "no_population"
SMALL = "small_numbers"
NO_PARTICIPANTS = "no_participants"

# Coverage states
RECENT = "recent"
EARLIER = "earlier"
NEVER = "never"

_BAND = re.compile(r"^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})|(\+))\s*$")


# --- Shares ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """``numerator / denominator`` kept exact; ``value`` is ``None`` when nothing was counted."""

    numerator: Fraction
    denominator: Fraction

    @property
    def value(self) -> Fraction | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    @property
    def percent(self) -> float | None:
        value = self.value
        return None if value is None else float(value * 100)


def share(numerator: int | Fraction, denominator: int | Fraction) -> Share:
    return Share(Fraction(numerator), Fraction(denominator))


# --- Participants ----------------------------------------------------------------------------


@dataclass
class Attendance:
    """Attendance cells summed: the three shares and what could not be classed."""

    total: int = 0
    female: int = 0
    male: int = 0
    sex_unknown: int = 0
    youth: int = 0
    age_known: int = 0
    age_unknown: int = 0
    minority: int = 0

    def add(self, sex: str, age_band: str, group: str, count: int) -> None:
        self.total += count
        if sex == CountSex.FEMALE:
            self.female += count
        elif sex == CountSex.MALE:
            self.male += count
        else:
            self.sex_unknown += count
        if age_band == AgeBand.UNKNOWN:
            self.age_unknown += count
        else:
            self.age_known += count
            if age_band == AgeBand.YOUTH:
                self.youth += count
        if group == ParticipantGroup.MINORITY:
            self.minority += count

    def merge(self, other: Attendance) -> None:
        for name in (
            "total",
            "female",
            "male",
            "sex_unknown",
            "youth",
            "age_known",
            "age_unknown",
            "minority",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def women(self) -> Share:
        return share(self.female, self.female + self.male)

    @property
    def youth_share(self) -> Share:
        return share(self.youth, self.age_known)

    @property
    def minority_share(self) -> Share:
        return share(self.minority, self.total)


def attendance_of(cells: Iterable[tuple[str, str, str, int]]) -> Attendance:
    """Sum ``(sex, age_band, group, count)`` cells."""
    found = Attendance()
    for sex, age_band, group, count in cells:
        found.add(sex, age_band, group, count)
    return found


# --- Population ------------------------------------------------------------------------------


def band_years(band: str) -> tuple[int, int] | None:
    """``"15-19"`` -> (15, 19); ``"80+"`` -> (80, 99); anything else -> None."""
    match = _BAND.match(band)
    if match is None:
        return None
    low = int(match.group(1))
    high = OPEN_BAND_MAX_AGE if match.group(3) else int(match.group(2))
    if high < low:
        return None
    return low, max(high, low)


def youth_part(band: str, youth_min: int, youth_max: int) -> Fraction | None:
    """The part of a band's people in the youth range (years of overlap / years of the band)."""
    years = band_years(band)
    if years is None:
        return None
    low, high = years
    overlap = min(high, youth_max) - max(low, youth_min) + 1
    return Fraction(max(overlap, 0), high - low + 1)


@dataclass
class Population:
    """Population of a place for one reference year (``year`` None: no figures at all)."""

    year: int | None = None
    female: int = 0
    male: int = 0
    youth: Fraction = field(default_factory=Fraction)
    aged: int = 0  # people in readable age bands (the youth denominator)

    @property
    def has_data(self) -> bool:
        return self.year is not None

    @property
    def women(self) -> Share:
        return share(self.female, self.female + self.male)

    @property
    def youth_share(self) -> Share:
        return share(self.youth, self.aged)


# (path, level, year, sex, age_band, count)
PopulationRow = tuple[str, int, int, str, str, int]


def population_of(
    rows: Iterable[PopulationRow], *, root: str = "/", youth_min: int, youth_max: int
) -> Population:
    """The population of the place at path ``root`` from the rows of its subtree.

    A unit with figures of its own gives them (its latest year); a unit without gives the sum
    of its children, each found the same way. ``root="/"`` sums everything given.
    """
    by_path: dict[str, list[PopulationRow]] = {}
    children: dict[str, set[str]] = {}
    for row in rows:
        by_path.setdefault(row[0], []).append(row)
        parts = row[0].strip("/").split("/")
        parent = "/"
        for end in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:end]) + "/"
            children.setdefault(parent, set()).add(path)
            parent = path
    found = Population()
    pending = [root]
    while pending:
        path = pending.pop()
        own = by_path.get(path)
        if not own:
            pending.extend(children.get(path, ()))
            continue
        year = max(row[2] for row in own)
        found.year = year if found.year is None else max(found.year, year)
        of_year = [row for row in own if row[2] == year]
        readable = [row for row in of_year if band_years(row[4]) is not None]
        for _path, _level, _year, sex, band, count in readable or of_year:
            if sex == SEX_FEMALE:
                found.female += count
            elif sex == SEX_MALE:
                found.male += count
            part = youth_part(band, youth_min, youth_max)
            if part is not None:
                found.aged += count
                found.youth += part * count
    return found


# --- Comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One indicator of one place: participants against population and target."""

    participants: Share
    population: Share | None  # None: no population figure (always for minorities)
    target_pct: int

    @property
    def gap_pp(self) -> Fraction | None:
        """Participant share minus population share, in percentage points."""
        mine = self.participants.value
        theirs = self.population.value if self.population is not None else None
        if mine is None or theirs is None:
            return None
        return (mine - theirs) * 100

    @property
    def gap_points(self) -> float | None:
        gap = self.gap_pp
        return None if gap is None else float(gap)

    @property
    def below_target(self) -> bool:
        value = self.participants.value
        return value is not None and value * 100 < self.target_pct


@dataclass(frozen=True)
class Targets:
    women: int
    youth: int
    minority: int


@dataclass(frozen=True)
class Inclusion:
    """The inclusion figures of one place (or one period)."""

    attendance: Attendance
    population: Population
    women: Measure
    youth: Measure
    minority: Measure

    @property
    def flags(self) -> list[str]:
        found: list[str] = []
        if self.attendance.total == 0:
            found.append(NO_PARTICIPANTS)
        elif self.attendance.total < SMALL_NUMBERS:
            found.append(SMALL)
        if any(m.below_target for m in (self.women, self.youth, self.minority)):
            found.append(BELOW_TARGET)
        if not self.population.has_data:
            found.append(NO_POPULATION)
        return found


def inclusion_of(attendance: Attendance, population: Population, targets: Targets) -> Inclusion:
    has_pop = population.has_data
    return Inclusion(
        attendance=attendance,
        population=population,
        women=Measure(attendance.women, population.women if has_pop else None, targets.women),
        youth=Measure(
            attendance.youth_share, population.youth_share if has_pop else None, targets.youth
        ),
        minority=Measure(attendance.minority_share, None, targets.minority),
    )


# --- Periods ---------------------------------------------------------------------------------


def day_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Aware bounds ``[start 00:00, end+1 00:00)`` in the mission's time zone."""
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def period_key(day: date, grain: str) -> date:
    """The first day of the month (``grain="month"``) or quarter holding ``day``."""
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def periods_between(start: date, end: date, grain: str) -> list[date]:
    """First days of the months or quarters from ``start`` to ``end`` (at most MAX_PERIODS)."""
    step = 3 if grain == "quarter" else 1
    current = period_key(start, grain)
    found: list[date] = []
    while current <= end and len(found) < MAX_PERIODS:
        found.append(current)
        month = current.month - 1 + step
        current = date(current.year + month // 12, month % 12 + 1, 1)
    return found


# --- Coverage --------------------------------------------------------------------------------


def coverage_state(last: date | None, *, today: date, days: int) -> str:
    """``recent`` (last held activity within ``days`` of today), ``earlier`` or ``never``."""
    if last is None:
        return NEVER
    return RECENT if last >= today - timedelta(days=days) else EARLIER
