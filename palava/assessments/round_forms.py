"""Forms of the round pages: choosing the form, the round's settings, quotas (CSV or grid)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palava.assessments.models import RoundStatus
from palava.assessments.quality import Question
from palava.assessments.round_services import MAX_QUOTA_CSV_BYTES, MAX_QUOTA_TARGET
from palava.places.models import AdminUnit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def question_choices(questions: Sequence[Question]) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", str(_("— none —")))]
    for question in questions:
        label = f"{question.path} · {question.label}" if question.label else question.path
        choices.append((question.path, label[:120]))
    return choices


class RoundForm(forms.Form):
    """A round's settings; the question fields list the form's question paths."""

    name = forms.CharField(label=_("Name"), max_length=200)
    series = forms.SlugField(
        label=_("Series"),
        max_length=100,
        help_text=_(
            "Rounds of the same series are compared over time, e.g. perception-survey. "
            "Letters, digits and hyphens."
        ),
    )
    number = forms.IntegerField(label=_("Round number"), min_value=1, max_value=10_000)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends on"),
        widget=DateInput(),
        help_text=_("Interviews whose date falls in this period belong to the round."),
    )
    place_field = forms.ChoiceField(
        label=_("Place question"),
        required=False,
        help_text=_("Its answer is the P-code of the place of the interview."),
    )
    sex_field = forms.ChoiceField(label=_("Sex question"), required=False)
    age_field = forms.ChoiceField(
        label=_("Age question"),
        required=False,
        help_text=_("Age in years (put in the population age bands) or an age band."),
    )
    group_field = forms.ChoiceField(
        label=_("Group question"),
        required=False,
        help_text=_("e.g. resident, displaced, returnee, host community."),
    )
    population_year = forms.IntegerField(
        label=_("Population reference year"),
        required=False,
        min_value=1900,
        max_value=2200,
        help_text=_("Age bands and weights come from this year's population figures."),
    )
    min_duration_seconds = forms.IntegerField(
        label=_("Shortest credible interview (seconds)"),
        min_value=0,
        max_value=86_400,
        initial=300,
        help_text=_("Shorter interviews are flagged as too short."),
    )

    def __init__(self, *args: Any, questions: Sequence[Question] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = question_choices(questions)
        for name in ("place_field", "sex_field", "age_field", "group_field"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
            field.widget.attrs["dir"] = "ltr"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The round cannot end before it starts."))
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RoundStatus.choices)


class QuotaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Quota file (CSV)"),
        help_text=_(
            "Columns pcode,sex,age_band,target with a header line; sex f, m or empty for any; "
            "age band like 18-59 or 60+, or empty for any. At most %(kb)d KB. It replaces "
            "every quota of the round."
        )
        % {"kb": MAX_QUOTA_CSV_BYTES // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


GRID_MODES = ("place", "sex", "sex_age")


def grid_columns(mode: str, bands: Sequence[str]) -> list[tuple[str, str]]:
    if mode == "sex":
        return [("f", ""), ("m", "")]
    if mode == "sex_age":
        return [(sex, band) for sex in ("f", "m") for band in bands]
    return [("", "")]


def cell_name(unit: AdminUnit, sex: str, band: str) -> str:
    return f"t_{unit.pk}_{sex or 'any'}_{band or 'any'}"


class QuotaGridForm(forms.Form):
    """One target per place of the frame and column (any, by sex, or by sex and age band);
    empty cells have no quota."""

    def __init__(
        self,
        *args: Any,
        places: Sequence[AdminUnit],
        columns: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.places = list(places)
        self.columns = list(columns)
        for unit in self.places:
            for sex, band in self.columns:
                self.fields[cell_name(unit, sex, band)] = forms.IntegerField(
                    label=f"{unit.name} {sex} {band}".strip(),
                    required=False,
                    min_value=0,
                    max_value=MAX_QUOTA_TARGET,
                    widget=forms.NumberInput(attrs={"class": "input-narrow", "dir": "ltr"}),
                )

    def rows(self) -> list[tuple[AdminUnit, list[forms.BoundField]]]:
        return [
            (unit, [self[cell_name(unit, sex, band)] for sex, band in self.columns])
            for unit in self.places
        ]

    def quotas(self) -> list[tuple[AdminUnit, str, str, int]]:
        found: list[tuple[AdminUnit, str, str, int]] = []
        for unit in self.places:
            for sex, band in self.columns:
                value = self.cleaned_data.get(cell_name(unit, sex, band))
                if value is not None:
                    found.append((unit, sex, band, int(value)))
        return found
