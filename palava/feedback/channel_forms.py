"""Forms of the channel pages (administrators only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palava.feedback.ack import ACK_MAX_CHARS
from palava.feedback.channel_services import ACK_LANGUAGES, MAX_GRACE
from palava.feedback.models import ChannelType

ACK_LABELS: dict[str, Any] = {
    "en": _("Acknowledgement in English"),
    "fr": _("Acknowledgement in French"),
    "ar": _("Acknowledgement in Arabic"),
    "sw": _("Acknowledgement in Swahili"),
    "pt": _("Acknowledgement in Portuguese"),
}


class ChannelCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    channel_type = forms.ChoiceField(label=_("Type"), choices=ChannelType.choices)
    address = forms.CharField(
        label=_("Number or address"),
        max_length=64,
        required=False,
        help_text=_("The short code, phone number or page people use to reach the mission."),
    )
    secret = forms.CharField(
        label=_("Twilio auth token"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Twilio channels only: the account's auth token. Other types get a secret generated "
            "for them."
        ),
    )
    ack_enabled = forms.BooleanField(label=_("Send an automatic acknowledgement"), required=False)


class ChannelEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Number or address"), max_length=64, required=False)
    default_area = forms.CharField(
        label=_("Default area (P-code)"),
        max_length=32,
        required=False,
        help_text=_("Where messages are placed when they name no place (e.g. a local hotline)."),
    )
    ip_allowlist = forms.CharField(
        label=_("IP allow-list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=_(
            "One address or network (CIDR) per line; empty allows all. Africa's Talking only."
        ),
    )
    ack_enabled = forms.BooleanField(label=_("Send an automatic acknowledgement"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in ACK_LANGUAGES:
            self.fields[f"ack_{code}"] = forms.CharField(
                label=ACK_LABELS[code],
                required=False,
                max_length=ACK_MAX_CHARS,
                widget=forms.Textarea(
                    attrs={"rows": 2, "lang": code, "dir": "rtl" if code == "ar" else "ltr"}
                ),
            )

    @property
    def ack_fields(self) -> list[forms.BoundField]:
        return [self[f"ack_{code}"] for code in ACK_LANGUAGES]

    def ack_texts(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"ack_{code}", "")
            for code in ACK_LANGUAGES
            if self.cleaned_data.get(f"ack_{code}", "")
        }


class ChannelRotateForm(forms.Form):
    secret = forms.CharField(
        label=_("New Twilio auth token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Twilio channels only: rotate the token in the Twilio console first."),
    )
    grace_hours = forms.IntegerField(
        label=_("Keep the old secret valid for (hours)"),
        min_value=0,
        max_value=int(MAX_GRACE.total_seconds() // 3600),
        initial=24,
        required=False,
    )
