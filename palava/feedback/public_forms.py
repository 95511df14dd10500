"""The public report form (``/p/<mission-slug>/report/``).

Everything but the message is optional. ``website`` is a honeypot: hidden from people by CSS
and labelled "leave empty" for screen readers, so only a robot fills it. ``submission`` is a
random id put in the page, so a double submission (a second tap, a resent form) stores one
message.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palava.core import crypto
from palava.feedback.models import MAX_BODY_CHARS

# Languages a report may be written in (their own names: they are never translated).
REPORT_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("fr", "Français"),
    ("ar", "العربية"),
    ("sw", "Kiswahili"),
    ("pt", "Português"),
)
_SUBMISSION_RE = re.compile(r"^[0-9a-f]{32}$")


def new_submission_id() -> str:
    return uuid.uuid4().hex


class ReportForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=_("What happened, or what do you want the mission to know?"),
    )
    place = forms.CharField(
        label=_("Name of the place"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
        help_text=_("A village, a neighbourhood, a road or a landmark."),
    )
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}
        ),
        help_text=_("Only if you want the mission to call you back. It is stored encrypted."),
    )
    language = forms.ChoiceField(
        label=_("Language of your message (optional)"),
        required=False,
        choices=(("", _("Not sure")), *REPORT_LANGUAGES),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        strip=False,  # even spaces give a robot away
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    submission = forms.CharField(max_length=32, widget=forms.HiddenInput)

    def clean_phone(self) -> str:
        value = str(self.cleaned_data.get("phone") or "").strip()
        if not value:
            return ""
        try:
            return crypto.normalise_phone(value)
        except crypto.InvalidPhoneNumber:
            raise forms.ValidationError(
                _("This does not look like a phone number."), code="phone"
            ) from None

    def clean_submission(self) -> str:
        value = str(self.cleaned_data.get("submission") or "")
        if not _SUBMISSION_RE.match(value):
            raise forms.ValidationError(
                _("The form has expired. Please send it again."), code="submission"
            )
        return value

    def clean_website(self) -> str:
        value = str(self.cleaned_data.get("website") or "")
        if value:
            raise forms.ValidationError(_("Leave this field empty."), code="honeypot")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lon is None):
            cleaned["latitude"] = cleaned["longitude"] = None
            if "latitude" not in self.errors and "longitude" not in self.errors:
                raise forms.ValidationError(
                    _("The location on the map is incomplete. Choose it again."),
                    code="location",
                )
        return cleaned

    @property
    def is_robot(self) -> bool:
        return any(e.code == "honeypot" for e in self.errors.as_data().get("website", []))
