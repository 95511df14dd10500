"""Forms of the needs pages: the register's filters, the two steps of recording an exercise
(first the place, date, method and needs; then the grid the group filled) and the choice of a
round's ranking question."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.assessments.models import RankingMethod
from palava.assessments.needs import (
    MAX_COUNTERS,
    MAX_CUSTOM,
    MAX_ITEMS,
    MAX_LABEL,
    MAX_NOTES,
    MAX_PARTICIPANTS,
    MIN_ITEMS,
    NEED_CODES,
    NEEDS,
    custom_code,
    need_label,
    ranking_from_ranks,
)
from palava.missions.models import Membership
from palava.places.models import AdminUnit
from palava.places.scope import scope_for
from palava.places.search import Rank, place_search

METHOD_CHOICES = [
    (RankingMethod.PAIRWISE.value, RankingMethod.PAIRWISE.label),
    (RankingMethod.BORDA.value, RankingMethod.BORDA.label),
    (RankingMethod.PILING.value, RankingMethod.PILING.label),
]
LEVEL_CHOICES = [
    ("", gettext_lazy("Any level")),
    ("1", gettext_lazy("Province (admin 1)")),
    ("2", gettext_lazy("Territory (admin 2)")),
    ("3", gettext_lazy("Locality (admin 3)")),
]


def resolve_place(membership: Membership, text: str) -> AdminUnit | None:
    """A unit in the member's scope named by its P-code or by an exact, unambiguous name."""
    text = text.strip()
    if not text:
        return None
    unit = (
        AdminUnit.objects.filter(mission_id=membership.mission_id, pcode=text)
        .filter(scope_for(membership).q(""))
        .first()
    )
    if unit is not None:
        return unit
    exact = [
        hit
        for hit in place_search(membership=membership, query=text, limit=5, include_sites=False)
        if hit.rank == Rank.EXACT
    ]
    return exact[0].unit if len(exact) == 1 else None


class RegisterFilterForm(forms.Form):
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False, choices=LEVEL_CHOICES)

    def __init__(self, *args: Any, provinces: list[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All provinces"))] + [(u.pcode, u.name) for u in provinces]
        self.fields["province"].choices = choices  # type: ignore[attr-defined]


class SetupForm(forms.Form):
    """Step 1: where, when, how, and which needs the group ranked."""

    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        help_text=gettext_lazy("A P-code or the exact name of an admin unit in your area."),
    )
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Method"), choices=METHOD_CHOICES, widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        label=gettext_lazy("Needs ranked"),
        required=False,
        choices=[(code, label) for code, label in NEEDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    other_1 = forms.CharField(
        label=gettext_lazy("Other need"), required=False, max_length=MAX_LABEL
    )
    other_2 = forms.CharField(
        label=gettext_lazy("Other need"), required=False, max_length=MAX_LABEL
    )
    other_3 = forms.CharField(
        label=gettext_lazy("Other need"), required=False, max_length=MAX_LABEL
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.unit: AdminUnit | None = None
        self.items: list[str] = []
        self.labels: dict[str, str] = {}

    def clean_place(self) -> str:
        text = str(self.cleaned_data.get("place", ""))
        self.unit = resolve_place(self.membership, text)
        if self.unit is None:
            raise ValidationError(_("No admin unit in your area has this P-code or name."))
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        items = [code for code in NEED_CODES if code in (data.get("needs") or [])]
        labels: dict[str, str] = {}
        for index in range(1, MAX_CUSTOM + 1):
            label = str(data.get(f"other_{index}") or "").strip()
            if not label:
                continue
            code = custom_code(label)
            if code in labels:
                raise ValidationError(_("Two other needs have the same name."))
            labels[code] = label
            items.append(code)
        if not MIN_ITEMS <= len(items) <= MAX_ITEMS:
            raise ValidationError(
                _("Choose between %(min)d and %(max)d needs.")
                % {"min": MIN_ITEMS, "max": MAX_ITEMS}
            )
        self.items, self.labels = items, labels
        return data

    def label(self, code: str) -> str:
        return need_label(code, self.labels)


class DetailsForm(forms.Form):
    """Step 2: who took part (the grid is read by :func:`entry_inputs`)."""

    group = forms.CharField(
        label=gettext_lazy("Group"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example: women, youth, elders, displaced families."),
    )
    participants = forms.IntegerField(
        label=gettext_lazy("Number of participants"),
        required=False,
        min_value=1,
        max_value=MAX_PARTICIPANTS,
    )
    notes = forms.CharField(
        label=gettext_lazy("Facilitator notes"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Confidential: shown only to staff who may read survey answers."),
    )


def pair_name(i: int, j: int) -> str:
    return f"pair-{i}-{j}"


def entry_inputs(method: str, items: list[str], post: Any) -> dict[str, Any]:
    """The service's ``inputs`` from the grid of step 2; ``ValidationError`` on bad numbers."""
    if method == RankingMethod.PAIRWISE:
        pairs = []
        for i, first in enumerate(items):
            for j in range(i + 1, len(items)):
                second = items[j]
                winner = str(post.get(pair_name(i, j), ""))
                if winner in (first, second):
                    pairs.append([first, second, winner])
        return {"pairs": pairs}
    if method == RankingMethod.BORDA:
        ranks = {item: post.get(f"rank-{item}", "") for item in items}
        return {"rankings": [ranking_from_ranks(items, ranks)]}
    counters: dict[str, int] = {}
    for item in items:
        raw = str(post.get(f"count-{item}", "")).strip() or "0"
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError(_("Counters must be whole numbers of zero or more.")) from None
        if value < 0:
            raise ValidationError(_("Counters must be whole numbers of zero or more."))
        if value > MAX_COUNTERS:
            raise ValidationError(_("At most %(n)d counters in all.") % {"n": MAX_COUNTERS})
        counters[item] = value
    return {"counters": counters}


class FromRoundForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Round and ranking question"))

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sources  # type: ignore[attr-defined]
