"""The recurrence rules: one frozen dataclass per kind (see :data:`Rule`), their checks, and the
predefined Christian and Islamic holidays."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Literal

from django.utils.translation import gettext_lazy as _

from palava.context.hijri import HIJRI_ANNUAL, ISLAMIC_HOLIDAYS, check_offset

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Longest range :func:`occurrences` expands: three years (one of them a leap year).
MAX_RANGE_DAYS: Final = 3 * 365 + 1
#: Years the rules are defined for (the Gregorian calendar and both Easter computations).
MIN_YEAR: Final = 1583
MAX_YEAR: Final = 4099


class RuleKind(StrEnum):
    WEEKLY = "weekly"
    MONTHLY_NTH_WEEKDAY = "monthly_nth_weekday"
    FIXED_ANNUAL = "fixed_annual"
    HIJRI_ANNUAL = HIJRI_ANNUAL
    EASTER_RELATIVE = "easter_relative"
    FIXED_CHRISTIAN = "fixed_christian"
    SEASON = "season"
    ONCE = "once"


def _check_month_day(month: int, day: int, *, allow_feb_29: bool = True) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, not {month}")
    # 2000 is a leap year, so this admits 29 February.
    last = calendar.monthrange(2000, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"day must be 1-{last} for month {month}, not {day}")
    if not allow_feb_29 and (month, day) == (2, 29):
        raise ValueError("29 February cannot bound a season: use 28 February or 1 March")


def _check_duration(duration_days: int) -> None:
    if not 1 <= duration_days <= 366:
        raise ValueError(f"duration_days must be 1-366, not {duration_days}")


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyRule:
    """Every week on the given weekdays (0 = Monday .. 6 = Sunday), e.g. a Thursday market.

    With ``interval_weeks`` > 1 (a market every second week), ``anchor`` is a date in a week
    on which the rule falls; it fixes the phase only, the rule applies before it too.
    """

    key: str
    label: StrOrPromise
    weekdays: frozenset[int]
    interval_weeks: int = 1
    anchor: date | None = None
    kind: Literal[RuleKind.WEEKLY] = field(default=RuleKind.WEEKLY, init=False)

    def __post_init__(self) -> None:
        if not self.weekdays or not all(0 <= w <= 6 for w in self.weekdays):
            raise ValueError("weekdays must be a non-empty set of 0 (Monday) .. 6 (Sunday)")
        if not 1 <= self.interval_weeks <= 52:
            raise ValueError(f"interval_weeks must be 1-52, not {self.interval_weeks}")
        if self.interval_weeks > 1 and self.anchor is None:
            raise ValueError("an anchor date is required when interval_weeks > 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyNthWeekdayRule:
    """The ``n``-th given weekday of every month (``n`` = 1..5, or -1 for the last).

    A month without a fifth such weekday has no occurrence for ``n=5``.
    """

    key: str
    label: StrOrPromise
    weekday: int
    n: int
    kind: Literal[RuleKind.MONTHLY_NTH_WEEKDAY] = field(
        default=RuleKind.MONTHLY_NTH_WEEKDAY, init=False
    )

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), not {self.weekday}")
        if self.n not in (1, 2, 3, 4, 5, -1):
            raise ValueError(f"n must be 1-5 or -1 (last), not {self.n}")


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedAnnualRule:
    """Every year on ``month``/``day`` (e.g. a national day); 29 February only in leap years."""

    key: str
    label: StrOrPromise
    month: int
    day: int
    duration_days: int = 1
    kind: Literal[RuleKind.FIXED_ANNUAL, RuleKind.FIXED_CHRISTIAN] = field(
        default=RuleKind.FIXED_ANNUAL, init=False
    )

    def __post_init__(self) -> None:
        _check_month_day(self.month, self.day)
        _check_duration(self.duration_days)


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedChristianRule(FixedAnnualRule):
    """A Christian feast on a fixed date (Christmas, Assumption, All Saints)."""

    kind: Literal[RuleKind.FIXED_ANNUAL, RuleKind.FIXED_CHRISTIAN] = field(
        default=RuleKind.FIXED_CHRISTIAN, init=False
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class HijriAnnualRule:
    """Every Hijri year on ``hijri_month``/``hijri_day`` (Umm al-Qura), see :mod:`.hijri`.

    ``duration_days=None`` runs to the end of the Hijri month; ``offset_days`` (-2..+2) follows
    local moon-sighting practice.
    """

    key: str
    label: StrOrPromise
    hijri_month: int
    hijri_day: int
    duration_days: int | None = 1
    offset_days: int = 0
    kind: Literal[RuleKind.HIJRI_ANNUAL] = field(default=RuleKind.HIJRI_ANNUAL, init=False)

    def __post_init__(self) -> None:
        if not 1 <= self.hijri_month <= 12:
            raise ValueError(f"hijri_month must be 1-12, not {self.hijri_month}")
        if not 1 <= self.hijri_day <= 30:
            raise ValueError(f"hijri_day must be 1-30, not {self.hijri_day}")
        if self.duration_days is not None and not 1 <= self.duration_days <= 30:
            raise ValueError(f"duration_days must be 1-30 or None, not {self.duration_days}")
        check_offset(self.offset_days)


@dataclass(frozen=True, slots=True, kw_only=True)
class EasterRelativeRule:
    """A feast ``offset_days`` after Easter Sunday (Good Friday -2, Easter Monday +1,
    Ascension +39, Pentecost +49, Whit Monday +50), Western or Orthodox."""

    key: str
    label: StrOrPromise
    offset_days: int = 0
    tradition: Literal["western", "orthodox"] = "western"
    duration_days: int = 1
    kind: Literal[RuleKind.EASTER_RELATIVE] = field(default=RuleKind.EASTER_RELATIVE, init=False)

    def __post_init__(self) -> None:
        if not -100 <= self.offset_days <= 100:
            raise ValueError(f"offset_days must be -100..100, not {self.offset_days}")
        if self.tradition not in ("western", "orthodox"):
            raise ValueError(f"tradition must be western or orthodox, not {self.tradition!r}")
        _check_duration(self.duration_days)


@dataclass(frozen=True, slots=True, kw_only=True)
class SeasonRule:
    """A yearly span of dates, e.g. harvest 1 Aug - 30 Sep or transhumance 15 Nov - 15 Mar.

    When the end comes before the start in the year, the season crosses New Year's Day and
    ends in the following year.
    """

    key: str
    label: StrOrPromise
    start_month: int
    start_day: int
    end_month: int
    end_day: int
    kind: Literal[RuleKind.SEASON] = field(default=RuleKind.SEASON, init=False)

    def __post_init__(self) -> None:
        _check_month_day(self.start_month, self.start_day, allow_feb_29=False)
        _check_month_day(self.end_month, self.end_day, allow_feb_29=False)

    @property
    def crosses_new_year(self) -> bool:
        return (self.end_month, self.end_day) < (self.start_month, self.start_day)


@dataclass(frozen=True, slots=True, kw_only=True)
class OnceRule:
    """A one-off event (a local ceremony) from ``start`` to ``end``, both included."""

    key: str
    label: StrOrPromise
    start: date
    end: date
    kind: Literal[RuleKind.ONCE] = field(default=RuleKind.ONCE, init=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a one-off event cannot end before it starts")


Rule = (
    WeeklyRule
    | MonthlyNthWeekdayRule
    | FixedAnnualRule
    | HijriAnnualRule
    | EasterRelativeRule
    | SeasonRule
    | OnceRule
)


# --- Predefined rules ---------------------------------------------------------------------

CHRISTIAN_HOLIDAYS: Final[tuple[Rule, ...]] = (
    EasterRelativeRule(key="good_friday", label=_("Good Friday"), offset_days=-2),
    EasterRelativeRule(key="easter", label=_("Easter"), offset_days=0),
    EasterRelativeRule(key="easter_monday", label=_("Easter Monday"), offset_days=1),
    EasterRelativeRule(key="ascension", label=_("Ascension Day"), offset_days=39),
    EasterRelativeRule(key="pentecost", label=_("Pentecost"), offset_days=49),
    EasterRelativeRule(key="whit_monday", label=_("Whit Monday"), offset_days=50),
    FixedChristianRule(key="assumption", label=_("Assumption"), month=8, day=15),
    FixedChristianRule(key="all_saints", label=_("All Saints' Day"), month=11, day=1),
    FixedChristianRule(key="christmas", label=_("Christmas"), month=12, day=25),
)


def islamic_holiday_rules(offset_days: int = 0) -> tuple[HijriAnnualRule, ...]:
    """The holidays of :data:`palava.context.hijri.ISLAMIC_HOLIDAYS` as rules."""
    return tuple(
        HijriAnnualRule(
            key=holiday.key,
            label=holiday.label,
            hijri_month=holiday.month,
            hijri_day=holiday.day,
            duration_days=holiday.duration_days,
            offset_days=offset_days,
        )
        for holiday in ISLAMIC_HOLIDAYS
    )
