"""Forms of the places pages: the place search box and recording an access status."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from palava.places.models import AccessLevel
from palava.places.search import MAX_QUERY_LENGTH

# An access status may be recorded ahead of time (a planned closure), not years ahead.
MAX_DAYS_AHEAD = 366


class PlaceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a place"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("A name or a P-code; accents, case and other spellings do not matter."),
    )


class AccessStatusForm(forms.Form):
    level = forms.ChoiceField(label=_("Access"), choices=AccessLevel.choices)
    effective_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A short summary of the security assessment; no names of sources."),
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today
        self.fields["effective_from"].initial = today

    def clean_effective_from(self) -> date:
        value: date = self.cleaned_data["effective_from"]
        if value > self.today + timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(_("Give a date within the coming year."))
        return value
