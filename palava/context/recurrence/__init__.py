"""Recurring cultural-calendar rules, their expansion into dates, and clash detection.

A rule is a small frozen dataclass (one class per kind, see :data:`Rule`). :func:`occurrences`
expands one rule over a date range of at most three years; :func:`clashes` tells which
occurrences of a set of rules overlap a proposed activity, with a human reason built by
:func:`clash_reason` (the one place where the reason text is composed, so the app can translate
it).

All dates are the mission's local calendar dates. Occurrences are inclusive spans
(``start``..``end``) and are returned whole: a season that began before the queried range and
overlaps it is returned with its real start.

The rules are in :mod:`.rules`, their expansion in :mod:`.expansion` and clash detection in
:mod:`.clashes`; everything public is importable from this package.
"""

from palava.context.hijri import Occurrence
from palava.context.recurrence.clashes import Clash, clash_reason, clashes, format_span
from palava.context.recurrence.expansion import (
    easter,
    occurrences,
    orthodox_easter,
    western_easter,
)
from palava.context.recurrence.rules import (
    CHRISTIAN_HOLIDAYS,
    MAX_RANGE_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    EasterRelativeRule,
    FixedAnnualRule,
    FixedChristianRule,
    HijriAnnualRule,
    MonthlyNthWeekdayRule,
    OnceRule,
    Rule,
    RuleKind,
    SeasonRule,
    WeeklyRule,
    islamic_holiday_rules,
)

__all__ = [
    "CHRISTIAN_HOLIDAYS",
    "MAX_RANGE_DAYS",
    "MAX_YEAR",
    "MIN_YEAR",
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
