"""Forms of the commitments ledger: filters, record/edit, status, evidence, verification.

Choices that depend on the member (places, actors, activities, follow-up staff, sensitivity)
are limited to what the member may see; the services check again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from palava.accounts.models import User
from palava.actors.models import Actor, RecordSensitivity
from palava.actors.selectors import actors_visible
from palava.engagement import commitment_selectors as selectors
from palava.engagement.commitment_services import MAX_NOTE, note_required, transitions_from
from palava.engagement.models import (
    Activity,
    Commitment,
    CommitmentStatus,
    PartyKind,
    Verification,
)
from palava.engagement.selectors import activities_visible
from palava.missions.models import Membership
from palava.missions.permissions import clearance_for
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

MAX_PLACE_LEVEL = 3
DATE_WIDGET = {"type": "date"}


def _field(form: forms.Form, name: str) -> Any:
    return form.fields[name]


class _UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * int(obj.level)}{obj.name} ({obj.pcode})"


class _ActivityChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.starts_at:%Y-%m-%d} · {obj.title}"


class _UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
        return str(full or obj.get_username())


def units_for(membership: Membership) -> Any:
    return AdminUnit.objects.filter(
        scope_for(membership).q(""), mission_id=membership.mission_id, level__lte=MAX_PLACE_LEVEL
    ).order_by("path")


def sensitivity_choices(membership: Membership) -> list[tuple[str, Any]]:
    top = int(clearance_for(membership.role))
    return [
        ("", gettext_lazy("Default for the party (armed groups: confidential)")),
        *[(str(v), label) for v, label in RecordSensitivity.choices if int(v) <= top],
    ]


class CommitmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *CommitmentStatus.choices],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    party_kind = forms.ChoiceField(
        label=gettext_lazy("Party (either side)"),
        required=False,
        choices=[("", gettext_lazy("All")), *PartyKind.choices],
    )
    q = forms.CharField(label=gettext_lazy("Made by or to"), required=False, max_length=200)
    place = forms.CharField(label=gettext_lazy("Place (P-code)"), required=False, max_length=32)
    due_from = forms.DateField(
        label=gettext_lazy("Due from"),
        required=False,
        widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"),
    )
    due_to = forms.DateField(
        label=gettext_lazy("Due until"),
        required=False,
        widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"),
    )
    verification = forms.ChoiceField(
        label=gettext_lazy("Community verification"),
        required=False,
        choices=[("", gettext_lazy("All")), *Verification.choices],
    )
    activity = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def filters(self) -> selectors.CommitmentFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.CommitmentFilters(
            status=data.get("status") or "",
            overdue=bool(data.get("overdue")),
            party_kind=data.get("party_kind") or "",
            query=data.get("q") or "",
            place=data.get("place") or "",
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            verification=data.get("verification") or "",
            activity=str(data["activity"]) if data.get("activity") else "",
        )


class CommitmentForm(forms.Form):
    made_by_kind = forms.ChoiceField(
        label=gettext_lazy("Made by (kind of party)"), choices=PartyKind.choices
    )
    made_by_name = forms.CharField(
        label=gettext_lazy("Made by (name)"),
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=gettext_lazy("e.g. Civil Affairs, the territorial administrator"),
    )
    made_by_actor = forms.ModelChoiceField(
        label=gettext_lazy("Made by (registry actor, optional)"),
        queryset=Actor.objects.none(),
        required=False,
    )
    made_to_kind = forms.ChoiceField(
        label=gettext_lazy("Made to (kind of party)"), choices=PartyKind.choices
    )
    made_to_name = forms.CharField(
        label=gettext_lazy("Made to (name)"),
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    made_to_actor = forms.ModelChoiceField(
        label=gettext_lazy("Made to (registry actor, optional)"),
        queryset=Actor.objects.none(),
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("What was promised"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    admin_unit = _UnitChoice(label=gettext_lazy("Place"), queryset=AdminUnit.objects.none())
    made_on = forms.DateField(
        label=gettext_lazy("Made on"), widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d")
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"),
    )
    activity = _ActivityChoice(
        label=gettext_lazy("Made at (activity, optional)"),
        queryset=Activity.objects.none(),
        required=False,
    )
    owner = _UserChoice(
        label=gettext_lazy("Follow-up by"), queryset=User.objects.none(), required=False
    )
    sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Sensitivity"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actors = actors_visible(membership=membership).order_by("name")
        _field(self, "made_by_actor").queryset = actors
        _field(self, "made_to_actor").queryset = actors
        _field(self, "admin_unit").queryset = units_for(membership)
        _field(self, "activity").queryset = activities_visible(membership=membership).order_by(
            "-starts_at"
        )
        staff = [u.pk for u in selectors.owner_choices(membership=membership)]
        _field(self, "owner").queryset = User.objects.filter(pk__in=staff).order_by("username")
        _field(self, "sensitivity").choices = sensitivity_choices(membership)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        made_on, due = data.get("made_on"), data.get("due_date")
        if made_on and due and due < made_on:
            self.add_error("due_date", gettext_lazy("The due date cannot be before the promise."))
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}

    @staticmethod
    def initial_from(obj: Commitment) -> dict[str, Any]:
        return {
            "made_by_kind": obj.made_by_kind,
            "made_by_name": obj.made_by_name,
            "made_by_actor": obj.made_by_actor_id,
            "made_to_kind": obj.made_to_kind,
            "made_to_name": obj.made_to_name,
            "made_to_actor": obj.made_to_actor_id,
            "description": obj.description,
            "admin_unit": obj.admin_unit_id,
            "made_on": obj.made_on,
            "due_date": obj.due_date,
            "activity": obj.activity_id,
            "owner": obj.owner_id,
            "sensitivity": str(obj.sensitivity),
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"))
    note = forms.CharField(
        label=gettext_lazy("Note (required for broken, cancelled and reopening)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        labels = dict(CommitmentStatus.choices)
        # A blank first choice: submitting without choosing must not reopen or close anything.
        _field(self, "status").choices = [
            ("", gettext_lazy("Choose the new status")),
            *[(s, labels[s]) for s in transitions_from(commitment.status)],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        if status and note_required(self.commitment.status, status) and not data.get("note"):
            self.add_error("note", gettext_lazy("Say why in a note."))
        return data


class EvidenceActivityForm(forms.Form):
    activity = _ActivityChoice(
        label=gettext_lazy("Later activity"), queryset=Activity.objects.none()
    )

    def __init__(
        self, *args: Any, membership: Membership, commitment: Commitment, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "activity").queryset = selectors.evidence_activities(
            membership=membership, commitment=commitment
        )


class EvidenceNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Observation"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


class VerifyForm(forms.Form):
    verification = forms.ChoiceField(
        label=gettext_lazy("Does the community consider it kept?"), choices=Verification.choices
    )
    verification_note = forms.CharField(
        label=gettext_lazy("How and whom the community was asked"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("verification") not in (None, Verification.NOT_ASKED) and not data.get(
            "verification_note"
        ):
            self.add_error("verification_note", gettext_lazy("Say how the community was asked."))
        return data
