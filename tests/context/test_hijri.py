"""Umm al-Qura conversion and the Islamic holidays of a Gregorian year."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from palava.context.hijri import (
    GREGORIAN_MAX,
    GREGORIAN_MIN,
    ISLAMIC_HOLIDAYS,
    SUPPORTED_GREGORIAN_YEARS,
    HijriDate,
    Occurrence,
    hijri_occurrences,
    islamic_holidays,
    month_length,
    to_gregorian,
    to_hijri,
)

supported_days = st.dates(min_value=GREGORIAN_MIN, max_value=GREGORIAN_MAX)

# Expected holidays of 2026 and 2027: (key, first day, last day).
#
# Source: the Umm al-Qura month lengths published with OpenJDK,
# ``src/java.base/share/classes/java/time/chrono/hijrah-config-Hijrah-umalqura_islamic-umalqura
# .properties`` (``iso-start=1882-11-12`` = 1 Muharram 1300), rows
#   1446=29 30 30 30 29 30 30 29 29 30 29 29
#   1447=30 29 30 30 30 29 30 29 30 29 30 29
#   1448=29 30 29 30 30 29 30 30 29 30 29 30
#   1449=29 29 30 29 30 29 30 30 29 30 30 29
# summed from the ISO start gives 1 Muharram 1447 = 26 June 2025, 1 Ramadan 1447 = 18 Feb 2026,
# 1 Shawwal 1447 = 20 Mar 2026, 1 Dhu al-Hijjah 1447 = 18 May 2026, 1 Muharram 1448 =
# 16 Jun 2026, 1 Ramadan 1448 = 8 Feb 2027 (29 days), 1 Shawwal 1448 = 9 Mar 2027,
# 1 Dhu al-Hijjah 1448 = 7 May 2027, 1 Muharram 1449 = 6 Jun 2027.
# Cross-checked by computing the Umm al-Qura rule (conjunction before sunset at Mecca and
# moonset after sunset on the 29th) with the PyEphem ephemeris for every month May 2025 -
# Nov 2027: all 32 month starts agree. Note 1 Shawwal 1448 is 9 March 2027 and Eid al-Adha 1448
# 16 May 2027 in Umm al-Qura; sighting-based calendars often put them a day later (offset +1).
HOLIDAYS_2026 = [
    ("isra_miraj", date(2026, 1, 16), date(2026, 1, 16)),
    ("ramadan", date(2026, 2, 18), date(2026, 3, 19)),
    ("ramadan_start", date(2026, 2, 18), date(2026, 2, 18)),
    ("laylat_al_qadr", date(2026, 3, 16), date(2026, 3, 16)),
    ("eid_al_fitr", date(2026, 3, 20), date(2026, 3, 22)),
    ("day_of_arafah", date(2026, 5, 26), date(2026, 5, 26)),
    ("eid_al_adha", date(2026, 5, 27), date(2026, 5, 30)),
    ("islamic_new_year", date(2026, 6, 16), date(2026, 6, 16)),
    ("ashura", date(2026, 6, 25), date(2026, 6, 25)),
    ("mawlid", date(2026, 8, 25), date(2026, 8, 25)),
]
HOLIDAYS_2027 = [
    ("isra_miraj", date(2027, 1, 5), date(2027, 1, 5)),
    ("ramadan_start", date(2027, 2, 8), date(2027, 2, 8)),
    ("ramadan", date(2027, 2, 8), date(2027, 3, 8)),
    ("laylat_al_qadr", date(2027, 3, 6), date(2027, 3, 6)),
    ("eid_al_fitr", date(2027, 3, 9), date(2027, 3, 11)),
    ("day_of_arafah", date(2027, 5, 15), date(2027, 5, 15)),
    ("eid_al_adha", date(2027, 5, 16), date(2027, 5, 19)),
    ("islamic_new_year", date(2027, 6, 6), date(2027, 6, 6)),
    ("ashura", date(2027, 6, 15), date(2027, 6, 15)),
    ("mawlid", date(2027, 8, 14), date(2027, 8, 14)),
    ("isra_miraj", date(2027, 12, 25), date(2027, 12, 25)),
]


def _as_rows(year: int, offset_days: int = 0) -> list[tuple[str, date, date]]:
    return [(o.key, o.start, o.end) for o in islamic_holidays(year, offset_days=offset_days)]


@pytest.mark.parametrize(
    ("year", "expected"), [(2026, HOLIDAYS_2026), (2027, HOLIDAYS_2027)], ids=["2026", "2027"]
)
def test_islamic_holidays_match_the_umm_al_qura_table(
    year: int, expected: list[tuple[str, date, date]]
) -> None:
    """Acceptance (#8): every holiday of 2026 and 2027 against the cited table above."""
    assert sorted(_as_rows(year)) == sorted(expected)


@pytest.mark.parametrize(
    ("hijri", "gregorian"),
    [
        ((1447, 9, 1), date(2026, 2, 18)),  # 1 Ramadan 1447
        ((1447, 10, 1), date(2026, 3, 20)),  # 1 Shawwal 1447
        ((1447, 12, 10), date(2026, 5, 27)),  # 10 Dhu al-Hijjah 1447
        ((1448, 1, 1), date(2026, 6, 16)),  # 1 Muharram 1448
        ((1448, 3, 12), date(2026, 8, 25)),  # 12 Rabi al-Awwal 1448
        ((1448, 9, 1), date(2027, 2, 8)),  # 1 Ramadan 1448
        ((1448, 10, 1), date(2027, 3, 9)),  # 1 Shawwal 1448
        ((1448, 12, 10), date(2027, 5, 16)),  # 10 Dhu al-Hijjah 1448
        ((1351, 1, 1), GREGORIAN_MIN),
        ((1500, 12, 30), GREGORIAN_MAX),
    ],
)
def test_conversion_both_ways(hijri: tuple[int, int, int], gregorian: date) -> None:
    assert to_gregorian(*hijri) == gregorian
    assert to_hijri(gregorian) == HijriDate(*hijri)


def test_ramadan_1448_has_29_days_and_1447_has_30() -> None:
    assert month_length(1447, 9) == 30
    assert month_length(1448, 9) == 29
    with pytest.raises(ValueError, match="only 29 days"):
        to_gregorian(1448, 9, 30)


def test_labels_are_readable() -> None:
    eid = next(o for o in islamic_holidays(2026) if o.key == "eid_al_fitr")
    assert str(eid.label) == "Eid al-Fitr"
    assert eid.kind == "hijri_annual"
    assert len({h.key for h in ISLAMIC_HOLIDAYS}) == len(ISLAMIC_HOLIDAYS)


def test_a_gregorian_year_can_hold_a_holiday_twice() -> None:
    """Islamic New Year fell on 10 January and 29 December 2008 (1429 and 1430 AH); 1 Ramadan
    on 5 January and 26 December 2030 (1451 and 1452 AH, same in the OpenJDK table)."""
    new_years = [o.start for o in islamic_holidays(2008) if o.key == "islamic_new_year"]
    assert new_years == [date(2008, 1, 10), date(2008, 12, 29)]
    ramadan_starts = [o.start for o in islamic_holidays(2030) if o.key == "ramadan_start"]
    assert ramadan_starts == [date(2030, 1, 5), date(2030, 12, 26)]


def test_a_holiday_across_new_year_belongs_to_both_years() -> None:
    ramadan_2030 = [o for o in islamic_holidays(2030) if o.key == "ramadan"][-1]
    ramadan_2031 = next(o for o in islamic_holidays(2031) if o.key == "ramadan")
    assert ramadan_2030 == ramadan_2031
    assert (ramadan_2030.start, ramadan_2030.end) == (date(2030, 12, 26), date(2031, 1, 23))


@pytest.mark.parametrize("offset", [-2, -1, 1, 2])
def test_offset_shifts_every_date_for_local_moon_sighting(offset: int) -> None:
    shift = timedelta(days=offset)
    expected = [(key, start + shift, end + shift) for key, start, end in HOLIDAYS_2026]
    shifted = _as_rows(2026, offset_days=offset)
    # Shifting may push a holiday into or out of the Gregorian year; compare the 2026 ones.
    assert [row for row in shifted if row in expected] == sorted(
        expected, key=lambda row: (row[1], row[2])
    )
    eid = next(row for row in shifted if row[0] == "eid_al_fitr")
    assert eid[1] == date(2026, 3, 20) + shift


@pytest.mark.parametrize("offset", [-3, 3, 30])
def test_offset_out_of_bounds_is_refused(offset: int) -> None:
    with pytest.raises(ValueError, match="offset_days"):
        islamic_holidays(2026, offset_days=offset)


@pytest.mark.parametrize("year", [1932, 1924, 1900, 2077, 2200, -1, 0])
def test_years_outside_umm_al_qura_are_refused(year: int) -> None:
    with pytest.raises(ValueError, match="supported"):
        islamic_holidays(year)


@pytest.mark.parametrize(
    "day", [GREGORIAN_MIN - timedelta(days=1), GREGORIAN_MAX + timedelta(days=1), date(1, 1, 1)]
)
def test_dates_outside_umm_al_qura_are_refused(day: date) -> None:
    with pytest.raises(ValueError, match="outside the supported"):
        to_hijri(day)


@pytest.mark.parametrize(
    ("year", "month", "day", "message"),
    [
        (1342, 12, 29, "outside the supported"),
        (1501, 1, 1, "outside the supported"),
        (1447, 0, 1, "month"),
        (1447, 13, 1, "month"),
        (1447, 1, 0, "day"),
        (1447, 1, 31, "day"),
    ],
)
def test_invalid_hijri_dates_are_refused(year: int, month: int, day: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_gregorian(year, month, day)


def _ramadan(duration_days: int, start: date, end: date) -> list[Occurrence]:
    return hijri_occurrences(
        key="k",
        label="K",
        month=9,
        day=1,
        offset_days=0,
        duration_days=duration_days,
        start=start,
        end=end,
    )


def test_hijri_occurrences_refuse_bad_arguments() -> None:
    with pytest.raises(ValueError, match="duration_days"):
        _ramadan(0, date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(ValueError, match="before start"):
        _ramadan(1, date(2026, 1, 2), date(2026, 1, 1))
    with pytest.raises(ValueError, match="outside the supported"):
        _ramadan(1, date(2077, 1, 1), date(2078, 1, 1))


def test_day_30_is_skipped_in_a_29_day_month() -> None:
    # Ramadan 1447 has 30 days, Ramadan 1448 has 29.
    found = hijri_occurrences(
        key="r30",
        label="30 Ramadan",
        month=9,
        day=30,
        duration_days=1,
        offset_days=0,
        start=date(2026, 1, 1),
        end=date(2027, 12, 31),
    )
    assert [o.start for o in found] == [date(2026, 3, 19)]


@given(supported_days)
def test_round_trip_over_the_supported_range(day: date) -> None:
    hijri = to_hijri(day)
    assert to_gregorian(hijri.year, hijri.month, hijri.day) == day


@given(st.dates(min_value=GREGORIAN_MIN, max_value=GREGORIAN_MAX - timedelta(days=1)))
def test_the_next_day_is_the_next_hijri_day(day: date) -> None:
    today, tomorrow = to_hijri(day), to_hijri(day + timedelta(days=1))
    if tomorrow.day == 1:
        assert today.day == month_length(today.year, today.month) in (29, 30)
        assert (tomorrow.year * 12 + tomorrow.month) == (today.year * 12 + today.month) + 1
    else:
        assert (tomorrow.year, tomorrow.month, tomorrow.day) == (
            today.year,
            today.month,
            today.day + 1,
        )


@given(
    st.integers(min_value=SUPPORTED_GREGORIAN_YEARS.start, max_value=2076),
    st.integers(min_value=-2, max_value=2),
)
def test_every_holiday_touches_its_year(year: int, offset: int) -> None:
    found = islamic_holidays(year, offset_days=offset)
    assert found
    for occurrence in found:
        assert occurrence.start.year <= year <= occurrence.end.year
        assert occurrence.start <= occurrence.end
    # Each holiday of the table occurs at least once a Gregorian year (the Hijri year is shorter).
    assert {o.key for o in found} == {h.key for h in ISLAMIC_HOLIDAYS}
