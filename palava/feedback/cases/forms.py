"""Forms of the case pages: list filters, opening a case, and one form per action.

Forms only validate and convert what was typed; the services decide whether the action is
allowed in the case's state. Staff offered as assignees are the mission's active members whose
role may work cases; places are resolved in the member's area (``resolve_unit``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.feedback.forms import resolve_unit
from palava.feedback.models import (
    CaseStatus,
    CaseType,
    Credibility,
    ReplyTemplate,
    ResponderType,
    ResponseOutcome,
    SourceReliability,
    Team,
    Urgency,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.missions.selectors import mission_members
from palava.places.models import AdminUnit

NOTE_MAX = 2000
OVERDUE_CHOICES = (
    ("", gettext_lazy("Any")),
    ("yes", gettext_lazy("Overdue only")),
)


def set_choices(form: forms.Form, name: str, choices: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def staff_choices(membership: Membership, blank: Any) -> list[tuple[str, str]]:
    """Active members who may work cases, by user id (``("", blank)`` first)."""
    rows = [
        m
        for m in mission_members(mission=membership.mission).filter(is_active=True)
        if role_has(m.role, Perm.CASE_MANAGE)
    ]
    return [("", str(blank)), *((str(m.user_id), m.user.get_username()) for m in rows)]


def _teams(membership: Membership) -> list[Team]:
    return list(Team.objects.filter(mission_id=membership.mission_id, is_active=True))


def team_choices(membership: Membership, blank: Any) -> list[tuple[str, str]]:
    teams = _teams(membership)
    return [("", str(blank)), *((str(t.public_id), t.name) for t in teams)]


def _team(membership: Membership, value: str) -> Team | None:
    if not value:
        return None
    for team in _teams(membership):
        if str(team.public_id) == value:
            return team
    raise forms.ValidationError(_("Unknown team."))


def _user(membership: Membership, value: str) -> Any:
    if not value:
        return None
    for m in mission_members(mission=membership.mission).filter(is_active=True):
        if str(m.user_id) == value and role_has(m.role, Perm.CASE_MANAGE):
            return m.user
    raise forms.ValidationError(_("Choose a member of the mission who works on cases."))


@dataclass(frozen=True)
class ListFilters:
    """What the case list was asked for (handed to the selector as its ``CaseFilters``)."""

    status: str = ""
    case_type: str = ""
    place: AdminUnit | None = None
    team: Team | None = None
    assignee: Any = None
    overdue: bool = False
    open_only: bool = False


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    case_type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    place = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    assignee = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)
    overdue = forms.ChoiceField(
        label=gettext_lazy("Deadlines"), required=False, choices=OVERDUE_CHOICES
    )

    OPEN = "open"

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        set_choices(
            self,
            "status",
            [
                ("", _("Any")),
                (self.OPEN, _("Open (not closed)")),
                *CaseStatus.choices,
            ],
        )
        set_choices(self, "case_type", [("", _("Any")), *CaseType.choices])
        set_choices(self, "team", team_choices(membership, _("Any")))
        set_choices(
            self,
            "assignee",
            [
                *staff_choices(membership, _("Anyone")),
                ("me", _("Me")),
            ],
        )

    def filters(self) -> ListFilters:
        if not self.is_valid():
            return ListFilters()
        data = self.cleaned_data
        place = resolve_unit(self.membership, data.get("place") or "")
        if (data.get("place") or "").strip() and place is None:
            self.add_error("place", _("Unknown place, or a place outside your area."))
        try:
            team = _team(self.membership, data.get("team") or "")
        except forms.ValidationError:
            team = None
        assignee_value = data.get("assignee") or ""
        if assignee_value == "me":
            assignee = self.membership.user
        else:
            try:
                assignee = _user(self.membership, assignee_value)
            except forms.ValidationError:
                assignee = None
        status = data.get("status") or ""
        return ListFilters(
            status="" if status == self.OPEN else status,
            case_type=data.get("case_type") or "",
            place=place,
            team=team,
            assignee=assignee,
            overdue=data.get("overdue") == "yes",
            open_only=status == self.OPEN,
        )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CommentForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class VerifyForm(NoteForm):
    DECISIONS = (
        ("verified", gettext_lazy("Verified: it happened or is happening")),
        ("unfounded", gettext_lazy("Unfounded: it did not happen")),
        ("grade", gettext_lazy("Only grade it, decide later")),
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    source_reliability = forms.ChoiceField(
        label=gettext_lazy("Source reliability"),
        required=False,
        choices=[("", "—"), *SourceReliability.choices],
    )
    credibility = forms.ChoiceField(
        label=gettext_lazy("Information credibility"),
        required=False,
        choices=[("", "—"), *Credibility.choices],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "grade" and not (
            data.get("source_reliability") and data.get("credibility")
        ):
            raise forms.ValidationError(_("Give both grades, or decide."))
        return data


def _now_local() -> str:
    return timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")


class ResponseForm(forms.Form):
    responder_type = forms.ChoiceField(
        label=gettext_lazy("Who responded"), choices=ResponderType.choices
    )
    responder_name = forms.CharField(
        label=gettext_lazy("Unit or organisation"), required=False, max_length=200
    )
    responded_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Empty: now. In the mission's time zone; never in the future."),
    )
    action = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=ResponseOutcome.choices, initial="unknown"
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_responded_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("responded_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError(_("A response cannot be in the future."))
        return value


class AssignForm(forms.Form):
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    assignee = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        set_choices(self, "team", team_choices(membership, _("No team")))
        set_choices(self, "assignee", staff_choices(membership, _("Nobody (the team)")))

    def clean_team(self) -> Team | None:
        return _team(self.membership, self.cleaned_data.get("team") or "")

    def clean_assignee(self) -> Any:
        return _user(self.membership, self.cleaned_data.get("assignee") or "")


class IncidentForm(forms.Form):
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=60,
        help_text=gettext_lazy("Own patrol report, ACLED, partner, media…"),
    )
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=120)
    occurred_on = forms.DateField(
        label=gettext_lazy("Occurred on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    url = forms.URLField(label=gettext_lazy("Link"), required=False, assume_scheme="https")


class AttachForm(forms.Form):
    ROLES = (
        ("report", gettext_lazy("Another report of the same event")),
        ("corroboration", gettext_lazy("A corroborating report")),
    )
    message = forms.UUIDField(
        label=gettext_lazy("Message id"),
        help_text=gettext_lazy("The id at the end of the message's address."),
    )
    role = forms.ChoiceField(label=gettext_lazy("As"), choices=ROLES, initial="corroboration")


class OpenCaseForm(forms.Form):
    case_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=CaseType.choices)
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("What and where, without names or phone numbers."),
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        required=False,
        choices=[("", "—"), *Urgency.choices],
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("A P-code or the exact name of a place in your area."),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_place(self) -> AdminUnit | None:
        text = self.cleaned_data.get("place") or ""
        if not text.strip():
            return None
        unit = resolve_unit(self.membership, text)
        if unit is None:
            raise forms.ValidationError(
                _("Unknown place, or a place outside your area. Use its P-code.")
            )
        return unit


class ReplyForm(forms.Form):
    template = forms.ChoiceField(label=gettext_lazy("Start from a template"), required=False)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=1530,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=gettext_lazy(
            "Empty: the template's text in the reporter's language. Never a name or a number."
        ),
    )

    def __init__(self, *args: Any, templates: list[ReplyTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {str(t.public_id): t for t in templates}
        set_choices(
            self,
            "template",
            [
                ("", "—"),
                *((key, t.name) for key, t in self.templates.items()),
            ],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key = data.get("template") or ""
        data["template_obj"] = self.templates.get(key) if key else None
        if not data.get("body", "").strip() and data["template_obj"] is None:
            raise forms.ValidationError(_("Write a text or choose a template."))
        return data


def uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
