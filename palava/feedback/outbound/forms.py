"""Forms of the outbound pages: log filters, reply templates (a text per language) and a
channel's sending settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palava.feedback.models import (
    MAX_OUTBOUND_CHARS,
    CaseType,
    OutboundPurpose,
    OutboundStatus,
)

TEMPLATE_LANGUAGES: dict[str, Any] = {
    "en": _("Text in English"),
    "fr": _("Text in French"),
    "ar": _("Text in Arabic"),
    "sw": _("Text in Swahili"),
    "pt": _("Text in Portuguese"),
}
MODE_CHOICES = [
    ("off", _("Off: this channel sends nothing")),
    ("live", _("Live: through the provider's API")),
    ("sandbox", _("Sandbox: marked delivered, nothing leaves the server")),
]


class OutboundFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *OutboundStatus.choices],
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        required=False,
        choices=[("", _("Any purpose")), *OutboundPurpose.choices],
    )


class ReplyTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(
        label=_("Code"), max_length=50, help_text=_("A short key: letters, digits and dashes.")
    )
    case_type = forms.ChoiceField(
        label=_("For case type"),
        required=False,
        choices=[("", _("Every case type")), *CaseType.choices],
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("Offered to staff"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in TEMPLATE_LANGUAGES.items():
            self.fields[f"text_{code}"] = forms.CharField(
                label=label,
                required=False,
                max_length=MAX_OUTBOUND_CHARS,
                help_text=_("{reference} is replaced by the case reference."),
                widget=forms.Textarea(
                    attrs={"rows": 2, "lang": code, "dir": "rtl" if code == "ar" else "ltr"}
                ),
            )

    @property
    def text_fields(self) -> list[forms.BoundField]:
        return [self[f"text_{code}"] for code in TEMPLATE_LANGUAGES]

    def texts(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"text_{code}"].strip()
            for code in TEMPLATE_LANGUAGES
            if self.cleaned_data.get(f"text_{code}", "").strip()
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(str(data.get(f"text_{code}") or "").strip() for code in TEMPLATE_LANGUAGES):
            raise forms.ValidationError(_("Give the text in at least one language."))
        return data


class SendingForm(forms.Form):
    mode = forms.ChoiceField(label=_("Sending"), choices=MODE_CHOICES, widget=forms.RadioSelect)
    url = forms.URLField(
        label=_("Sending API base URL"),
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the provider's public address (Twilio, Africa's Talking)."),
    )
    account = forms.CharField(
        label=_("Sending account"),
        required=False,
        max_length=120,
        help_text=_("Twilio account SID or Africa's Talking user name."),
    )
    sender = forms.CharField(
        label=_("Sender"),
        required=False,
        max_length=32,
        help_text=_("The number, short code or sender name messages go out from."),
    )
    secret = forms.CharField(
        label=_("Sending API key"),
        required=False,
        max_length=300,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the stored key. Never shown again."),
    )
    remove_secret = forms.BooleanField(label=_("Remove the stored key"), required=False)
