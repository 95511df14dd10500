"""Forms of the actors pages: list filters, the actor form, consent, merge.

Places are typed as a P-code or an exact place name and resolved through the places and actors
selectors, so a member can only pick places inside their own area.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.actors import selectors
from palava.actors.models import (
    INFLUENCE_MAX,
    INFLUENCE_MIN,
    ActorKind,
    ActorType,
    ConsentMethod,
    ConsentPurpose,
    Gender,
    RecordSensitivity,
    Stance,
)
from palava.missions.models import Membership
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for
from palava.places.search import Rank, place_search

_SPLIT = re.compile(r"[,;\n]+")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _influence_choices(blank: Any) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(i), str(i)) for i in range(INFLUENCE_MAX, INFLUENCE_MIN - 1, -1)]


def _stance_choices(blank: Any) -> list[tuple[Any, Any]]:
    return [("", blank), *Stance.choices]


class ActorFilterForm(forms.Form):
    """The list's filters (GET); also used by the grid and the graph."""

    q = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    actor_type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("Any type")), *ActorType.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Any kind")), *ActorKind.choices],
    )
    place = forms.CharField(
        label=gettext_lazy("Place (P-code)"),
        required=False,
        max_length=32,
    )
    influence_min = forms.TypedChoiceField(
        label=gettext_lazy("Influence at least"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_influence_choices("—"),
    )
    influence_max = forms.TypedChoiceField(
        label=gettext_lazy("Influence at most"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_influence_choices("—"),
    )
    stance = forms.TypedChoiceField(
        label=gettext_lazy("Stance towards the peace process"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_stance_choices("—"),
    )
    stance_mission = forms.TypedChoiceField(
        label=gettext_lazy("Stance towards the mission"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_stance_choices("—"),
    )

    def filters(self) -> selectors.ActorFilters:
        """The selector filters (no filter when the form is unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return selectors.ActorFilters()
        data = self.cleaned_data
        return selectors.ActorFilters(
            actor_types=(data["actor_type"],) if data.get("actor_type") else (),
            kinds=(data["kind"],) if data.get("kind") else (),
            place=(data.get("place") or "").strip(),
            influence_min=data.get("influence_min"),
            influence_max=data.get("influence_max"),
            stance_peace_process=(data["stance"],) if data.get("stance") is not None else (),
            stance_mission=(
                (data["stance_mission"],) if data.get("stance_mission") is not None else ()
            ),
            query=(data.get("q") or "").strip(),
        )

    def active(self) -> bool:
        return (
            self.is_bound
            and self.is_valid()
            and any(self.cleaned_data.get(k) not in (None, "") for k in self.fields)
        )


def resolve_unit(membership: Membership, text: str) -> AdminUnit | None:
    """A visible unit named by its P-code or by an exact, unambiguous name; None otherwise."""
    text = text.strip()
    if not text:
        return None
    unit = selectors.admin_unit_visible(membership=membership, pcode=text)
    if unit is not None:
        return unit
    exact = [
        hit
        for hit in place_search(membership=membership, query=text, limit=5, include_sites=False)
        if hit.rank == Rank.EXACT
    ]
    return exact[0].unit if len(exact) == 1 else None


class ActorForm(forms.Form):
    """Creates or edits an actor. Contact fields are write-only: never filled from the record."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ActorKind.choices)
    actor_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=ActorType.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    alt_names = forms.CharField(
        label=gettext_lazy("Other names and spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line."),
    )
    title = forms.CharField(label=gettext_lazy("Title or role"), required=False, max_length=200)
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"),
        required=False,
        choices=[("", "—"), *Gender.choices],
        help_text=gettext_lazy("Persons only."),
    )
    admin_unit = forms.CharField(
        label=gettext_lazy("Main place"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("A P-code or the exact name of an admin unit in your area."),
    )
    places = forms.CharField(
        label=gettext_lazy("Other places of influence"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("P-codes separated by commas."),
    )
    site = forms.CharField(
        label=gettext_lazy("Settlement or site (code)"), required=False, max_length=40
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Language codes separated by commas, e.g. fr, sw, ln."),
    )
    influence = forms.TypedChoiceField(
        label=gettext_lazy("Influence"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_influence_choices(gettext_lazy("Unknown")),
        help_text=gettext_lazy("1 (little) to 5 (decisive)."),
    )
    stance_peace_process = forms.TypedChoiceField(
        label=gettext_lazy("Stance towards the peace process"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_stance_choices(gettext_lazy("Unknown")),
    )
    stance_mission = forms.TypedChoiceField(
        label=gettext_lazy("Stance towards the mission"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_stance_choices(gettext_lazy("Unknown")),
    )
    sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Sensitivity"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Confidential: visible to confidential clearance and above."),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_other = forms.CharField(
        label=gettext_lazy("Address and other contact"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    confirm_new = forms.BooleanField(
        label=gettext_lazy("This is a new actor, not one of those listed above."),
        required=False,
    )

    CONTACT = ("phone", "email", "contact_other")

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        editing: bool = False,
        can_read_notes: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.editing = editing
        clearance = int(selectors.clearance(membership))
        sensitivity = self.fields["sensitivity"]
        assert isinstance(sensitivity, forms.TypedChoiceField)
        sensitivity.choices = [
            *([] if editing else [("", _("Default for the type"))]),
            *((v, label) for v, label in RecordSensitivity.choices if v <= clearance),
        ]
        sensitivity.required = editing
        if not can_read_notes:
            del self.fields["notes"]
        if editing:
            del self.fields["confirm_new"]
            for name in self.CONTACT:
                self.fields[name].help_text = _("Leave empty to keep what is on file.")
        self.resolved: dict[str, Any] = {}

    def clean_admin_unit(self) -> AdminUnit | None:
        text = self.cleaned_data.get("admin_unit", "")
        if not text.strip():
            if not scope_for(self.membership).is_whole_mission:
                raise forms.ValidationError(_("Give a main place inside your area."))
            return None
        unit = resolve_unit(self.membership, text)
        if unit is None:
            raise forms.ValidationError(
                _("Unknown place, or a place outside your area. Use its P-code.")
            )
        return unit

    def clean_places(self) -> list[AdminUnit]:
        units: list[AdminUnit] = []
        for code in _SPLIT.split(self.cleaned_data.get("places", "")):
            if not code.strip():
                continue
            unit = resolve_unit(self.membership, code)
            if unit is None:
                raise forms.ValidationError(
                    _("Unknown place, or a place outside your area: %(code)s")
                    % {"code": code.strip()}
                )
            if unit not in units:
                units.append(unit)
        return units

    def clean_site(self) -> Site | None:
        code = self.cleaned_data.get("site", "").strip()
        if not code:
            return None
        site = selectors.site_visible(membership=self.membership, code=code)
        if site is None:
            raise forms.ValidationError(_("Unknown site, or a site outside your area."))
        return site

    def clean_alt_names(self) -> list[str]:
        lines = self.cleaned_data.get("alt_names", "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean_languages(self) -> list[str]:
        codes = [c.strip().lower() for c in _SPLIT.split(self.cleaned_data.get("languages", ""))]
        codes = [c for c in codes if c]
        bad = [c for c in codes if not _LANGUAGE.match(c)]
        if bad:
            raise forms.ValidationError(_("Use language codes such as fr, sw or ar."))
        return list(dict.fromkeys(codes))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("gender") and data.get("kind") not in (None, ActorKind.PERSON):
            self.add_error("gender", _("Only persons have a gender."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """The fields ``actor_create`` / ``actor_update`` take, from the cleaned data."""
        data = self.cleaned_data
        out = {
            name: data[name]
            for name in (
                "kind",
                "actor_type",
                "name",
                "alt_names",
                "gender",
                "title",
                "admin_unit",
                "places",
                "site",
                "languages",
                "influence",
                "stance_peace_process",
                "stance_mission",
                "sensitivity",
            )
        }
        if "notes" in self.fields:
            out["notes"] = data.get("notes", "")
        return out

    def contact_fields(self) -> dict[str, str | None]:
        return {name: (self.cleaned_data.get(name) or None) for name in self.CONTACT}

    @staticmethod
    def initial_for(record: Any) -> dict[str, Any]:
        return {
            "kind": record.kind,
            "actor_type": record.actor_type,
            "name": record.name,
            "alt_names": "\n".join(record.alt_names or []),
            "title": record.title,
            "gender": record.gender,
            "admin_unit": record.admin_unit.pcode if record.admin_unit else "",
            "places": ", ".join(sorted(u.pcode for u in record.places.all())),
            "site": record.site.code if record.site else "",
            "languages": ", ".join(record.languages or []),
            "influence": record.influence,
            "stance_peace_process": record.stance_peace_process,
            "stance_mission": record.stance_mission,
            "sensitivity": record.sensitivity,
            "notes": record.notes,
        }


class ConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=gettext_lazy("Agreed to"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=ConsentMethod.choices)
    given_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("Leave empty for now."),
    )
    details = forms.CharField(
        label=gettext_lazy("What was agreed, in words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_given_at(self) -> Any:
        value = self.cleaned_data.get("given_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError(_("Consent cannot be given in the future."))
        return value


class ConsentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for withdrawal"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    keep = forms.UUIDField(label=gettext_lazy("Keep"))
    merge = forms.UUIDField(label=gettext_lazy("Merge into the kept record"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("keep") and data.get("keep") == data.get("merge"):
            raise forms.ValidationError(_("Choose two different actors."))
        return data
