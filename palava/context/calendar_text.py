"""The cultural calendar in words: a rule described for people, Hijri month names, and the
labels the calendar pages share.

:func:`describe_rule` turns a stored ``rule_kind`` + ``rule`` into a short translated sentence
("Every Thursday", "1 Shawwal (3 days), Hijri calendar", "1 August - 30 September every
year", with an en dash). It never raises: a rule that does not validate reads "Invalid rule".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from django.utils import formats
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from palava.context.calendar_rules import rule_params_clean
from palava.context.calendar_selectors import HIJRI_MONTHS as HIJRI_MONTH_NAMES
from palava.context.calendar_selectors import format_hijri
from palava.context.recurrence.rules import RuleKind

EN_DASH: Final = "\u2013"

#: The Umm al-Qura months, 1 (Muharram) to 12 (Dhu al-Hijjah).
HIJRI_MONTHS: Final = dict(enumerate(HIJRI_MONTH_NAMES, start=1))

#: The kinds of recurrence as offered in the event form, in a sensible order.
RULE_KIND_LABELS: Final = {
    RuleKind.WEEKLY: gettext_lazy("Every week (market days)"),
    RuleKind.MONTHLY_NTH_WEEKDAY: gettext_lazy("A weekday of every month (e.g. first Friday)"),
    RuleKind.FIXED_ANNUAL: gettext_lazy("Same date every year (national day)"),
    RuleKind.FIXED_CHRISTIAN: gettext_lazy("Christian feast on a fixed date"),
    RuleKind.EASTER_RELATIVE: gettext_lazy("Christian feast around Easter"),
    RuleKind.HIJRI_ANNUAL: gettext_lazy("Islamic date (Hijri calendar)"),
    RuleKind.SEASON: gettext_lazy("Season (harvest, transhumance)"),
    RuleKind.ONCE: gettext_lazy("Once (local ceremony)"),
}

#: Which weekday of the month, as offered in the form (1..5, -1 = the last).
ORDINALS: Final = {
    1: gettext_lazy("First"),
    2: gettext_lazy("Second"),
    3: gettext_lazy("Third"),
    4: gettext_lazy("Fourth"),
    5: gettext_lazy("Fifth"),
    -1: gettext_lazy("Last"),
}

#: The monthly rule in words, per ordinal (whole sentences: word order differs by language).
MONTHLY_PHRASES: Final = {
    1: gettext_lazy("The first %(weekday)s of every month"),
    2: gettext_lazy("The second %(weekday)s of every month"),
    3: gettext_lazy("The third %(weekday)s of every month"),
    4: gettext_lazy("The fourth %(weekday)s of every month"),
    5: gettext_lazy("The fifth %(weekday)s of every month"),
    -1: gettext_lazy("The last %(weekday)s of every month"),
}


def weekday_name(number: int) -> str:
    """The weekday's name (0 = Monday) in the active language."""
    return str(WEEKDAYS[number])


def month_name(number: int) -> str:
    return str(MONTHS[number])


def day_month(month: int, day: int) -> str:
    """A day of a month without a year, e.g. "30 June"."""
    return _("%(day)s %(month)s") % {"day": day, "month": month_name(month)}


def hijri_day_month(month: int, day: int) -> str:
    return _("%(day)s %(month)s") % {"day": day, "month": str(HIJRI_MONTHS[month])}


def hijri_date_label(day: date, *, offset_days: int = 0) -> str:
    """The Umm al-Qura date of ``day`` in words, e.g. "1 Shawwal 1447", or "" out of range."""
    return format_hijri(day, offset_days=offset_days)


def date_span(start: date, end: date) -> str:
    """Two dates joined by an en dash (one date when they are the same day)."""
    first = formats.date_format(start, "DATE_FORMAT")
    if start == end:
        return first
    return f"{first} {EN_DASH} {formats.date_format(end, 'DATE_FORMAT')}"


def _and_list(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def _weekly(params: Mapping[str, Any]) -> str:
    days = _and_list([weekday_name(day) for day in params["weekdays"]])
    interval = params.get("interval_weeks", 1)
    if interval == 1:
        return _("Every %(days)s") % {"days": days}
    return ngettext(
        "Every %(count)d week on %(days)s",
        "Every %(count)d weeks on %(days)s",
        interval,
    ) % {"count": interval, "days": days}


def _monthly(params: Mapping[str, Any]) -> str:
    return str(MONTHLY_PHRASES[params["n"]]) % {"weekday": weekday_name(params["weekday"])}


def _fixed(params: Mapping[str, Any]) -> str:
    when = day_month(params["month"], params["day"])
    duration = params.get("duration_days", 1)
    if duration == 1:
        return _("%(date)s every year") % {"date": when}
    return _("%(date)s every year (%(days)s)") % {"date": when, "days": _days(duration)}


def _hijri(params: Mapping[str, Any]) -> str:
    when = hijri_day_month(params["hijri_month"], params["hijri_day"])
    duration = params.get("duration_days", 1)
    if duration is None:
        text = _("%(date)s to the end of the month, Hijri calendar") % {"date": when}
    elif duration == 1:
        text = _("%(date)s, Hijri calendar") % {"date": when}
    else:
        text = _("%(date)s (%(days)s), Hijri calendar") % {"date": when, "days": _days(duration)}
    offset = params.get("offset_days", 0)
    if offset:
        shift = ngettext(
            "shifted by %(offset)+d day for local moon sighting",
            "shifted by %(offset)+d days for local moon sighting",
            abs(offset),
        ) % {"offset": offset}
        text = f"{text}; {shift}"
    return text


def _easter(params: Mapping[str, Any]) -> str:
    offset = params.get("offset_days", 0)
    if offset == 0:
        text = _("Easter Sunday")
    elif offset < 0:
        text = ngettext("%(count)d day before Easter", "%(count)d days before Easter", -offset) % {
            "count": -offset
        }
    else:
        text = ngettext("%(count)d day after Easter", "%(count)d days after Easter", offset) % {
            "count": offset
        }
    duration = params.get("duration_days", 1)
    if duration > 1:
        text = f"{text} ({_days(duration)})"
    if params.get("tradition", "western") == "orthodox":
        text = _("%(rule)s, Orthodox calendar") % {"rule": text}
    return text


def _season(params: Mapping[str, Any]) -> str:
    start = day_month(params["start_month"], params["start_day"])
    end = day_month(params["end_month"], params["end_day"])
    text = _("%(start)s %(dash)s %(end)s every year") % {
        "start": start,
        "end": end,
        "dash": EN_DASH,
    }
    if (params["end_month"], params["end_day"]) < (params["start_month"], params["start_day"]):
        text = _("%(rule)s (across the new year)") % {"rule": text}
    return text


def _once(params: Mapping[str, Any]) -> str:
    start = date.fromisoformat(params["start"])
    end = date.fromisoformat(params["end"])
    return _("Once: %(dates)s") % {"dates": date_span(start, end)}


_DESCRIBERS: Final = {
    RuleKind.WEEKLY: _weekly,
    RuleKind.MONTHLY_NTH_WEEKDAY: _monthly,
    RuleKind.FIXED_ANNUAL: _fixed,
    RuleKind.FIXED_CHRISTIAN: _fixed,
    RuleKind.HIJRI_ANNUAL: _hijri,
    RuleKind.EASTER_RELATIVE: _easter,
    RuleKind.SEASON: _season,
    RuleKind.ONCE: _once,
}


def describe_rule(kind: str, params: object) -> str:
    """The rule in words in the active language; "Invalid rule" when it does not validate."""
    try:
        clean = rule_params_clean(kind, params)
    except ValueError:
        return _("Invalid rule")
    return _DESCRIBERS[RuleKind(kind)](clean)


def rule_kind_label(kind: str) -> str:
    label = RULE_KIND_LABELS.get(kind)  # type: ignore[call-overload]
    return str(label) if label is not None else kind


__all__ = [
    "HIJRI_MONTHS",
    "MONTHLY_PHRASES",
    "ORDINALS",
    "RULE_KIND_LABELS",
    "date_span",
    "day_month",
    "describe_rule",
    "hijri_date_label",
    "hijri_day_month",
    "month_name",
    "rule_kind_label",
    "weekday_name",
]
