"""Forms of the cultural calendar pages.

:class:`EventForm` is one form for every recurrence kind: the per-kind fields sit in fieldsets
that a small script shows or hides (``js/cultural-calendar-form.js``); without the script every
fieldset shows and only the chosen kind's fields are read. The rule's parameters are always
checked on the server by :func:`palava.context.calendar_rules.rule_params_clean`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from django import forms
from django.conf import settings
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext_lazy as _

from palava.context.calendar_rules import PARAMS, event_titles, rule_params_clean
from palava.context.calendar_text import HIJRI_MONTHS, ORDINALS, RULE_KIND_LABELS
from palava.context.models import CalendarEvent, EventCategory
from palava.context.recurrence.rules import RuleKind
from palava.context.text_checks import BIDI_CONTROLS

MAX_TITLE: Final = 200
MAX_NOTE: Final = 2000
MAX_CODE: Final = 50

WEEKDAY_CHOICES: Final = [(str(number), name) for number, name in WEEKDAYS.items()]
MONTH_CHOICES: Final = [(str(number), name) for number, name in MONTHS.items()]
HIJRI_MONTH_CHOICES: Final = [(str(number), name) for number, name in HIJRI_MONTHS.items()]
NTH_CHOICES: Final = [(str(n), ORDINALS[n]) for n in (1, 2, 3, 4, 5, -1)]
OFFSET_CHOICES: Final = [(str(n), f"{n:+d}" if n else "0") for n in range(-2, 3)]
TRADITION_CHOICES: Final = [
    ("western", _("Western (Catholic, Protestant)")),
    ("orthodox", _("Orthodox")),
]

#: Which form fields hold which rule parameter, per kind (form field -> parameter).
KIND_FIELDS: Final[dict[str, dict[str, str]]] = {
    RuleKind.WEEKLY: {
        "weekdays": "weekdays",
        "interval_weeks": "interval_weeks",
        "anchor": "anchor",
    },
    RuleKind.MONTHLY_NTH_WEEKDAY: {"nth": "n", "nth_weekday": "weekday"},
    RuleKind.FIXED_ANNUAL: {
        "month": "month",
        "day": "day",
        "duration_days": "duration_days",
    },
    RuleKind.FIXED_CHRISTIAN: {
        "month": "month",
        "day": "day",
        "duration_days": "duration_days",
    },
    RuleKind.HIJRI_ANNUAL: {
        "hijri_month": "hijri_month",
        "hijri_day": "hijri_day",
        "hijri_duration": "duration_days",
        "hijri_offset": "offset_days",
    },
    RuleKind.EASTER_RELATIVE: {
        "easter_offset": "offset_days",
        "tradition": "tradition",
        "easter_duration": "duration_days",
    },
    RuleKind.SEASON: {
        "start_month": "start_month",
        "start_day": "start_day",
        "end_month": "end_month",
        "end_day": "end_day",
    },
    RuleKind.ONCE: {"once_start": "start", "once_end": "end"},
}

#: The fieldsets of the form: (kinds it serves, legend, fields).
FIELDSETS: Final = (
    ((RuleKind.WEEKLY,), _("Weekly"), ("weekdays", "interval_weeks", "anchor")),
    ((RuleKind.MONTHLY_NTH_WEEKDAY,), _("Monthly"), ("nth", "nth_weekday")),
    (
        (RuleKind.FIXED_ANNUAL, RuleKind.FIXED_CHRISTIAN),
        _("Same date every year"),
        ("month", "day", "duration_days"),
    ),
    (
        (RuleKind.HIJRI_ANNUAL,),
        _("Hijri calendar"),
        ("hijri_month", "hijri_day", "hijri_duration", "hijri_to_month_end", "hijri_offset"),
    ),
    (
        (RuleKind.EASTER_RELATIVE,),
        _("Around Easter"),
        ("easter_offset", "tradition", "easter_duration"),
    ),
    ((RuleKind.SEASON,), _("Season"), ("start_month", "start_day", "end_month", "end_day")),
    ((RuleKind.ONCE,), _("Once"), ("once_start", "once_end")),
)


#: Every field of the recurrence fieldsets.
RULE_FIELDS: Final = frozenset(name for _kinds, _legend, names in FIELDSETS for name in names)


def _text(max_length: int, label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, **kwargs)


def _int(label: Any, low: int, high: int, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=low, max_value=high, **kwargs)


def _choice(label: Any, choices: Any, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, required=False, empty_value=None, **kwargs
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def clean_text(value: str) -> str:
    """Refuse control and bidirectional-override characters in short texts."""
    for char in value:
        if (ord(char) < 32 and char not in "\n\r\t") or char in BIDI_CONTROLS:
            raise forms.ValidationError(_("Remove the invisible control characters."))
    return value.strip()


class EventForm(forms.Form):
    """An event of the cultural calendar: what, where, and when it recurs."""

    title = _text(MAX_TITLE, _("Title"))
    category = forms.ChoiceField(label=_("Category"), choices=EventCategory.choices)
    place = _text(
        MAX_CODE,
        _("Place (P-code or site code)"),
        required=False,
        help_text=_("Leave empty for an event observed across the whole mission."),
    )
    note = forms.CharField(
        label=_("Why it matters"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. 'markets close at noon; avoid meetings in the afternoon'."),
    )
    warn = forms.BooleanField(
        label=_("Warn when an activity is scheduled on it"), required=False, initial=True
    )
    rule_kind = forms.ChoiceField(
        label=_("Recurrence"),
        choices=[(str(kind), label) for kind, label in RULE_KIND_LABELS.items()],
        widget=forms.Select(attrs={"data-rule-kind-select": ""}),
    )
    # Weekly
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interval_weeks = _int(_("Every how many weeks"), 1, 52, initial=1)
    anchor = _date(_("A date in a week when it falls (for every 2+ weeks)"))
    # Monthly
    nth = _choice(_("Which one"), NTH_CHOICES)
    nth_weekday = _choice(_("Weekday"), WEEKDAY_CHOICES)
    # Fixed date every year
    month = _choice(_("Month"), MONTH_CHOICES)
    day = _int(_("Day"), 1, 31)
    duration_days = _int(_("Number of days"), 1, 366, initial=1)
    # Hijri
    hijri_month = _choice(_("Hijri month"), HIJRI_MONTH_CHOICES)
    hijri_day = _int(_("Hijri day"), 1, 30)
    hijri_duration = _int(_("Number of days"), 1, 30, initial=1)
    hijri_to_month_end = forms.BooleanField(
        label=_("Until the end of the Hijri month (e.g. Ramadan)"), required=False
    )
    hijri_offset = _choice(
        _("Local moon sighting (days)"),
        OFFSET_CHOICES,
        initial="0",
        help_text=_(
            "Shift the Umm al-Qura dates when local practice starts a day earlier or later."
        ),
    )
    # Easter
    easter_offset = _int(
        _("Days from Easter Sunday"),
        -100,
        100,
        initial=0,
        help_text=_("e.g. -2 Good Friday, 1 Easter Monday, 39 Ascension, 49 Pentecost."),
    )
    tradition = forms.ChoiceField(
        label=_("Tradition"), choices=TRADITION_CHOICES, required=False, initial="western"
    )
    easter_duration = _int(_("Number of days"), 1, 366, initial=1)
    # Season
    start_month = _choice(_("Starts: month"), MONTH_CHOICES)
    start_day = _int(_("Starts: day"), 1, 31)
    end_month = _choice(_("Ends: month"), MONTH_CHOICES)
    end_day = _int(_("Ends: day"), 1, 31)
    # Once
    once_start = _date(_("From"))
    once_end = _date(_("To"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name},
                max_length=MAX_TITLE,
                required=False,
            )

    @property
    def title_fields(self) -> list[forms.BoundField]:
        return [self[f"title_{code}"] for code, _name in settings.LANGUAGES]

    @property
    def rule_fieldsets(self) -> list[dict[str, Any]]:
        """The per-kind fieldsets for the template: kinds (space-separated), legend, fields."""
        return [
            {
                "kinds": " ".join(str(kind) for kind in kinds),
                "legend": legend,
                "fields": [self[name] for name in names],
                "active": self._chosen_kind() in kinds,
            }
            for kinds, legend, names in FIELDSETS
        ]

    def _chosen_kind(self) -> str:
        if self.is_bound:
            return str(self.data.get("rule_kind", ""))
        return str(self.initial.get("rule_kind", RuleKind.WEEKLY))

    def clean_title(self) -> str:
        return clean_text(self.cleaned_data["title"])

    def clean_place(self) -> str:
        return clean_text(self.cleaned_data.get("place") or "")

    def clean_note(self) -> str:
        note = self.cleaned_data.get("note") or ""
        return clean_text(note)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for code, _name in settings.LANGUAGES:
            name = f"title_{code}"
            if cleaned.get(name):
                try:
                    cleaned[name] = clean_text(cleaned[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        kind = cleaned.get("rule_kind")
        if not kind:
            return cleaned
        # Fields of the other kinds are not read: their errors (hidden fieldsets) do not count.
        mine = set(KIND_FIELDS[kind]) | (
            {"hijri_to_month_end"} if kind == RuleKind.HIJRI_ANNUAL else set()
        )
        for name in RULE_FIELDS - mine:
            self.errors.pop(name, None)
        params = self._params(kind, cleaned)
        if params is None:
            return cleaned
        try:
            cleaned["rule"] = rule_params_clean(kind, params)
        except ValueError as error:
            self.add_error(None, _("The recurrence is not valid: %(reason)s") % {"reason": error})
        cleaned["titles"] = {
            code: cleaned[f"title_{code}"]
            for code, _name in settings.LANGUAGES
            if cleaned.get(f"title_{code}")
        }
        return cleaned

    def _params(self, kind: str, cleaned: Mapping[str, Any]) -> dict[str, Any] | None:
        """The chosen kind's parameters from its fields (errors added for missing ones)."""
        params: dict[str, Any] = {}
        missing = False
        for field, param in KIND_FIELDS[kind].items():
            value = cleaned.get(field)
            if field in self.errors:
                missing = True
                continue
            if field == "hijri_duration" and cleaned.get("hijri_to_month_end"):
                params[param] = None
                continue
            required = PARAMS[kind][param][0]
            if value in (None, "", []):
                if required:
                    self.add_error(field, _("Required for this kind of recurrence."))
                    missing = True
                continue
            if isinstance(value, date):
                value = value.isoformat()
            params[param] = value
        if kind == RuleKind.ONCE and not missing and params["end"] < params["start"]:
            self.add_error("once_end", _("The end is before the start."))
            missing = True
        return None if missing else params

    @staticmethod
    def initial_for(event: CalendarEvent) -> dict[str, Any]:
        """The form's initial values for an existing event."""
        initial: dict[str, Any] = {
            "title": event.title,
            "category": event.category,
            "place": event.site.code
            if event.site_id and event.site
            else (event.admin_unit.pcode if event.admin_unit_id and event.admin_unit else ""),
            "note": event.note,
            "warn": event.warn,
            "rule_kind": event.rule_kind,
        }
        titles = event_titles(event)
        for code, value in titles.items():
            if isinstance(value, str):
                initial[f"title_{code}"] = value
        rule = event.rule if isinstance(event.rule, dict) else {}
        for field, param in KIND_FIELDS.get(event.rule_kind, {}).items():
            if param not in rule:
                continue
            value = rule[param]
            if field == "hijri_duration" and value is None:
                initial["hijri_to_month_end"] = True
                continue
            initial[field] = value
        return initial


class HolidaysForm(forms.Form):
    """Install the standard Islamic or Christian holidays (mission-wide or for one place)."""

    which = forms.ChoiceField(
        label=_("Holidays"),
        choices=[
            ("islamic", _("Islamic holidays (Hijri calendar, Umm al-Qura)")),
            ("christian", _("Christian holidays")),
        ],
        widget=forms.RadioSelect,
    )
    offset_days = forms.TypedChoiceField(
        label=_("Local moon sighting (days, Islamic holidays only)"),
        choices=OFFSET_CHOICES,
        coerce=int,
        initial="0",
        required=False,
        empty_value=None,
        help_text=_(
            "Where the new moon is sighted locally, Islamic holidays often begin a day "
            "(rarely two) after the computed Umm al-Qura date: choose +1. Choose -1 if they "
            "begin earlier."
        ),
    )
    place = _text(
        MAX_CODE,
        _("Place (P-code)"),
        required=False,
        help_text=_("Leave empty to install them for the whole mission."),
    )

    def clean_place(self) -> str:
        return clean_text(self.cleaned_data.get("place") or "")


class CheckForm(forms.Form):
    """Is this date good for an activity at this place?"""

    pcode = _text(MAX_CODE, _("Place (P-code)"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("Until (optional, for several days)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_pcode(self) -> str:
        return clean_text(self.cleaned_data["pcode"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date"), cleaned.get("until")
        if first and last:
            if last < first:
                self.add_error("until", _("The end is before the start."))
            elif (last - first).days > 60:
                self.add_error("until", _("Check at most 60 days at a time."))
        return cleaned
