"""Forms of the activity pages: list filters, the activity form, participants, attendance, issues.

Places are typed as a P-code or an exact place name and resolved through the actors/places
selectors, so a member can only pick places inside their own area; actors and messages are
offered only from the member's visible ones.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.actors.forms import resolve_unit
from palava.actors.selectors import site_visible
from palava.context.calendar_selectors import EventClash, activity_event_clashes
from palava.engagement import activity_selectors as sel
from palava.engagement.activity_services import (
    MAX_LONG_TEXT,
    MAX_NOTES,
    MAX_OTHER_PLACES,
)
from palava.engagement.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    ParticipantRole,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has

_SPLIT = re.compile(r"[,;\n]+")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MARKDOWN_HINT = gettext_lazy(
    "Markdown: **bold**, *italic*, lists with '-', headings with '#'. No HTML."
)


def choice_field(form: forms.Form, name: str) -> Any:
    """A form field whose ``choices`` are set at run time."""
    return form.fields[name]


class ActivityFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    activity_type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("Any type")), *ActivityType.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *ActivityStatus.choices],
    )
    place = forms.CharField(label=gettext_lazy("Place (P-code)"), required=False, max_length=32)
    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def filters(self) -> sel.ActivityFilters:
        if not self.is_bound or not self.is_valid():
            return sel.ActivityFilters()
        data = self.cleaned_data
        return sel.ActivityFilters(
            activity_type=data.get("activity_type") or "",
            status=data.get("status") or "",
            place=(data.get("place") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            query=(data.get("q") or "").strip(),
        )

    def active(self) -> bool:
        return (
            self.is_bound
            and self.is_valid()
            and any(self.cleaned_data.get(k) not in (None, "") for k in self.fields)
        )


class ActivityForm(forms.Form):
    """Creates or edits an activity; ``cleaned_data`` maps to ``activity_create`` fields."""

    activity_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=ActivityType.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=ActivityStatus.choices, initial="planned"
    )
    cancel_reason = forms.CharField(
        label=gettext_lazy("Reason (cancelled or postponed)"), required=False, max_length=300
    )
    admin_unit = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        help_text=gettext_lazy("A P-code or the exact name of an admin unit in your area."),
    )
    site = forms.CharField(
        label=gettext_lazy("Settlement or site (code)"), required=False, max_length=40
    )
    venue = forms.CharField(label=gettext_lazy("Venue"), required=False, max_length=200)
    places = forms.CharField(
        label=gettext_lazy("Other places taking part"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("P-codes separated by commas."),
    )
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts at"), widget=_DATETIME)
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends at"), required=False, widget=_DATETIME)
    facilitators = forms.MultipleChoiceField(
        label=gettext_lazy("Facilitators (staff)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_facilitators = forms.CharField(
        label=gettext_lazy("Other facilitators"), required=False, max_length=300
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages"),
        required=False,
        max_length=400,
        help_text=gettext_lazy("Separated by commas, e.g. fr, sw, Kinande (at most 10)."),
    )
    interpretation = forms.CharField(
        label=gettext_lazy("Interpretation"), required=False, max_length=300
    )
    agenda = forms.CharField(
        label=gettext_lazy("Agenda"),
        required=False,
        max_length=MAX_LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=MARKDOWN_HINT,
    )
    minutes = forms.CharField(
        label=gettext_lazy("Minutes"),
        required=False,
        max_length=MAX_LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=MARKDOWN_HINT,
    )
    # A select of recent activities; any visible activity's id is accepted (older ones too).
    follow_up_of = forms.CharField(
        label=gettext_lazy("Follows up on"), required=False, widget=forms.Select
    )
    follow_up_notes = forms.CharField(
        label=gettext_lazy("Follow-up needed"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Shown only with a cultural-calendar warning (see ``_check_calendar``).
    schedule_anyway = forms.BooleanField(label=gettext_lazy("Schedule anyway"), required=False)

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        activity: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.activity = activity
        #: Cultural-calendar events the chosen place and dates clash with (set by ``clean``).
        self.calendar_clashes: list[EventClash] = []
        #: Names the clashes warned about: "Schedule anyway" confirms exactly these.
        self.calendar_ack_key = ""
        members = (
            membership.mission.memberships.filter(is_active=True)
            .select_related("user")
            .order_by("user__username")
        )
        # Facilitators are staff who may record activities (not partners or viewers).
        self._users = {
            str(m.user.pk): m.user for m in members if role_has(m.role, Perm.ACTIVITY_MANAGE)
        }
        choice_field(self, "facilitators").choices = [
            (key, user.get_full_name() or user.get_username()) for key, user in self._users.items()
        ]
        choices = list(sel.activity_choices(membership=membership))
        current = activity.follow_up_of if activity is not None else None
        if current is not None and current not in choices:
            choices.append(current)
        self._activities = {
            str(a.public_id): a for a in choices if activity is None or a.pk != activity.pk
        }
        choice_field(self, "follow_up_of").widget.choices = [("", "—")] + [
            (key, f"{a.starts_at:%Y-%m-%d} · {a.title}") for key, a in self._activities.items()
        ]

    @staticmethod
    def initial_for(activity: Activity) -> dict[str, Any]:
        return {
            "activity_type": activity.activity_type,
            "title": activity.title,
            "status": activity.status,
            "cancel_reason": activity.cancel_reason,
            "admin_unit": activity.admin_unit.pcode,
            "site": activity.site.code if activity.site else "",
            "venue": activity.venue,
            "places": ", ".join(sorted(u.pcode for u in activity.places.all())),
            "starts_at": activity.starts_at,
            "ends_at": activity.ends_at,
            "facilitators": [str(u.pk) for u in activity.facilitators.all()],
            "other_facilitators": activity.other_facilitators,
            "languages": ", ".join(activity.languages or []),
            "interpretation": activity.interpretation,
            "agenda": activity.agenda,
            "minutes": activity.minutes,
            "follow_up_of": str(activity.follow_up_of.public_id) if activity.follow_up_of else "",
            "follow_up_notes": activity.follow_up_notes,
        }

    def clean_admin_unit(self) -> Any:
        unit = resolve_unit(self.membership, self.cleaned_data["admin_unit"])
        if unit is None:
            raise forms.ValidationError(_("No place in your area has this P-code or name."))
        return unit

    def clean_site(self) -> Any:
        code = (self.cleaned_data.get("site") or "").strip()
        if not code:
            return None
        site = site_visible(membership=self.membership, code=code)
        if site is None:
            raise forms.ValidationError(_("No site in your area has this code."))
        return site

    def clean_places(self) -> list[Any]:
        codes = [c.strip() for c in _SPLIT.split(self.cleaned_data.get("places") or "")]
        codes = [c for c in codes if c]
        if len(codes) > MAX_OTHER_PLACES:
            raise forms.ValidationError(_("Give at most 50 other places."))
        # Places already linked stay allowed even outside a scoped member's area.
        linked = (
            {u.pcode: u for u in self.activity.places.all()} if self.activity is not None else {}
        )
        units = []
        unknown = []
        for code in dict.fromkeys(codes):
            unit = linked.get(code) or resolve_unit(self.membership, code)
            if unit is None:
                unknown.append(code)
            else:
                units.append(unit)
        if unknown:
            raise forms.ValidationError(
                _("Unknown places: %(codes)s") % {"codes": ", ".join(unknown[:10])}
            )
        return units

    def clean_languages(self) -> list[str]:
        return [
            " ".join(part.split())
            for part in _SPLIT.split(self.cleaned_data.get("languages") or "")
            if part.strip()
        ]

    def clean_facilitators(self) -> list[Any]:
        return [self._users[key] for key in self.cleaned_data.get("facilitators") or []]

    def clean_follow_up_of(self) -> Activity | None:
        key = (self.cleaned_data.get("follow_up_of") or "").strip()
        if not key:
            return None
        found = self._activities.get(key) or sel.activity_get(
            membership=self.membership, public_id=key
        )
        if found is None or (self.activity is not None and found.pk == self.activity.pk):
            raise forms.ValidationError(_("Choose an activity you can see."))
        return found

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self._check_calendar(self.cleaned_data)
        return cleaned

    def _check_calendar(self, data: dict[str, Any]) -> None:
        """Refuse (once) a planned activity on dates of cultural-calendar events with a warning
        at its place: the form then lists the reasons and "Schedule anyway" saves it."""
        if self.errors:
            return
        unit, starts_at, ends_at = (
            data.get("admin_unit"),
            data.get("starts_at"),
            data.get("ends_at"),
        )
        if unit is None or starts_at is None or (ends_at is not None and ends_at < starts_at):
            return
        if data.get("status") in (ActivityStatus.HELD, ActivityStatus.CANCELLED):
            return
        if self.activity is not None and (
            self.activity.admin_unit_id == unit.pk
            and self.activity.starts_at == starts_at
            and self.activity.ends_at == ends_at
        ):
            return  # place and dates unchanged: warned about when they were chosen
        found = activity_event_clashes(
            membership=self.membership, admin_unit=unit, starts_at=starts_at, ends_at=ends_at
        )
        if not found:
            return
        self.calendar_clashes = found
        self.calendar_ack_key = hashlib.sha256(
            "|".join(
                f"{item.event.public_id}:{item.clash.occurrence.start.isoformat()}"
                for item in found
            ).encode()
        ).hexdigest()[:32]
        confirmed = data.get("schedule_anyway") and (
            str(self.data.get("calendar_ack", "")) == self.calendar_ack_key
        )
        if not confirmed:
            raise forms.ValidationError(
                _(
                    "These dates clash with the cultural calendar at this place. Read the "
                    'warning, then tick "Schedule anyway" to save, or change the dates.'
                ),
                code="calendar_clash",
            )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("schedule_anyway", None)
        for name in ("cancel_reason", "venue", "other_facilitators", "interpretation"):
            data[name] = (data.get(name) or "").strip()
        return data


class ParticipantForm(forms.Form):
    # A select of visible actors (a search narrows it); any visible actor's id is accepted.
    actor = forms.CharField(label=gettext_lazy("Actor"), widget=forms.Select)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=ParticipantRole.choices,
        initial=ParticipantRole.PARTICIPANT,
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, membership: Membership, query: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.membership = membership
        choices = sel.actor_choices(membership=membership, query=query)
        widget: Any = self.fields["actor"].widget
        widget.choices = [("", "—")] + [(str(a.public_id), a.name) for a in choices]

    def clean_actor(self) -> Any:
        found = sel.actor_visible_get(
            membership=self.membership, public_id=self.cleaned_data.get("actor")
        )
        if found is None:
            raise forms.ValidationError(_("Choose an actor you can see."))
        return found
