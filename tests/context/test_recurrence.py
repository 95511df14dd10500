"""Recurring rules of the cultural calendar, their expansion, and clash warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from palava.context.hijri import to_hijri
from palava.context.recurrence import (
    CHRISTIAN_HOLIDAYS,
    MAX_RANGE_DAYS,
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
    clashes,
    format_span,
    islamic_holiday_rules,
    occurrences,
    orthodox_easter,
    western_easter,
)

THURSDAY, SATURDAY, SUNDAY = 3, 5, 6
EAST_AFRICA = timezone(timedelta(hours=3))

market = WeeklyRule(key="market", label="Thursday market", weekdays=frozenset({THURSDAY}))
transhumance = SeasonRule(
    key="transhumance",
    label="Transhumance",
    start_month=11,
    start_day=15,
    end_month=3,
    end_day=15,
)
harvest = SeasonRule(
    key="harvest", label="Harvest", start_month=8, start_day=1, end_month=9, end_day=30
)
national_day = FixedAnnualRule(key="national_day", label="National Day", month=6, day=30)
ALL_RULES: list[Rule] = [
    market,
    transhumance,
    harvest,
    national_day,
    *islamic_holiday_rules(),
    *CHRISTIAN_HOLIDAYS,
]


def _starts(rule: Rule, start: date, end: date) -> list[date]:
    return [o.start for o in occurrences(rule, start, end)]


# --- Easter -----------------------------------------------------------------------------------

WESTERN_EASTER = {
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
}
ORTHODOX_EASTER = {
    2024: date(2024, 5, 5),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 12),
    2027: date(2027, 5, 2),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 8),
    2030: date(2030, 4, 28),
}


@pytest.mark.parametrize(("year", "expected"), WESTERN_EASTER.items())
def test_western_easter(year: int, expected: date) -> None:
    assert western_easter(year) == expected
    assert expected.weekday() == SUNDAY


@pytest.mark.parametrize(("year", "expected"), ORTHODOX_EASTER.items())
def test_orthodox_easter(year: int, expected: date) -> None:
    assert orthodox_easter(year) == expected
    assert expected.weekday() == SUNDAY


def test_easter_agrees_with_dateutil_over_the_supported_years() -> None:
    easter_module = pytest.importorskip("dateutil.easter")
    for year in range(1583, 4100):
        assert western_easter(year) == easter_module.easter(year, easter_module.EASTER_WESTERN)
        assert orthodox_easter(year) == easter_module.easter(year, easter_module.EASTER_ORTHODOX)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("good_friday", date(2026, 4, 3)),
        ("easter", date(2026, 4, 5)),
        ("easter_monday", date(2026, 4, 6)),
        ("ascension", date(2026, 5, 14)),
        ("pentecost", date(2026, 5, 24)),
        ("whit_monday", date(2026, 5, 25)),
        ("assumption", date(2026, 8, 15)),
        ("all_saints", date(2026, 11, 1)),
        ("christmas", date(2026, 12, 25)),
    ],
)
def test_christian_holidays_in_2026(key: str, expected: date) -> None:
    rule = next(r for r in CHRISTIAN_HOLIDAYS if r.key == key)
    assert _starts(rule, date(2026, 1, 1), date(2026, 12, 31)) == [expected]


def test_orthodox_good_friday() -> None:
    rule = EasterRelativeRule(
        key="orthodox_good_friday", label="Good Friday", offset_days=-2, tradition="orthodox"
    )
    assert _starts(rule, date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 4, 10),
        date(2027, 4, 30),
    ]


def test_fixed_christian_is_a_fixed_annual_with_its_own_kind() -> None:
    christmas = next(r for r in CHRISTIAN_HOLIDAYS if r.key == "christmas")
    assert isinstance(christmas, FixedChristianRule)
    [occurrence] = occurrences(christmas, date(2026, 12, 1), date(2026, 12, 31))
    assert occurrence.kind == RuleKind.FIXED_CHRISTIAN
    assert occurrence.kind == "fixed_christian"
    assert str(occurrence.label) == "Christmas"


# --- Weekly and monthly -----------------------------------------------------------------------


def test_weekly_market_across_the_year_end() -> None:
    assert _starts(market, date(2025, 12, 20), date(2026, 1, 10)) == [
        date(2025, 12, 25),
        date(2026, 1, 1),
        date(2026, 1, 8),
    ]


def test_weekly_on_several_weekdays_across_a_month_end() -> None:
    rule = WeeklyRule(key="m", label="Market", weekdays=frozenset({0, 4}))  # Monday, Friday
    assert _starts(rule, date(2026, 1, 29), date(2026, 2, 9)) == [
        date(2026, 1, 30),
        date(2026, 2, 2),
        date(2026, 2, 6),
        date(2026, 2, 9),
    ]


def test_every_second_week_follows_the_anchor_before_and_after_it() -> None:
    rule = WeeklyRule(
        key="big_market",
        label="Big market",
        weekdays=frozenset({THURSDAY}),
        interval_weeks=2,
        anchor=date(2026, 1, 1),
    )
    assert _starts(rule, date(2025, 12, 10), date(2026, 2, 12)) == [
        date(2025, 12, 18),
        date(2026, 1, 1),
        date(2026, 1, 15),
        date(2026, 1, 29),
        date(2026, 2, 12),
    ]


def test_first_saturday_across_the_year_end() -> None:
    rule = MonthlyNthWeekdayRule(key="council", label="Council", weekday=SATURDAY, n=1)
    assert _starts(rule, date(2026, 12, 1), date(2027, 2, 28)) == [
        date(2026, 12, 5),
        date(2027, 1, 2),
        date(2027, 2, 6),
    ]


def test_last_and_fifth_weekday() -> None:
    last_friday = MonthlyNthWeekdayRule(key="lf", label="Last Friday", weekday=4, n=-1)
    assert _starts(last_friday, date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
    ]
    fifth_sunday = MonthlyNthWeekdayRule(key="fs", label="Fifth Sunday", weekday=SUNDAY, n=5)
    # Only March 2026 has five Sundays in January-April.
    assert _starts(fifth_sunday, date(2026, 1, 1), date(2026, 4, 30)) == [date(2026, 3, 29)]


def test_monthly_respects_the_range_inside_a_month() -> None:
    rule = MonthlyNthWeekdayRule(key="council", label="Council", weekday=SATURDAY, n=1)
    assert _starts(rule, date(2026, 12, 6), date(2027, 1, 1)) == []


# --- Annual, seasons, one-offs ----------------------------------------------------------------


def test_national_day_every_year() -> None:
    assert _starts(national_day, date(2026, 1, 1), date(2028, 12, 31)) == [
        date(2026, 6, 30),
        date(2027, 6, 30),
        date(2028, 6, 30),
    ]


def test_29_february_only_in_leap_years() -> None:
    leap_day = FixedAnnualRule(key="leap", label="Leap-day fair", month=2, day=29)
    assert _starts(leap_day, date(2027, 1, 1), date(2029, 12, 31)) == [date(2028, 2, 29)]
    assert _starts(leap_day, date(2025, 1, 1), date(2027, 12, 31)) == []


def test_a_multi_day_annual_event_spilling_into_the_range_is_returned_whole() -> None:
    festival = FixedAnnualRule(key="f", label="Festival", month=12, day=30, duration_days=4)
    [occurrence] = occurrences(festival, date(2027, 1, 2), date(2027, 1, 10))
    assert (occurrence.start, occurrence.end) == (date(2026, 12, 30), date(2027, 1, 2))


def test_season_crossing_the_new_year() -> None:
    [occurrence] = occurrences(transhumance, date(2027, 1, 10), date(2027, 1, 20))
    assert (occurrence.start, occurrence.end) == (date(2026, 11, 15), date(2027, 3, 15))
    in_2026 = occurrences(transhumance, date(2026, 1, 1), date(2026, 12, 31))
    assert [(o.start, o.end) for o in in_2026] == [
        (date(2025, 11, 15), date(2026, 3, 15)),
        (date(2026, 11, 15), date(2027, 3, 15)),
    ]
    assert occurrences(transhumance, date(2026, 3, 16), date(2026, 11, 14)) == []


def test_season_within_a_year() -> None:
    found = occurrences(harvest, date(2026, 1, 1), date(2027, 12, 31))
    assert [(o.start, o.end) for o in found] == [
        (date(2026, 8, 1), date(2026, 9, 30)),
        (date(2027, 8, 1), date(2027, 9, 30)),
    ]
    assert all(o.kind == "season" for o in found)


def test_once() -> None:
    ceremony = OnceRule(
        key="enthronement", label="Enthronement", start=date(2026, 7, 3), end=date(2026, 7, 5)
    )
    assert _starts(ceremony, date(2026, 7, 5), date(2026, 7, 31)) == [date(2026, 7, 3)]
    assert occurrences(ceremony, date(2026, 7, 6), date(2026, 7, 31)) == []


def test_hijri_rule_with_offset() -> None:
    eid = HijriAnnualRule(
        key="eid", label="Eid al-Fitr", hijri_month=10, hijri_day=1, duration_days=3, offset_days=1
    )
    [occurrence] = occurrences(eid, date(2027, 1, 1), date(2027, 12, 31))
    assert (occurrence.start, occurrence.end) == (date(2027, 3, 10), date(2027, 3, 12))


# --- Clashes ----------------------------------------------------------------------------------


def _reasons(when: date | tuple[date, date]) -> list[str]:
    return [clash.reason for clash in clashes(ALL_RULES, when)]


def test_clash_on_a_market_day() -> None:
    assert _reasons(date(2026, 10, 1)) == ["Thursday market (1 October 2026)"]


def test_clash_during_ramadan() -> None:
    assert _reasons(date(2026, 3, 17)) == ["Ramadan (18 February \u2013 19 March 2026)"]


def test_several_clashes_on_one_day_are_all_reported_by_start_date() -> None:
    assert _reasons(date(2026, 3, 5)) == [
        "Transhumance (15 November 2025 \u2013 15 March 2026)",
        "Ramadan (18 February \u2013 19 March 2026)",
        "Thursday market (5 March 2026)",
    ]


def test_clash_with_eid_over_an_activity_range() -> None:
    found = clashes(islamic_holiday_rules(), (date(2026, 3, 21), date(2026, 3, 25)))
    assert [clash.reason for clash in found] == ["Eid al-Fitr (20\u201322 March 2026)"]
    assert found[0].occurrence.key == "eid_al_fitr"


def test_clash_inside_a_transhumance_season() -> None:
    found = clashes([transhumance], date(2027, 1, 12))
    assert [clash.reason for clash in found] == [
        "Transhumance (15 November 2026 \u2013 15 March 2027)"
    ]


def test_no_clash_on_a_free_day() -> None:
    assert _reasons(date(2026, 10, 7)) == []


def test_clash_uses_the_missions_local_date() -> None:
    # 22:00-23:00 UTC on 19 March is 01:00-02:00 on 20 March (Eid) in UTC+3.
    when = (datetime(2026, 3, 19, 22, tzinfo=UTC), datetime(2026, 3, 19, 23, tzinfo=UTC))
    keys_local = [c.occurrence.key for c in clashes(ALL_RULES, when, tz=EAST_AFRICA)]
    assert keys_local == ["eid_al_fitr"]
    keys_utc = [c.occurrence.key for c in clashes(ALL_RULES, when)]
    assert keys_utc == ["ramadan", "market"]


def test_an_activity_ending_at_midnight_does_not_clash_with_the_next_day() -> None:
    when = (
        datetime(2026, 3, 19, 20, tzinfo=EAST_AFRICA),
        datetime(2026, 3, 20, 0, tzinfo=EAST_AFRICA),
    )
    assert [c.occurrence.key for c in clashes(islamic_holiday_rules(), when)] == ["ramadan"]


def test_a_single_datetime() -> None:
    when = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)
    keys = [c.occurrence.key for c in clashes(CHRISTIAN_HOLIDAYS, when, tz=EAST_AFRICA)]
    assert keys == ["christmas"]


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (datetime(2026, 3, 19, 10), "timezone-aware"),  # noqa: DTZ001 - the point of the test
        ((date(2026, 3, 2), date(2026, 3, 1)), "ends before"),
        (
            (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
            "ends before",
        ),
        ((datetime(2026, 3, 1, tzinfo=UTC), date(2026, 3, 2)), "not a mix"),
        ((date(2026, 1, 1), date(2029, 1, 2)), "at most"),
    ],
)
def test_clash_refuses_bad_activity_times(when: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clashes(ALL_RULES, when)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 20), date(2026, 3, 20), "20 March 2026"),
        (date(2026, 3, 20), date(2026, 3, 22), "20\u201322 March 2026"),
        (date(2026, 3, 30), date(2026, 4, 2), "30 March \u2013 2 April 2026"),
        (date(2026, 11, 15), date(2027, 3, 15), "15 November 2026 \u2013 15 March 2027"),
    ],
)
def test_format_span(start: date, end: date, expected: str) -> None:
    assert format_span(start, end) == expected


# --- Hostile input ----------------------------------------------------------------------------


def test_a_range_longer_than_three_years_is_refused() -> None:
    start = date(2026, 1, 1)
    assert occurrences(market, start, start + timedelta(days=MAX_RANGE_DAYS - 1))
    with pytest.raises(ValueError, match="at most"):
        occurrences(market, start, start + timedelta(days=MAX_RANGE_DAYS))
    with pytest.raises(ValueError, match="before start"):
        occurrences(market, start, start - timedelta(days=1))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(1, 1, 1), date(1, 12, 31)),
        (date(9999, 1, 1), date(9999, 12, 31)),
        (date(1500, 1, 1), date(1500, 12, 31)),
    ],
)
def test_unsupported_years_are_refused(start: date, end: date) -> None:
    with pytest.raises(ValueError, match="year must be"):
        occurrences(CHRISTIAN_HOLIDAYS[0], start, end)


def test_hijri_rules_refuse_dates_outside_umm_al_qura() -> None:
    rule = islamic_holiday_rules()[0]
    with pytest.raises(ValueError, match="outside the supported"):
        occurrences(rule, date(2078, 1, 1), date(2078, 12, 31))
    with pytest.raises(ValueError, match="outside the supported"):
        occurrences(rule, date(1900, 1, 1), date(1900, 12, 31))


def _hijri(**kwargs: int) -> HijriAnnualRule:
    return HijriAnnualRule(key="h", label="H", **kwargs)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: WeeklyRule(key="w", label="W", weekdays=frozenset()), "weekdays"),
        (lambda: WeeklyRule(key="w", label="W", weekdays=frozenset({7})), "weekdays"),
        (
            lambda: WeeklyRule(key="w", label="W", weekdays=frozenset({1}), interval_weeks=2),
            "anchor",
        ),
        (
            lambda: WeeklyRule(key="w", label="W", weekdays=frozenset({1}), interval_weeks=0),
            "interval_weeks",
        ),
        (lambda: MonthlyNthWeekdayRule(key="m", label="M", weekday=1, n=6), "n must"),
        (lambda: MonthlyNthWeekdayRule(key="m", label="M", weekday=7, n=1), "weekday"),
        (lambda: FixedAnnualRule(key="f", label="F", month=2, day=30), "day must"),
        (lambda: FixedAnnualRule(key="f", label="F", month=13, day=1), "month must"),
        (lambda: FixedAnnualRule(key="f", label="F", month=1, day=1, duration_days=0), "dur"),
        (
            lambda: SeasonRule(
                key="s", label="S", start_month=2, start_day=29, end_month=3, end_day=1
            ),
            "29 February",
        ),
        (lambda: _hijri(hijri_month=9, hijri_day=1, offset_days=3), "offset_days"),
        (lambda: _hijri(hijri_month=9, hijri_day=1, offset_days=-3), "offset_days"),
        (lambda: _hijri(hijri_month=13, hijri_day=1), "hijri_month"),
        (lambda: _hijri(hijri_month=9, hijri_day=31), "hijri_day"),
        (lambda: _hijri(hijri_month=9, hijri_day=1, duration_days=31), "duration_days"),
        (lambda: EasterRelativeRule(key="e", label="E", offset_days=400), "offset_days"),
        (
            lambda: EasterRelativeRule(key="e", label="E", tradition="coptic"),  # type: ignore[arg-type]
            "tradition",
        ),
        (
            lambda: OnceRule(key="o", label="O", start=date(2026, 1, 2), end=date(2026, 1, 1)),
            "end before",
        ),
    ],
)
def test_invalid_rules_are_refused(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(ValueError, match=message):
        build()


# --- Properties -------------------------------------------------------------------------------

weekday_sets = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)
month_days = st.tuples(
    st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=28)
)
rules: st.SearchStrategy[Rule] = st.one_of(
    st.builds(
        lambda days, interval, anchor: WeeklyRule(
            key="w", label="W", weekdays=days, interval_weeks=interval, anchor=anchor
        ),
        weekday_sets,
        st.integers(min_value=1, max_value=4),
        st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    ),
    st.builds(
        lambda weekday, n: MonthlyNthWeekdayRule(key="m", label="M", weekday=weekday, n=n),
        st.integers(min_value=0, max_value=6),
        st.sampled_from([1, 2, 3, 4, 5, -1]),
    ),
    st.builds(
        lambda md, duration: FixedAnnualRule(
            key="f", label="F", month=md[0], day=md[1], duration_days=duration
        ),
        month_days,
        st.integers(min_value=1, max_value=10),
    ),
    st.builds(
        lambda a, b: SeasonRule(
            key="s", label="S", start_month=a[0], start_day=a[1], end_month=b[0], end_day=b[1]
        ),
        month_days,
        month_days,
    ),
    st.builds(
        lambda offset, tradition: EasterRelativeRule(
            key="e", label="E", offset_days=offset, tradition=tradition
        ),
        st.integers(min_value=-60, max_value=60),
        st.sampled_from(["western", "orthodox"]),
    ),
    st.builds(
        lambda md, duration, offset: HijriAnnualRule(
            key="h",
            label="H",
            hijri_month=md[0],
            hijri_day=md[1],
            duration_days=duration,
            offset_days=offset,
        ),
        month_days,
        st.one_of(st.none(), st.integers(min_value=1, max_value=10)),
        st.integers(min_value=-2, max_value=2),
    ),
)
ranges = st.tuples(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    st.integers(min_value=0, max_value=MAX_RANGE_DAYS - 1),
).map(lambda pair: (pair[0], pair[0] + timedelta(days=pair[1])))


@given(rules, ranges)
def test_every_occurrence_overlaps_the_queried_range(rule: Rule, span: tuple[date, date]) -> None:
    start, end = span
    found = occurrences(rule, start, end)
    assert found == sorted(found, key=lambda o: (o.start, o.end, o.key))
    for occurrence in found:
        assert occurrence.start <= occurrence.end
        assert occurrence.start <= end
        assert occurrence.end >= start
        assert occurrence.kind == rule.kind
        if occurrence.start == occurrence.end:
            assert start <= occurrence.start <= end


@given(weekday_sets, ranges)
def test_weekly_hits_exactly_the_matching_days(
    weekdays: frozenset[int], span: tuple[date, date]
) -> None:
    start, end = span
    rule = WeeklyRule(key="w", label="W", weekdays=weekdays)
    expected = [
        start + timedelta(days=i)
        for i in range((end - start).days + 1)
        if (start + timedelta(days=i)).weekday() in weekdays
    ]
    assert _starts(rule, start, end) == expected


@given(
    st.sampled_from(islamic_holiday_rules()),
    st.integers(min_value=1933, max_value=2070),
    st.integers(min_value=-2, max_value=2),
)
def test_hijri_occurrences_fall_on_their_hijri_date(
    base: HijriAnnualRule, year: int, offset: int
) -> None:
    rule = HijriAnnualRule(
        key=base.key,
        label=base.label,
        hijri_month=base.hijri_month,
        hijri_day=base.hijri_day,
        duration_days=base.duration_days,
        offset_days=offset,
    )
    found = occurrences(rule, date(year, 1, 1), date(year, 12, 31))
    assert 1 <= len(found) <= 2
    for occurrence in found:
        hijri = to_hijri(occurrence.start - timedelta(days=offset))
        assert (hijri.month, hijri.day) == (rule.hijri_month, rule.hijri_day)
