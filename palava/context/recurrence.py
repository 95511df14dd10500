"""Recurring cultural-calendar rules, their expansion into dates, and clash detection.

A rule is a small frozen dataclass (one class per kind, see :data:`Rule`). :func:`occurrences`
expands one rule over a date range of at most three years; :func:`clashes` tells which
occurrences of a set of rules overlap a proposed activity, with a human reason built by
:func:`clash_reason` (the one place where the reason text is composed, so the app can translate
it).

All dates are the mission's local calendar dates. Occurrences are inclusive spans
(``start``..``end``) and are returned whole: a season that began before the queried range and
overlaps it is returned with its real start.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Literal

from django.utils.translation import gettext_lazy as _

from palava.context.hijri import (
    HIJRI_ANNUAL,
    ISLAMIC_HOLIDAYS,
    Occurrence,
    check_offset,
    hijri_occurrences,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "CHRISTIAN_HOLIDAYS",
    "MAX_RANGE_DAYS",
    "Clash",
    "EasterRelativeRule",
    "FixedAnnualRule",
    "FixedChristianRule",
    "HijriAnnualRule",
    "MonthlyNthWeekdayRule",
    "Occurrence",
    "OnceRule",
    "Rule",
    "RuleKind",
    "SeasonRule",
    "WeeklyRule",
    "clash_reason",
    "clashes",
    "easter",
    "format_span",
    "islamic_holiday_rules",
    "occurrences",
    "orthodox_easter",
    "western_easter",
]

#: Longest range :func:`occurrences` expands: three years (one of them a leap year).
MAX_RANGE_DAYS: Final = 3 * 365 + 1
#: Years the rules are defined for (the Gregorian calendar and both Easter computations).
MIN_YEAR: Final = 1583
MAX_YEAR: Final = 4099

_EN_DASH: Final = "\u2013"
_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


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


@dataclass(frozen=True, slots=True)
class Clash:
    """An occurrence that overlaps a proposed activity, with the reason shown to the user."""

    occurrence: Occurrence
    reason: str


# --- Easter -------------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year must be {MIN_YEAR}-{MAX_YEAR}, not {year}")


def western_easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/
    Butcher)."""
    _check_year(year)
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def orthodox_easter(year: int) -> date:
    """Orthodox Easter Sunday: the Julian computus (Meeus), given as a Gregorian date."""
    _check_year(year)
    a = year % 4
    b = year % 7
    c = year % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    month, day = divmod(d + e + 114, 31)
    # Julian -> Gregorian: the calendars drift apart by one day per century not divisible by
    # 400 (13 days in 1900-2099). Valid for March-May dates.
    drift = year // 100 - year // 400 - 2
    return date(year, month, day + 1) + timedelta(days=drift)


def easter(year: int, tradition: Literal["western", "orthodox"] = "western") -> date:
    return western_easter(year) if tradition == "western" else orthodox_easter(year)


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


# --- Expansion ----------------------------------------------------------------------------


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"a range may cover at most {MAX_RANGE_DAYS} days (three years)")
    _check_year(start.year)
    _check_year(end.year)


def _span(rule: Rule, start: date, days: int = 1) -> Occurrence:
    return Occurrence(
        key=rule.key,
        label=rule.label,
        start=start,
        end=start + timedelta(days=days - 1),
        kind=rule.kind,
    )


def _days(start: date, end: date) -> Iterable[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _expand_weekly(rule: WeeklyRule, start: date, end: date) -> list[Occurrence]:
    phase = None
    if rule.anchor is not None:
        phase = rule.anchor - timedelta(days=rule.anchor.weekday())
    found = []
    for day in _days(start, end):
        if day.weekday() not in rule.weekdays:
            continue
        if phase is not None:
            monday = day - timedelta(days=day.weekday())
            if ((monday - phase).days // 7) % rule.interval_weeks:
                continue
        found.append(_span(rule, day))
    return found


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    days_in_month = calendar.monthrange(year, month)[1]
    if n == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    dom = 1 + (weekday - first.weekday()) % 7 + 7 * (n - 1)
    return date(year, month, dom) if dom <= days_in_month else None


def _expand_monthly(rule: MonthlyNthWeekdayRule, start: date, end: date) -> list[Occurrence]:
    found = []
    for year, month in _months(start, end):
        day = _nth_weekday(year, month, rule.weekday, rule.n)
        if day is not None and start <= day <= end:
            found.append(_span(rule, day))
    return found


def _annual_candidates(rule: Rule, start: date, end: date) -> Iterable[Occurrence]:
    # From the year before (an occurrence may spill into ``start``) to the year of ``end``.
    for year in range(max(start.year - 1, MIN_YEAR), end.year + 1):
        if isinstance(rule, FixedAnnualRule):
            if (rule.month, rule.day) == (2, 29) and not calendar.isleap(year):
                continue
            yield _span(rule, date(year, rule.month, rule.day), rule.duration_days)
        elif isinstance(rule, EasterRelativeRule):
            first = easter(year, rule.tradition) + timedelta(days=rule.offset_days)
            yield _span(rule, first, rule.duration_days)
        elif isinstance(rule, SeasonRule):
            end_year = year + 1 if rule.crosses_new_year else year
            yield Occurrence(
                key=rule.key,
                label=rule.label,
                start=date(year, rule.start_month, rule.start_day),
                end=date(end_year, rule.end_month, rule.end_day),
                kind=rule.kind,
            )


def occurrences(rule: Rule, start: date, end: date) -> list[Occurrence]:
    """Every occurrence of ``rule`` that overlaps ``start``..``end`` (at most three years),
    sorted by start date. Raises :class:`ValueError` for a reversed or too long range, years
    outside 1583-4099, or (for Hijri rules) dates outside the Umm al-Qura range."""
    _check_range(start, end)
    found: list[Occurrence]
    if isinstance(rule, WeeklyRule):
        found = _expand_weekly(rule, start, end)
    elif isinstance(rule, MonthlyNthWeekdayRule):
        found = _expand_monthly(rule, start, end)
    elif isinstance(rule, HijriAnnualRule):
        found = hijri_occurrences(
            key=rule.key,
            label=rule.label,
            month=rule.hijri_month,
            day=rule.hijri_day,
            duration_days=rule.duration_days,
            offset_days=rule.offset_days,
            start=start,
            end=end,
        )
    elif isinstance(rule, OnceRule):
        found = [_span(rule, rule.start, (rule.end - rule.start).days + 1)]
    else:
        found = list(_annual_candidates(rule, start, end))
    return sorted(
        (occurrence for occurrence in found if occurrence.overlaps(start, end)),
        key=lambda occurrence: (occurrence.start, occurrence.end, occurrence.key),
    )


# --- Clashes ------------------------------------------------------------------------------


def format_span(start: date, end: date) -> str:
    """A span of dates in English, joined by an en dash: ``20 March 2026``, ``20-22 March 2026``,
    ``30 March - 2 April 2026`` or ``15 November 2026 - 15 March 2027``."""
    if start == end:
        return f"{start.day} {_MONTHS[start.month - 1]} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{_EN_DASH}{end.day} {_MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return (
            f"{start.day} {_MONTHS[start.month - 1]} {_EN_DASH} {end.day} {_MONTHS[end.month - 1]} "
            f"{end.year}"
        )
    return f"{format_span(start, start)} {_EN_DASH} {format_span(end, end)}"


def clash_reason(occurrence: Occurrence) -> str:
    """The warning shown for a clash, e.g. ``Eid al-Fitr (20\u201322 March 2026)``.

    The one place where the reason is composed: translate here when the app needs it.
    """
    return f"{occurrence.label} ({format_span(occurrence.start, occurrence.end)})"


def _local_dates(
    when: date | datetime | tuple[date, date] | tuple[datetime, datetime], tz: tzinfo | None
) -> tuple[date, date]:
    def local(moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("activity datetimes must be timezone-aware")
        return moment.astimezone(tz) if tz is not None else moment

    if isinstance(when, tuple):
        first, last = when
        if isinstance(first, datetime) and isinstance(last, datetime):
            begins, ends = local(first), local(last)
            if ends < begins:
                raise ValueError("the activity ends before it starts")
            end_day = ends.date()
            # An activity ending exactly at midnight does not occupy the day that starts then.
            if ends.time() == time(0) and ends > begins:
                end_day -= timedelta(days=1)
            return begins.date(), end_day
        if isinstance(first, datetime) or isinstance(last, datetime):
            raise ValueError("give the activity as two dates or two datetimes, not a mix")
        if last < first:
            raise ValueError("the activity ends before it starts")
        return first, last
    if isinstance(when, datetime):
        day = local(when).date()
        return day, day
    return when, when


def clashes(
    rules: Iterable[Rule],
    when: date | datetime | tuple[date, date] | tuple[datetime, datetime],
    *,
    tz: tzinfo | None = None,
) -> list[Clash]:
    """The occurrences of ``rules`` that overlap a proposed activity, sorted by start date.

    ``when`` is a date, an aware datetime, or a (start, end) pair of either; datetimes are
    converted to ``tz`` (the mission's time zone) when it is given, and their local dates are
    compared. Naive datetimes are refused.
    """
    start, end = _local_dates(when, tz)
    found = [
        Clash(occurrence=occurrence, reason=clash_reason(occurrence))
        for rule in rules
        for occurrence in occurrences(rule, start, end)
    ]
    return sorted(
        found, key=lambda clash: (clash.occurrence.start, clash.occurrence.end, clash.reason)
    )
