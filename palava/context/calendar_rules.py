"""Stored calendar events as recurrence rules: ``CalendarEvent.rule_kind`` + ``rule`` <-> a rule.

``rule`` holds the parameters of the kind, as JSON:

- ``weekly``: ``{"weekdays": [3], "interval_weeks": 1, "anchor": "2026-01-01"}`` (0 = Monday)
- ``monthly_nth_weekday``: ``{"weekday": 4, "n": 1}`` (``n`` 1-5, or -1 for the last)
- ``fixed_annual`` / ``fixed_christian``: ``{"month": 6, "day": 30, "duration_days": 1}``
- ``hijri_annual``: ``{"hijri_month": 10, "hijri_day": 1, "duration_days": 3, "offset_days": 0}``
  (``duration_days`` null: to the end of the Hijri month)
- ``easter_relative``: ``{"offset_days": -2, "tradition": "western", "duration_days": 1}``
- ``season``: ``{"start_month": 8, "start_day": 1, "end_month": 9, "end_day": 30}``
- ``once``: ``{"start": "2026-07-04", "end": "2026-07-06"}``

:func:`rule_from` checks types strictly (no booleans for numbers, no unknown keys) and raises
:class:`ValueError` with a plain reason; :func:`rule_of` turns a stored event into its rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from palava.context.recurrence.rules import (
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
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from palava.context.models import CalendarEvent

#: The parameters each kind accepts: name -> (required, type tag).
PARAMS: Final[dict[str, dict[str, tuple[bool, str]]]] = {
    RuleKind.WEEKLY: {
        "weekdays": (True, "weekdays"),
        "interval_weeks": (False, "int"),
        "anchor": (False, "date"),
    },
    RuleKind.MONTHLY_NTH_WEEKDAY: {"weekday": (True, "int"), "n": (True, "int")},
    RuleKind.FIXED_ANNUAL: {
        "month": (True, "int"),
        "day": (True, "int"),
        "duration_days": (False, "int"),
    },
    RuleKind.FIXED_CHRISTIAN: {
        "month": (True, "int"),
        "day": (True, "int"),
        "duration_days": (False, "int"),
    },
    RuleKind.HIJRI_ANNUAL: {
        "hijri_month": (True, "int"),
        "hijri_day": (True, "int"),
        "duration_days": (False, "int_or_null"),
        "offset_days": (False, "int"),
    },
    RuleKind.EASTER_RELATIVE: {
        "offset_days": (False, "int"),
        "tradition": (False, "tradition"),
        "duration_days": (False, "int"),
    },
    RuleKind.SEASON: {
        "start_month": (True, "int"),
        "start_day": (True, "int"),
        "end_month": (True, "int"),
        "end_day": (True, "int"),
    },
    RuleKind.ONCE: {"start": (True, "date"), "end": (True, "date")},
}

_CLASSES: Final[dict[str, Any]] = {
    RuleKind.WEEKLY: WeeklyRule,
    RuleKind.MONTHLY_NTH_WEEKDAY: MonthlyNthWeekdayRule,
    RuleKind.FIXED_ANNUAL: FixedAnnualRule,
    RuleKind.FIXED_CHRISTIAN: FixedChristianRule,
    RuleKind.HIJRI_ANNUAL: HijriAnnualRule,
    RuleKind.EASTER_RELATIVE: EasterRelativeRule,
    RuleKind.SEASON: SeasonRule,
    RuleKind.ONCE: OnceRule,
}


def _value(name: str, tag: str, raw: object) -> object:
    if tag in ("int", "int_or_null"):
        if raw is None and tag == "int_or_null":
            return None
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{name} must be a whole number")
        return raw
    if tag == "weekdays":
        if not isinstance(raw, list) or not 1 <= len(raw) <= 7:
            raise ValueError("weekdays must be a list of 1 to 7 numbers (0 = Monday)")
        if any(isinstance(w, bool) or not isinstance(w, int) for w in raw):
            raise ValueError("weekdays must be whole numbers (0 = Monday .. 6 = Sunday)")
        return frozenset(raw)
    if tag == "date":
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError(f"{name} must be a date as YYYY-MM-DD")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{name} must be a date as YYYY-MM-DD") from None
    if tag == "tradition":
        if raw not in ("western", "orthodox"):
            raise ValueError("tradition must be western or orthodox")
        return raw
    raise AssertionError(tag)  # pragma: no cover


def rule_params_clean(kind: str, params: object) -> dict[str, Any]:
    """The parameters of ``kind`` checked and normalised for storage (JSON values).

    Raises :class:`ValueError` for an unknown kind, an unknown or missing key, a wrong type or a
    value the rule refuses (e.g. month 13).
    """
    rule = rule_from(kind, params, key="check", label="check")
    spec = PARAMS[kind]
    assert isinstance(params, Mapping)
    out: dict[str, Any] = {}
    for name in spec:
        if name in params:
            value = getattr(rule, name)
            if isinstance(value, frozenset):
                out[name] = sorted(value)
            elif isinstance(value, date):
                out[name] = value.isoformat()
            else:
                out[name] = value
    return out


def rule_from(kind: str, params: object, *, key: str, label: StrOrPromise) -> Rule:
    """A rule of ``kind`` from its stored parameters (see the module docstring)."""
    if kind not in PARAMS:
        raise ValueError(f"unknown recurrence kind {kind!r}")
    if not isinstance(params, Mapping):
        raise ValueError("the recurrence parameters must be an object")
    spec = PARAMS[kind]
    unknown = sorted(str(name) for name in params if name not in spec)
    if unknown:
        raise ValueError(f"unknown recurrence parameter(s): {', '.join(unknown)}"[:200])
    values: dict[str, object] = {}
    for name, (required, tag) in spec.items():
        if name not in params:
            if required:
                raise ValueError(f"{name} is required for {kind}")
            continue
        values[name] = _value(name, tag, params[name])
    try:
        rule: Rule = _CLASSES[kind](key=key, label=label, **values)
    except TypeError as error:  # pragma: no cover - the spec matches the dataclasses
        raise ValueError(str(error)) from None
    return rule


def event_titles(event: CalendarEvent) -> dict[str, Any]:
    """The event's titles by language as stored (an empty dict when they are not a mapping)."""
    return event.titles if isinstance(event.titles, dict) else {}


def event_label(event: CalendarEvent, language: str | None = None) -> str:
    """The event's title in ``language`` when it has one, else its title."""
    if language:
        titles = event_titles(event)
        localised = titles.get(language) or titles.get(language.split("-")[0])
        if isinstance(localised, str) and localised.strip():
            return localised
    return event.title


def rule_of(event: CalendarEvent, language: str | None = None) -> Rule:
    """The stored event as a rule (its key is the event's public id, its label its title in
    ``language``). Raises :class:`ValueError` when the stored parameters are invalid."""
    return rule_from(
        event.rule_kind,
        event.rule,
        key=str(event.public_id),
        label=event_label(event, language),
    )
