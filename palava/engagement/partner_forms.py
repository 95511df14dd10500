"""Forms of the partner pages: list filters, add a partner, edit it, agreements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from palava.actors.models import Actor
from palava.engagement.models import AgreementKind, DataSharing, PartnerType
from palava.engagement.partner_selectors import PartnerFilters, organisations_available
from palava.missions.models import Membership

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnerFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name or acronym"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    partner_type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("Any type")), *PartnerType.choices],
    )
    active = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Active and former")),
            ("yes", gettext_lazy("Active")),
            ("no", gettext_lazy("Former")),
        ],
    )

    def filters(self) -> PartnerFilters:
        if not self.is_bound or not self.is_valid():
            return PartnerFilters()
        data = self.cleaned_data
        active = {"yes": True, "no": False}.get(data.get("active") or "")
        return PartnerFilters(
            partner_type=data.get("partner_type") or "",
            active=active,
            query=(data.get("q") or "").strip(),
        )


class OrganisationChoiceField(forms.ModelChoiceField[Actor]):
    def label_from_instance(self, obj: Actor) -> str:
        place = f" ({obj.admin_unit.name})" if obj.admin_unit_id and obj.admin_unit else ""
        return f"{obj.name}{place}"


class PartnerCreateForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Actor.objects.none(),
        to_field_name="public_id",
        empty_label=gettext_lazy("Choose an organisation"),
    )
    partner_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=PartnerType.choices)
    acronym = forms.CharField(label=gettext_lazy("Acronym"), required=False, max_length=40)
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations_available(membership=membership)


class PartnerEditForm(forms.Form):
    partner_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=PartnerType.choices)
    acronym = forms.CharField(label=gettext_lazy("Acronym"), required=False, max_length=40)
    is_active = forms.BooleanField(label=gettext_lazy("Current partner"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AgreementKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=100)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), required=False, widget=_DATE)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=_DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), required=False, widget=_DATE)
    scope = forms.CharField(
        label=gettext_lazy("Scope"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    data_sharing = forms.ChoiceField(
        label=gettext_lazy("Data sharing"), choices=DataSharing.choices
    )
    data_sharing_terms = forms.CharField(
        label=gettext_lazy("Data-sharing terms"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
