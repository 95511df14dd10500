"""Forms of the project pages: list filters, create/edit, the beneficiaries grid, deliverables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.actors.selectors import admin_unit_visible
from palava.engagement.models import (
    Agreement,
    BeneficiaryAge,
    CountSex,
    Partner,
    ProjectStatus,
    ProjectType,
    Sector,
)
from palava.engagement.partner_selectors import agreement_choices, partner_choices
from palava.engagement.project_currencies import currency_valid
from palava.engagement.project_selectors import ProjectFilters, ReachTable
from palava.engagement.project_services import MAX_REACH
from palava.missions.models import Membership
from palava.places.models import AdminUnit

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_OTHER_PLACES = 50


class PartnerChoiceField(forms.ModelChoiceField[Partner]):
    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.actor.name} ({obj.acronym})" if obj.acronym else obj.actor.name


class AgreementChoiceField(forms.ModelChoiceField[Agreement]):
    def label_from_instance(self, obj: Agreement) -> str:
        return f"{obj.partner.actor.name}: {obj.title}"


class ProjectFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Code or title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        required=False,
        choices=[("", gettext_lazy("Any sector")), *Sector.choices],
    )
    project_type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("Any type")), *ProjectType.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *ProjectStatus.choices],
    )
    partner = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    place = forms.CharField(label=gettext_lazy("Place (P-code)"), required=False, max_length=32)

    def filters(self) -> ProjectFilters:
        if not self.is_bound or not self.is_valid():
            return ProjectFilters()
        data = self.cleaned_data
        return ProjectFilters(
            sector=data.get("sector") or "",
            project_type=data.get("project_type") or "",
            status=data.get("status") or "",
            partner=(data.get("partner") or "").strip(),
            place=(data.get("place") or "").strip(),
            query=(data.get("q") or "").strip(),
        )


class ProjectForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    project_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=ProjectType.choices)
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), choices=Sector.choices)
    partner = PartnerChoiceField(
        label=gettext_lazy("Implementing partner"),
        queryset=Partner.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    funder = PartnerChoiceField(
        label=gettext_lazy("Funded by"),
        queryset=Partner.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    agreement = AgreementChoiceField(
        label=gettext_lazy("Under agreement"),
        queryset=Agreement.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    admin_unit = forms.CharField(
        label=gettext_lazy("Main place (P-code)"),
        max_length=32,
        help_text=gettext_lazy("Decides who sees the project (geographic scope)."),
    )
    other_places = forms.CharField(
        label=gettext_lazy("Other places (P-codes, separated by spaces or commas)"),
        required=False,
        max_length=2000,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    budget = forms.DecimalField(
        label=gettext_lazy("Budget"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    currency = forms.CharField(
        label=gettext_lazy("Currency (ISO 4217)"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"list": "currency-codes", "size": 4}),
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=_DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), required=False, widget=_DATE)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ProjectStatus.choices)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        for name in ("partner", "funder"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = partner_choices(membership=membership)
        agreement_field = self.fields["agreement"]
        assert isinstance(agreement_field, forms.ModelChoiceField)
        agreement_field.queryset = agreement_choices(membership=membership)

    def clean_admin_unit(self) -> AdminUnit:
        pcode = str(self.cleaned_data.get("admin_unit") or "")
        unit = admin_unit_visible(membership=self.membership, pcode=pcode)
        if unit is None:
            raise ValidationError(_("Unknown place, or a place outside your area."))
        return unit

    def clean_other_places(self) -> list[AdminUnit]:
        raw = str(self.cleaned_data.get("other_places") or "").replace(",", " ")
        codes = list(dict.fromkeys(raw.split()))
        if len(codes) > MAX_OTHER_PLACES:
            raise ValidationError(
                _("At most %(count)s other places.") % {"count": MAX_OTHER_PLACES}
            )
        units = []
        for code in codes:
            unit = admin_unit_visible(membership=self.membership, pcode=code)
            if unit is None:
                raise ValidationError(
                    _("Unknown place, or a place outside your area: %(code)s") % {"code": code}
                )
            units.append(unit)
        return units

    def clean_currency(self) -> str:
        code = str(self.cleaned_data.get("currency") or "").strip().upper()
        if code and not currency_valid(code):
            raise ValidationError(_("Give an active ISO 4217 currency code such as USD or EUR."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("budget") is not None and not data.get("currency"):
            self.add_error("currency", _("Give the currency of the budget."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The project cannot end before it starts."))
        return data

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "code",
                "title",
                "project_type",
                "sector",
                "partner",
                "funder",
                "agreement",
                "admin_unit",
                "description",
                "budget",
                "currency",
                "starts_on",
                "ends_on",
                "status",
            )
        }


def reach_field_name(measure: str, sex: str, age: str) -> str:
    return f"{measure}_{sex}_{age}"


class ReachForm(forms.Form):
    """The beneficiaries grid: targeted and reached for each sex x age group."""

    def __init__(self, *args: Any, table: ReachTable | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = {}
        if table is not None:
            stored = {(c.sex, c.age_group): c for row in table.rows for c in row.cells}
        for age in BeneficiaryAge.values:
            for sex in CountSex.values:
                cell = stored.get((sex, age))
                for measure in ("targeted", "reached"):
                    self.fields[reach_field_name(measure, sex, age)] = forms.IntegerField(
                        min_value=0,
                        max_value=MAX_REACH,
                        required=False,
                        initial=getattr(cell, measure) if cell else 0,
                        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_REACH}),
                    )

    def cells(self) -> dict[tuple[str, str], tuple[int, int]]:
        data = self.cleaned_data
        return {
            (sex, age): (
                int(data.get(reach_field_name("targeted", sex, age)) or 0),
                int(data.get(reach_field_name("reached", sex, age)) or 0),
            )
            for age in BeneficiaryAge.values
            for sex in CountSex.values
        }


class DeliverableForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Deliverable"), max_length=300)
    due_on = forms.DateField(label=gettext_lazy("Due on"), required=False, widget=_DATE)


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(label=gettext_lazy("Delivered on"), required=False, widget=_DATE)
