"""Forms of the routing admin: a team (duty officer, members, leads), an assignment rule and an
SLA policy. Staff choices are the mission's active members whose role may work cases."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.feedback.cases.forms import set_choices, staff_choices, team_choices
from palava.feedback.forms import resolve_unit
from palava.feedback.models import CaseType, Category, Team, Urgency
from palava.feedback.selectors import label_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.missions.selectors import mission_members
from palava.places.models import AdminUnit


def _users(membership: Membership, values: list[str]) -> list[Any]:
    by_id = {
        str(m.user_id): m.user
        for m in mission_members(mission=membership.mission).filter(is_active=True)
        if role_has(m.role, Perm.CASE_MANAGE)
    }
    return [by_id[v] for v in values if v in by_id]


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    duty_officer = forms.ChoiceField(
        label=gettext_lazy("Duty officer"),
        required=False,
        help_text=gettext_lazy("Receives new cases routed to the team and the first escalation."),
    )
    email = forms.EmailField(label=gettext_lazy("Team mailbox"), required=False)
    members = forms.MultipleChoiceField(
        label=gettext_lazy("Members"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leads = forms.MultipleChoiceField(
        label=gettext_lazy("Team leads"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leads receive the second escalation level. A lead is a member."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        people = staff_choices(membership, _("Nobody"))
        set_choices(self, "duty_officer", people)
        set_choices(self, "members", people[1:])
        set_choices(self, "leads", people[1:])

    def clean_duty_officer(self) -> Any:
        found = _users(self.membership, [self.cleaned_data.get("duty_officer") or ""])
        return found[0] if found else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        members = _users(self.membership, data.get("members") or [])
        leads = _users(self.membership, data.get("leads") or [])
        data["member_users"] = list({u.pk: u for u in [*members, *leads]}.values())
        data["lead_ids"] = {u.pk for u in leads}
        return data

    @staticmethod
    def initial_for(team: Team) -> dict[str, Any]:
        rows = list(team.members.all())
        return {
            "name": team.name,
            "duty_officer": str(team.duty_officer_id or ""),
            "email": team.email,
            "members": [str(r.user_id) for r in rows],
            "leads": [str(r.user_id) for r in rows if r.is_lead],
            "is_active": team.is_active,
        }


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    order = forms.IntegerField(
        label=gettext_lazy("Order"),
        min_value=0,
        max_value=100000,
        initial=100,
        help_text=gettext_lazy("Rules are tried from the lowest number; the first match wins."),
    )
    place = forms.CharField(
        label=gettext_lazy("Area"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("A P-code. Matches the area and every area inside it."),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    case_type = forms.ChoiceField(label=gettext_lazy("Case type"), required=False)
    min_urgency = forms.ChoiceField(label=gettext_lazy("At least this urgent"), required=False)
    team = forms.ChoiceField(label=gettext_lazy("Team"))
    assignee = forms.ChoiceField(
        label=gettext_lazy("Assign to"),
        required=False,
        help_text=gettext_lazy("Empty: the team's duty officer."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        any_label = _("Any")
        self.categories = {
            c.code: c
            for c in Category.objects.filter(mission_id=membership.mission_id, is_active=True)
        }
        set_choices(
            self,
            "category",
            [
                ("", any_label),
                *((code, label_of(c)) for code, c in self.categories.items()),
            ],
        )
        set_choices(self, "case_type", [("", any_label), *CaseType.choices])
        set_choices(self, "min_urgency", [("", any_label), *Urgency.choices])
        set_choices(self, "team", team_choices(membership, "—")[1:])
        set_choices(self, "assignee", staff_choices(membership, _("The duty officer")))

    def clean_place(self) -> AdminUnit | None:
        text = self.cleaned_data.get("place") or ""
        if not text.strip():
            return None
        unit = resolve_unit(self.membership, text)
        if unit is None:
            raise forms.ValidationError(_("Unknown place, or a place outside your area."))
        return unit

    def clean_category(self) -> Category | None:
        return self.categories.get(self.cleaned_data.get("category") or "")

    def clean_team(self) -> Team:
        value = self.cleaned_data.get("team") or ""
        team = Team.objects.filter(mission_id=self.membership.mission_id, public_id=value).first()
        if team is None:
            raise forms.ValidationError(_("Unknown team."))
        return team

    def clean_assignee(self) -> Any:
        found = _users(self.membership, [self.cleaned_data.get("assignee") or ""])
        return found[0] if found else None


class SlaForm(forms.Form):
    case_type = forms.ChoiceField(label=gettext_lazy("Case type"), choices=CaseType.choices)
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), required=False)
    acknowledge_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes to acknowledge"), min_value=1, max_value=525600
    )
    respond_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes to respond"), min_value=1, max_value=525600
    )
    repeat_minutes = forms.IntegerField(
        label=gettext_lazy("Escalate again every (minutes)"),
        min_value=1,
        max_value=525600,
        help_text=gettext_lazy(
            "After a breach, the next level is notified again at this interval."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "urgency", [("", _("Any urgency")), *Urgency.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ack, respond = data.get("acknowledge_minutes"), data.get("respond_minutes")
        if ack and respond and respond < ack:
            self.add_error(
                "respond_minutes", _("The time to respond cannot be shorter than to acknowledge.")
            )
        return data
