"""The form builder's form: indicators, title, form id, version, admin level, languages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palava.assessments.indicators import LANGUAGES, Indicator
from palava.assessments.indicators.bank import BANK, indicators_latest

LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
ACTIONS = ("download", "create")


def default_keys() -> list[str]:
    """Pre-ticked: the latest version of the core indicators."""
    return [i.key for i in indicators_latest() if "core" in i.tags]


class IndicatorBuilderForm(forms.Form):
    title = forms.CharField(label=_("Form title"), max_length=200)
    form_id = forms.CharField(
        label=_("Form id"),
        max_length=60,
        validators=[
            RegexValidator(
                r"^[A-Za-z_][A-Za-z0-9_]*$",
                _("Start with a letter; use only letters, digits and underscores."),
            )
        ],
        help_text=_("The same form id for every round keeps the rounds as versions of one form."),
    )
    version = forms.CharField(
        label=_("Version"),
        max_length=40,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_.-]+$", _("Use letters, digits, dots or dashes."))
        ],
        help_text=_("Change it for each new round, e.g. the date."),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators"),
        choices=[(i.key, i.key) for i in BANK],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one indicator.")},
    )
    level = forms.TypedChoiceField(label=_("Places: admin level"), coerce=int, choices=[])
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], required=False)

    def __init__(self, *args: Any, levels: list[int], default_level: int, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": _("Perception survey"),
                "form_id": "perception",
                "version": timezone.localdate().isoformat(),
                "indicators": default_keys(),
                "level": default_level,
                "languages": list(LANGUAGES),
            },
        )
        super().__init__(*args, **kwargs)
        level_field = self.fields["level"]
        assert isinstance(level_field, forms.TypedChoiceField)
        level_field.choices = [(n, str(n)) for n in levels or [default_level]]

    def clean_indicators(self) -> list[str]:
        keys: list[str] = self.cleaned_data["indicators"]
        codes = [key.split("@", 1)[0] for key in keys]
        if len(set(codes)) != len(codes):
            raise forms.ValidationError(_("Choose only one version of each indicator."))
        return keys

    def chosen_indicators(self) -> list[Indicator]:
        """The chosen entries in bank order."""
        keys = set(self.cleaned_data["indicators"])
        return [i for i in BANK if i.key in keys]

    def chosen_languages(self) -> tuple[str, ...]:
        picked = set(self.cleaned_data["languages"])
        return tuple(lang for lang in LANGUAGES if lang in picked)
