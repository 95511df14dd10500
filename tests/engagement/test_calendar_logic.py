"""The calendar's pure logic: month arithmetic, the Monday-first grid, iCalendar escaping."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from palava.engagement import calendar as cal

D = dt.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02", D(2024, 2, 1)),
        ("2026-12", D(2026, 12, 1)),
        (" 2025-07 ", D(2025, 7, 1)),
        ("2024-13", D(2026, 11, 1)),
        ("2024-00", D(2026, 11, 1)),
        ("24-02", D(2026, 11, 1)),
        ("0001-01", D(2026, 11, 1)),
        ("9999-12", D(2026, 11, 1)),
        ("", D(2026, 11, 1)),
        (None, D(2026, 11, 1)),
        ("2024-02-01", D(2026, 11, 1)),
        ("<script>", D(2026, 11, 1)),
    ],
)
def test_parse_month(value: str | None, expected: dt.date) -> None:
    assert cal.parse_month(value, D(2026, 11, 25)) == expected


def test_shift_month_across_years_and_limits() -> None:
    assert cal.shift_month(D(2026, 12, 1), 1) == D(2027, 1, 1)
    assert cal.shift_month(D(2026, 1, 1), -1) == D(2025, 12, 1)
    assert cal.shift_month(D(2026, 3, 1), -14) == D(2025, 1, 1)
    assert cal.shift_month(D(cal.MIN_YEAR, 1, 1), -1) is None
    assert cal.shift_month(D(cal.MAX_YEAR, 12, 1), 1) is None


@pytest.mark.parametrize(
    ("month", "last"),
    [
        (D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        (D(2023, 2, 1), D(2023, 2, 28)),
        (D(2100, 2, 1), D(2100, 2, 28)),  # not a leap year
        (D(2000, 2, 1), D(2000, 2, 29)),
        (D(2026, 12, 1), D(2026, 12, 31)),
        (D(2026, 4, 1), D(2026, 4, 30)),
    ],
)
def test_month_end(month: dt.date, last: dt.date) -> None:
    assert cal.month_end(month) == last


def test_leap_february_grid_starts_monday_and_holds_the_29th() -> None:
    weeks = cal.month_grid(D(2024, 2, 1), today=D(2024, 2, 29))
    assert weeks[0][0].day == D(2024, 1, 29)  # Monday before Thursday 1 February
    assert weeks[-1][-1].day == D(2024, 3, 3)  # Sunday after Thursday 29 February
    assert len(weeks) == 5
    days = [cell for week in weeks for cell in week]
    assert [c.day for c in days if c.in_month][-1] == D(2024, 2, 29)
    assert sum(c.in_month for c in days) == 29
    assert [c.day for c in days if c.is_today] == [D(2024, 2, 29)]
    assert not days[0].in_month


def test_month_starting_monday_with_28_days_is_four_weeks() -> None:
    weeks = cal.month_grid(D(2021, 2, 1), today=D(2000, 1, 1))
    assert len(weeks) == 4
    assert weeks[0][0].day == D(2021, 2, 1)
    assert all(cell.in_month for week in weeks for cell in week)
    assert not any(cell.is_today for week in weeks for cell in week)


def test_month_starting_sunday_takes_six_weeks() -> None:
    weeks = cal.month_grid(D(2024, 9, 1), today=D(2024, 9, 1))  # Sunday 1 September
    assert weeks[0][0].day == D(2024, 8, 26)
    assert weeks[0][6].day == D(2024, 9, 1)
    assert weeks[0][6].is_today
    assert len(weeks) == 6
    assert weeks[-1][-1].day == D(2024, 10, 6)


@given(st.dates(min_value=D(1901, 1, 1), max_value=D(2998, 12, 31)))
def test_grid_properties(day: dt.date) -> None:
    weeks = cal.month_grid(day, today=day)
    cells = [cell for week in weeks for cell in week]
    assert all(len(week) == 7 for week in weeks)
    assert all(week[0].day.weekday() == 0 for week in weeks)
    assert sum(cell.in_month for cell in cells) == cal.month_end(day).day
    assert [c.day for c in cells] == [
        cells[0].day + dt.timedelta(days=i) for i in range(len(cells))
    ]
    assert sum(cell.is_today for cell in cells) == 1


def _item(day: dt.date, kind: str = cal.KIND_ACTIVITY, ref: str = "x") -> cal.CalendarItem:
    return cal.CalendarItem(
        kind=kind,
        uid=f"{kind}-{ref}@palava",
        day=day,
        title=ref,
        reference=ref,
        place_name="Alpha",
        place_pcode="T11",
        url="",
    )


def test_items_placed_on_their_days_and_outside_left_out() -> None:
    weeks = cal.month_grid(D(2024, 2, 1), today=D(2024, 2, 1))
    cal.place_items(
        weeks,
        [
            _item(D(2024, 2, 29), cal.KIND_COMMITMENT, "C-0002"),
            _item(D(2024, 2, 29), cal.KIND_ACTIVITY, "Forum"),
            _item(D(2024, 1, 29), ref="Edge"),
            _item(D(2024, 4, 1), ref="Far"),
        ],
    )
    cells = {cell.day: cell for week in weeks for cell in week}
    assert [i.reference for i in cells[D(2024, 2, 29)].items] == ["Forum", "C-0002"]
    assert [i.reference for i in cells[D(2024, 1, 29)].items] == ["Edge"]
    assert sum(len(c.items) for c in cells.values()) == 3


def test_agenda_groups_by_day_in_order() -> None:
    grouped = cal.agenda([_item(D(2024, 3, 2), ref="b"), _item(D(2024, 3, 1), ref="a")])
    assert [day for day, _items in grouped] == [D(2024, 3, 1), D(2024, 3, 2)]


# --- iCalendar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Forum, Goma; phase 1", "Forum\\, Goma\\; phase 1"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("crlf\r\nline", "crlf\\nline"),
        ("bell\x07 and\ttab", "bell and\ttab".replace("\t", "")),
        ("سلام، غوما", "سلام، غوما"),
    ],
)
def test_ics_escape(raw: str, escaped: str) -> None:
    assert cal.ics_escape(raw) == escaped


def test_ics_injection_cannot_add_properties() -> None:
    text = cal.ics_escape("Title\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:evil")
    assert "\r" not in text
    assert "\n" not in text


@given(st.text(min_size=0, max_size=400))
def test_ics_fold_limits_octets_and_unfolds_to_the_original(text: str) -> None:
    line = "SUMMARY:" + cal.ics_escape(text)
    folded = cal.ics_fold(line)
    physical = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= cal.FOLD_OCTETS for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert folded.replace("\r\n ", "") == line


def test_ics_fold_never_splits_a_multibyte_character() -> None:
    line = "SUMMARY:" + "é" * 100
    for part in cal.ics_fold(line).split("\r\n"):
        part.encode("utf-8").decode("utf-8")
        assert len(part.encode("utf-8")) <= 75


def test_ics_calendar_structure() -> None:
    at = dt.datetime(2024, 2, 29, 8, 30, tzinfo=dt.UTC)
    activity = cal.CalendarItem(
        kind=cal.KIND_ACTIVITY,
        uid="activity-1@palava",
        day=at.date(),
        title="Forum",
        reference="Forum",
        place_name="Alpha, north",
        place_pcode="T11",
        url="https://example.org/a",
        at=at,
        ends_at=at + dt.timedelta(hours=2),
        type_label="Dialogue forum",
        status_label="Held",
        cancelled=True,
    )
    due = _item(D(2024, 2, 29), cal.KIND_COMMITMENT, "C-0001")
    body = cal.ics_calendar(
        [(activity, "Forum (Dialogue forum)"), (due, "Commitment C-0001 due")],
        now=at,
        name="Calendar",
    )
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert body.count("BEGIN:VEVENT") == 2 == body.count("END:VEVENT")
    assert "DTSTART:20240229T083000Z" in body
    assert "DTEND:20240229T103000Z" in body
    assert "LOCATION:Alpha\\, north (T11)" in body
    assert "STATUS:CANCELLED" in body
    assert "DTSTART;VALUE=DATE:20240229\r\nDTEND;VALUE=DATE:20240301" in body
    assert "UID:commitment-C-0001@palava" in body
