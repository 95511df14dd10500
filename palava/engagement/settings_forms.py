"""The engagement settings form (the service checks the same rules again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.engagement.models import EngagementSettings
from palava.engagement.settings_services import EDITABLE_FIELDS, MAX_AGE


def _pct(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100)


class EngagementSettingsForm(forms.Form):
    target_women_pct = _pct(gettext_lazy("Target share of women (%)"))
    target_youth_pct = _pct(gettext_lazy("Target share of youth (%)"))
    target_minority_pct = _pct(gettext_lazy("Target share of minority groups (%)"))
    youth_min_age = forms.IntegerField(
        label=gettext_lazy("Youth from age"), min_value=0, max_value=MAX_AGE
    )
    youth_max_age = forms.IntegerField(
        label=gettext_lazy("Youth to age"), min_value=1, max_value=MAX_AGE
    )
    coverage_days = forms.IntegerField(
        label=gettext_lazy("A place counts as engaged for (days)"),
        min_value=1,
        max_value=3650,
        help_text=gettext_lazy(
            "Places without an activity held in this many days are flagged in the plan and on "
            "the coverage map."
        ),
    )
    reminder_days = forms.IntegerField(
        label=gettext_lazy("Remind before a commitment is due (days)"),
        min_value=1,
        max_value=365,
    )

    @classmethod
    def initial_from(cls, row: EngagementSettings) -> dict[str, int]:
        return {name: int(getattr(row, name)) for name in EDITABLE_FIELDS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("youth_min_age"), data.get("youth_max_age")
        if low is not None and high is not None and low >= high:
            self.add_error("youth_max_age", _("The youth upper age must be above the lower age."))
        return data
