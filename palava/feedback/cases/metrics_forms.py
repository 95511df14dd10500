"""The metrics page's filters (GET), turned into :class:`metrics.MetricsFilters`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.feedback import selectors as message_selectors
from palava.feedback.cases.metrics import (
    GROUP_CATEGORY,
    GROUP_MONTH,
    GROUP_PLACE,
    GROUP_TYPE,
    GROUP_WEEK,
    MAX_LEVEL,
    MetricsFilters,
)
from palava.feedback.models import CaseType, Urgency
from palava.missions.models import Membership
from palava.places import selectors as places_selectors

GROUP_CHOICES = [
    (GROUP_PLACE, gettext_lazy("Place")),
    (GROUP_CATEGORY, gettext_lazy("Category")),
    (GROUP_TYPE, gettext_lazy("Case type")),
    (GROUP_WEEK, gettext_lazy("Week")),
    (GROUP_MONTH, gettext_lazy("Month")),
]
PLACE_LEVELS = 2  # the place filter lists units down to this level (provinces, territories)


class MetricsFilterForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("Opened from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("Opened until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.ChoiceField(label=gettext_lazy("Place"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    case_type = forms.ChoiceField(
        label=gettext_lazy("Case type"),
        required=False,
        choices=[("", gettext_lazy("Any type")), *CaseType.choices],
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        required=False,
        choices=[("", gettext_lazy("Any urgency")), *Urgency.choices],
    )
    group_by = forms.ChoiceField(
        label=gettext_lazy("Group by"), required=False, choices=GROUP_CHOICES
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Places at admin level"),
        required=False,
        choices=[(str(n), str(n)) for n in range(1, MAX_LEVEL + 1)],
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            places_selectors.admin_units_visible(membership=membership)
            .filter(level__gte=1, level__lte=PLACE_LEVELS)
            .order_by("path")
            .only("pcode", "name", "level")
        )
        self._choices(
            "place",
            [("", _("All places"))]
            + [(u.pcode, ("— " if u.level > 1 else "") + u.name) for u in units],
        )
        categories = message_selectors.categories_of(
            membership, include_restricted=message_selectors.may_see_restricted(membership)
        )
        self._choices(
            "category",
            [("", _("Any category"))]
            + [(c.code, message_selectors.label_of(c)) for c in categories if not c.parent_id],
        )

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> MetricsFilters:
        """The chosen filters; an invalid value is ignored (the form shows its error)."""
        if not self.is_bound:
            return MetricsFilters()
        self.is_valid()
        data = self.cleaned_data
        return MetricsFilters(
            since=data.get("since"),
            until=data.get("until"),
            place=data.get("place") or "",
            category=data.get("category") or "",
            case_type=data.get("case_type") or "",
            urgency=data.get("urgency") or "",
            group_by=data.get("group_by") or GROUP_PLACE,
            level=int(data.get("level") or 1),
        )
