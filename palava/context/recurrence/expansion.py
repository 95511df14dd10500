"""Expanding a rule into its occurrences over a date range (and computing Easter)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from palava.context.hijri import Occurrence, hijri_occurrences
from palava.context.recurrence.rules import (
    MAX_RANGE_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    EasterRelativeRule,
    FixedAnnualRule,
    HijriAnnualRule,
    MonthlyNthWeekdayRule,
    OnceRule,
    Rule,
    SeasonRule,
    WeeklyRule,
)

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
