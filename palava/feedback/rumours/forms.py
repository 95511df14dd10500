"""Forms of the rumour log."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from palava.feedback import selectors as message_selectors
from palava.feedback.models import Category, Channel, RumourRisk, RumourStatus
from palava.feedback.rumours.services import COUNTER_CHANNELS
from palava.missions.models import Membership
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

MAX_PLACE_LEVEL = 3


def _field(form: forms.Form, name: str) -> Any:
    """A form field whose choices or queryset are set per member (typed loosely for mypy)."""
    return form.fields[name]


class _UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * int(obj.level)}{obj.name} ({obj.pcode})"


class _UnitsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * int(obj.level)}{obj.name} ({obj.pcode})"


class _CategoryChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return message_selectors.full_label_of(obj)


def _units(membership: Membership) -> Any:
    return AdminUnit.objects.filter(
        scope_for(membership).q(""), mission_id=membership.mission_id, level__lte=MAX_PLACE_LEVEL
    ).order_by("path")


class RumourForm(forms.Form):
    claim = forms.CharField(
        label=gettext_lazy("Claim"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=gettext_lazy("What people are saying, in a sentence, as neutrally as you can."),
    )
    first_seen_at = forms.DateTimeField(
        label=gettext_lazy("First seen (mission time zone)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    risk = forms.ChoiceField(label=gettext_lazy("Risk"), choices=RumourRisk.choices)
    admin_unit = _UnitChoice(
        label=gettext_lazy("Main place"), queryset=AdminUnit.objects.none(), required=False
    )
    places = _UnitsChoice(
        label=gettext_lazy("Other places where it circulates"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    category = _CategoryChoice(
        label=gettext_lazy("Topic"), queryset=Category.objects.none(), required=False
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = zoneinfo.ZoneInfo(membership.mission.time_zone)
        _field(self, "admin_unit").queryset = _units(membership)
        _field(self, "places").queryset = _units(membership)
        _field(self, "category").queryset = Category.objects.filter(
            pk__in=[
                c.pk
                for c in message_selectors.categories_of(
                    membership,
                    include_restricted=message_selectors.may_see_restricted(membership),
                )
            ]
        ).select_related("parent")
        if not scope_for(membership).is_whole_mission:
            self.fields["admin_unit"].required = True

    def moment(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("first_seen_at")
        if value is None:
            return None
        return (
            timezone.make_naive(value).replace(tzinfo=self.time_zone)
            if timezone.is_aware(value)
            else value.replace(tzinfo=self.time_zone)
        )


class RumourFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Words of the claim"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *RumourStatus.choices],
    )
    risk = forms.ChoiceField(
        label=gettext_lazy("Risk"),
        required=False,
        choices=[("", gettext_lazy("All")), *RumourRisk.choices],
    )
    place = forms.ChoiceField(label=gettext_lazy("Place"), required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "place").choices = [("", gettext_lazy("Everywhere"))] + [
            (u.pcode, f"{'— ' * int(u.level)}{u.name}")
            for u in _units(membership).filter(level__lte=2)
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=RumourStatus.choices)
    note = forms.CharField(
        label=gettext_lazy("Why (added to the notes)"), required=False, max_length=1000
    )


class CounterForm(forms.Form):
    counter_message = forms.CharField(
        label=gettext_lazy("Counter-message"),
        max_length=1530,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=gettext_lazy("The facts the mission puts out in answer to the rumour."),
    )
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels used"),
        choices=COUNTER_CHANNELS,
        widget=forms.CheckboxSelectMultiple,
    )
    broadcast_channel = forms.ModelChoiceField(
        label=gettext_lazy("Also prepare an SMS broadcast through"),
        queryset=Channel.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "A draft broadcast to the rumour's places; it is sent only once someone schedules it."
        ),
    )

    def __init__(self, *args: Any, membership: Membership, can_broadcast: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if can_broadcast:
            _field(self, "broadcast_channel").queryset = (
                Channel.objects.filter(mission_id=membership.mission_id, is_active=True)
                .exclude(outbound_mode="off")
                .order_by("name")
            )
        else:
            del self.fields["broadcast_channel"]
