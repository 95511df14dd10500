"""The engagement calendar's pure logic: month arithmetic, the Monday-first grid, and iCalendar.

Nothing here touches the database. ``calendar_selectors`` gathers the items; views lay them on
the grid with :func:`month_grid` and :func:`place_items`, or write them with :func:`ics_calendar`.

iCalendar (RFC 5545): text values escape backslash, semicolon, comma and newlines (3.3.11);
content lines are folded at 75 octets with CRLF followed by one space, never inside a UTF-8
sequence (3.1). UIDs are stable per record (``<kind>-<public id>@palava``), so calendar clients
update an event instead of duplicating it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

KIND_ACTIVITY = "activity"
KIND_COMMITMENT = "commitment"
KIND_DELIVERABLE = "deliverable"

MIN_YEAR = 1900
MAX_YEAR = 2999
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class CalendarItem:
    """One thing on the calendar: an activity, an open commitment's or a deliverable's due date.

    ``title`` holds only titles and references (never names of people); ``at`` is set for
    activities (an aware datetime), ``None`` for all-day due dates.
    """

    kind: str
    uid: str
    day: dt.date
    title: str
    reference: str
    place_name: str
    place_pcode: str
    url: str
    status: str = ""
    status_label: str = ""
    type_code: str = ""
    type_label: str = ""
    at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    overdue: bool = False
    cancelled: bool = False


@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    is_today: bool
    items: list[CalendarItem] = field(default_factory=list)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """``"YYYY-MM"`` as the first day of that month; anything else is the current month."""
    match = _MONTH.match((value or "").strip())
    if match is None:
        return month_start(today)
    year, month = int(match.group(1)), int(match.group(2))
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return month_start(today)
    return dt.date(year, month, 1)


def shift_month(month: dt.date, delta: int) -> dt.date | None:
    """The first day of the month ``delta`` months away, or None outside the supported years."""
    index = month.year * 12 + (month.month - 1) + delta
    year, zero_month = divmod(index, 12)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    return dt.date(year, zero_month + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def grid_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """First (a Monday) and last (a Sunday) day shown for ``month``'s month."""
    first = month_start(month)
    last = month_end(month)
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


def month_grid(month: dt.date, today: dt.date) -> list[list[CalendarDay]]:
    """The weeks (Monday to Sunday) covering ``month``'s month, days of other months flagged."""
    start, end = grid_bounds(month)
    weeks: list[list[CalendarDay]] = []
    day = start
    while day <= end:
        week = []
        for _ in range(7):
            week.append(
                CalendarDay(day=day, in_month=day.month == month.month, is_today=day == today)
            )
            day += dt.timedelta(days=1)
        weeks.append(week)
    return weeks


def _sort_key(item: CalendarItem) -> tuple[dt.date, int, str, str]:
    time_key = item.at.isoformat() if item.at is not None else ""
    order = {KIND_ACTIVITY: 0, KIND_COMMITMENT: 1, KIND_DELIVERABLE: 2}.get(item.kind, 3)
    return (item.day, order, time_key, item.reference)


def sort_items(items: Iterable[CalendarItem]) -> list[CalendarItem]:
    return sorted(items, key=_sort_key)


def place_items(weeks: list[list[CalendarDay]], items: Iterable[CalendarItem]) -> None:
    """Put each item on its day of the grid (items outside the grid are left out)."""
    days = {cell.day: cell for week in weeks for cell in week}
    for item in sort_items(items):
        cell = days.get(item.day)
        if cell is not None:
            cell.items.append(item)


def agenda(items: Iterable[CalendarItem]) -> list[tuple[dt.date, list[CalendarItem]]]:
    """Items grouped by day, in date order (the list under the grid for small screens)."""
    grouped: dict[dt.date, list[CalendarItem]] = {}
    for item in sort_items(items):
        grouped.setdefault(item.day, []).append(item)
    return list(grouped.items())


# --- iCalendar -------------------------------------------------------------------------------

FOLD_OCTETS = 75


def ics_escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11); control characters other than newline dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or (ord(ch) >= 32 and ord(ch) != 127))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold one content line into lines of at most 75 octets (continuations begin with a space)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= FOLD_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = FOLD_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current = ""
            size = 0
            limit = FOLD_OCTETS - 1  # the leading space of a continuation counts
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def ics_event(item: CalendarItem, now: dt.datetime, summary: str) -> list[str]:
    """The content lines (unfolded) of one VEVENT."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ics_escape(item.uid)}",
        f"DTSTAMP:{_utc(now)}",
    ]
    if item.at is not None:
        lines.append(f"DTSTART:{_utc(item.at)}")
        if item.ends_at is not None and item.ends_at > item.at:
            lines.append(f"DTEND:{_utc(item.ends_at)}")
    else:
        lines.append(f"DTSTART;VALUE=DATE:{_date(item.day)}")
        lines.append(f"DTEND;VALUE=DATE:{_date(item.day + dt.timedelta(days=1))}")
    lines.append(f"SUMMARY:{ics_escape(summary)}")
    if item.place_name:
        place = f"{item.place_name} ({item.place_pcode})" if item.place_pcode else item.place_name
        lines.append(f"LOCATION:{ics_escape(place)}")
    if item.type_label or item.status_label:
        parts = [p for p in (item.type_label, item.status_label) if p]
        lines.append(f"DESCRIPTION:{ics_escape(' · '.join(parts))}")
    if item.cancelled:
        lines.append("STATUS:CANCELLED")
    if item.url:
        lines.append(f"URL:{item.url}")
    lines.append("END:VEVENT")
    return lines


def ics_calendar(events: Sequence[tuple[CalendarItem, str]], *, now: dt.datetime, name: str) -> str:
    """A whole VCALENDAR: ``events`` pairs each item with its summary line."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Palava//Engagement calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
    ]
    for item, summary in events:
        lines.extend(ics_event(item, now, summary))
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)
