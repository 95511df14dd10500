"""Clash detection: which occurrences overlap a proposed activity, and the reason shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from palava.context.hijri import Occurrence
from palava.context.recurrence.expansion import occurrences
from palava.context.recurrence.rules import Rule


@dataclass(frozen=True, slots=True)
class Clash:
    """An occurrence that overlaps a proposed activity, with the reason shown to the user."""

    occurrence: Occurrence
    reason: str


# --- Clashes ------------------------------------------------------------------------------


def _month(day: date) -> str:
    # Django's month names in the active language ("mars" in French: its "alternative" names
    # are capitalised there).
    return str(MONTHS[day.month])


def format_span(start: date, end: date) -> str:
    """A span of dates in the active language, joined by an en dash; in English
    ``20 March 2026``, ``20\u201322 March 2026``, ``30 March \u2013 2 April 2026`` or
    ``15 November 2026 \u2013 15 March 2027``."""
    if start == end:
        return _("%(day)s %(month)s %(year)s") % {
            "day": start.day,
            "month": _month(start),
            "year": start.year,
        }
    if (start.year, start.month) == (end.year, end.month):
        return _("%(start_day)s–%(end_day)s %(month)s %(year)s") % {  # noqa: RUF001
            "start_day": start.day,
            "end_day": end.day,
            "month": _month(end),
            "year": end.year,
        }
    if start.year == end.year:
        return _(
            "%(start_day)s %(start_month)s – "  # noqa: RUF001
            "%(end_day)s %(end_month)s %(year)s"
        ) % {
            "start_day": start.day,
            "start_month": _month(start),
            "end_day": end.day,
            "end_month": _month(end),
            "year": end.year,
        }
    return _("%(start)s – %(end)s") % {  # noqa: RUF001
        "start": format_span(start, start),
        "end": format_span(end, end),
    }


def clash_reason(occurrence: Occurrence) -> str:
    """The warning shown for a clash in the active language, e.g.
    ``Eid al-Fitr (20\u201322 March 2026)``."""
    return _("%(event)s (%(dates)s)") % {
        "event": occurrence.label,
        "dates": format_span(occurrence.start, occurrence.end),
    }


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
