"""Gregorian <-> Hijri conversion (Umm al-Qura) and the Islamic holidays as data.

The conversion uses the ``hijridate`` package, which carries the Umm al-Qura calendar of Saudi
Arabia as a table of month starts for 1343-1500 AH. Its early years hold three 31-day months
(1345, 1348 and 1349 AH), so Palava supports 1351-1500 AH (7 May 1932 - 16 November 2077). Outside
that range every function here raises :class:`ValueError`.

Umm al-Qura is computed in advance from the moon's position over Mecca. Local observance often
differs by a day (or, rarely, two): a country or community that waits for the crescent to be seen
may start Ramadan or celebrate an Eid a day later. Every function that yields holidays therefore
takes ``offset_days`` (-2..+2), which shifts every date by that many days; a mission sets it from
local practice.

:class:`Occurrence` (a labelled, inclusive span of dates) lives here because this is the lowest
module of the calendar; :mod:`palava.context.recurrence` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from django.utils.translation import gettext_lazy as _
from hijridate import Gregorian, Hijri

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "GREGORIAN_MAX",
    "GREGORIAN_MIN",
    "HIJRI_ANNUAL",
    "HIJRI_MAX_YEAR",
    "HIJRI_MIN_YEAR",
    "ISLAMIC_HOLIDAYS",
    "MAX_OFFSET_DAYS",
    "SUPPORTED_GREGORIAN_YEARS",
    "HijriDate",
    "IslamicHoliday",
    "Occurrence",
    "check_offset",
    "hijri_occurrences",
    "islamic_holidays",
    "month_length",
    "to_gregorian",
    "to_hijri",
]

HIJRI_MIN_YEAR: Final = 1351
HIJRI_MAX_YEAR: Final = 1500
GREGORIAN_MIN: Final = date(1932, 5, 7)  # 1 Muharram 1351
GREGORIAN_MAX: Final = date(2077, 11, 16)  # 30 Dhu al-Hijjah 1500
#: Gregorian years that lie wholly inside the supported range.
SUPPORTED_GREGORIAN_YEARS: Final = range(GREGORIAN_MIN.year + 1, GREGORIAN_MAX.year)
MAX_OFFSET_DAYS: Final = 2
#: The ``kind`` of every occurrence computed from the Hijri calendar.
HIJRI_ANNUAL: Final = "hijri_annual"


@dataclass(frozen=True, slots=True)
class HijriDate:
    """A date in the Umm al-Qura calendar; months are numbered 1 (Muharram) to 12."""

    year: int
    month: int
    day: int


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a calendar rule: the dates ``start`` to ``end``, both included."""

    key: str
    label: StrOrPromise
    start: date
    end: date
    kind: str

    def overlaps(self, start: date, end: date) -> bool:
        """Whether this occurrence shares at least one day with ``start``..``end``."""
        return self.start <= end and self.end >= start


@dataclass(frozen=True, slots=True)
class IslamicHoliday:
    """An Islamic holiday on a fixed Hijri date.

    ``duration_days`` is the number of days observed; ``None`` means "to the end of the Hijri
    month", which is 29 or 30 days depending on the year (used for Ramadan as a whole).
    """

    key: str
    month: int
    day: int
    duration_days: int | None
    label: StrOrPromise


ISLAMIC_HOLIDAYS: Final[tuple[IslamicHoliday, ...]] = (
    IslamicHoliday("islamic_new_year", 1, 1, 1, _("Islamic New Year")),
    IslamicHoliday("ashura", 1, 10, 1, _("Ashura")),
    IslamicHoliday("mawlid", 3, 12, 1, _("Mawlid (Birth of the Prophet)")),
    IslamicHoliday("isra_miraj", 7, 27, 1, _("Isra and Mi'raj")),
    IslamicHoliday("ramadan_start", 9, 1, 1, _("Start of Ramadan")),
    IslamicHoliday("ramadan", 9, 1, None, _("Ramadan")),
    # Observed in the night before the 27th, i.e. the evening of the Gregorian day before.
    IslamicHoliday("laylat_al_qadr", 9, 27, 1, _("Laylat al-Qadr")),
    IslamicHoliday("eid_al_fitr", 10, 1, 3, _("Eid al-Fitr")),
    IslamicHoliday("day_of_arafah", 12, 9, 1, _("Day of Arafah")),
    IslamicHoliday("eid_al_adha", 12, 10, 4, _("Eid al-Adha")),
)


def _out_of_range(what: str) -> ValueError:
    return ValueError(
        f"{what} is outside the supported Umm al-Qura range "
        f"({HIJRI_MIN_YEAR}-{HIJRI_MAX_YEAR} AH, {GREGORIAN_MIN.isoformat()} to "
        f"{GREGORIAN_MAX.isoformat()})"
    )


def _check_hijri(year: int, month: int, day: int | None = None) -> None:
    if not HIJRI_MIN_YEAR <= year <= HIJRI_MAX_YEAR:
        raise _out_of_range(f"Hijri year {year}")
    if not 1 <= month <= 12:
        raise ValueError(f"Hijri month must be 1-12, not {month}")
    if day is not None and not 1 <= day <= 30:
        raise ValueError(f"Hijri day must be 1-30, not {day}")


def check_offset(offset_days: int) -> None:
    """Reject a moon-sighting offset outside -2..+2."""
    if not -MAX_OFFSET_DAYS <= offset_days <= MAX_OFFSET_DAYS:
        raise ValueError(
            f"offset_days must be between -{MAX_OFFSET_DAYS} and +{MAX_OFFSET_DAYS}, "
            f"not {offset_days}"
        )


def to_hijri(day: date) -> HijriDate:
    """The Umm al-Qura date of a Gregorian date."""
    if not GREGORIAN_MIN <= day <= GREGORIAN_MAX:
        raise _out_of_range(f"Date {day.isoformat()}")
    year, month, dom = Gregorian(day.year, day.month, day.day).to_hijri().datetuple()
    return HijriDate(year, month, dom)


def month_length(year: int, month: int) -> int:
    """Number of days (29 or 30) of a Hijri month in the Umm al-Qura calendar."""
    _check_hijri(year, month)
    return Hijri(year, month, 1).month_length()


def to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian date of an Umm al-Qura date; day 30 of a 29-day month is an error."""
    _check_hijri(year, month, day)
    if day > month_length(year, month):
        raise ValueError(f"Hijri month {month} of {year} has only 29 days")
    gregorian = Hijri(year, month, day).to_gregorian()
    return date(gregorian.year, gregorian.month, gregorian.day)


def hijri_occurrences(
    *,
    key: str,
    label: StrOrPromise,
    month: int,
    day: int,
    duration_days: int | None,
    offset_days: int,
    start: date,
    end: date,
) -> list[Occurrence]:
    """Every occurrence of a yearly Hijri date that overlaps ``start``..``end``, by start date.

    A Hijri year is about 11 days shorter than a Gregorian one, so a range can hold two
    occurrences from consecutive Hijri years. Day 30 is skipped in years where the month has 29
    days. ``duration_days=None`` runs to the end of the Hijri month.
    """
    _check_hijri(HIJRI_MIN_YEAR, month, day)
    check_offset(offset_days)
    if duration_days is not None and not 1 <= duration_days <= 30:
        raise ValueError(f"duration_days must be 1-30 or None, not {duration_days}")
    if end < start:
        raise ValueError("end is before start")
    if start < GREGORIAN_MIN or end > GREGORIAN_MAX:
        raise _out_of_range(f"Range {start.isoformat()} to {end.isoformat()}")
    # An occurrence that started up to a month (+ offset) before ``start`` may still overlap it.
    slack = timedelta(days=31 + MAX_OFFSET_DAYS)
    first_year = to_hijri(max(start - slack, GREGORIAN_MIN)).year
    last_year = to_hijri(min(end + slack, GREGORIAN_MAX)).year
    found: list[Occurrence] = []
    for year in range(first_year, last_year + 1):
        length = month_length(year, month)
        if day > length:
            continue
        days = length - day + 1 if duration_days is None else duration_days
        first = to_gregorian(year, month, day) + timedelta(days=offset_days)
        occurrence = Occurrence(
            key=key,
            label=label,
            start=first,
            end=first + timedelta(days=days - 1),
            kind=HIJRI_ANNUAL,
        )
        if occurrence.overlaps(start, end):
            found.append(occurrence)
    return found


def islamic_holidays(year: int, offset_days: int = 0) -> list[Occurrence]:
    """Every Islamic holiday of :data:`ISLAMIC_HOLIDAYS` with a day in Gregorian ``year``.

    Sorted by start date. A holiday can occur twice in one Gregorian year (e.g. the start of
    Ramadan in 2030), and one that spans New Year's Day appears in both years.
    """
    if year not in SUPPORTED_GREGORIAN_YEARS:
        raise ValueError(
            f"Year {year} is outside the supported years {SUPPORTED_GREGORIAN_YEARS.start}-"
            f"{SUPPORTED_GREGORIAN_YEARS.stop - 1} of the Umm al-Qura calendar"
        )
    check_offset(offset_days)
    found: list[Occurrence] = []
    for holiday in ISLAMIC_HOLIDAYS:
        found.extend(
            hijri_occurrences(
                key=holiday.key,
                label=holiday.label,
                month=holiday.month,
                day=holiday.day,
                duration_days=holiday.duration_days,
                offset_days=offset_days,
                start=date(year, 1, 1),
                end=date(year, 12, 31),
            )
        )
    return sorted(found, key=lambda occurrence: (occurrence.start, occurrence.end))
