"""Forms of the broadcast pages: write the texts, choose the audience, schedule."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from palava.actors.models import Actor, ActorKind, ActorType
from palava.feedback.forms import language_name
from palava.feedback.models import MAX_OUTBOUND_CHARS, Broadcast, Channel
from palava.missions.models import Membership
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

MAX_AREA_LEVEL = 2
FALLBACK_LANGUAGES = ("fr", "en", "ar", "sw", "pt")


def mission_languages(membership: Membership) -> list[str]:
    codes = list(membership.mission.languages or [])
    return codes or list(FALLBACK_LANGUAGES[:2])


def _field(form: forms.Form, name: str) -> Any:
    """A form field whose choices or queryset are set per member (typed loosely for mypy)."""
    return form.fields[name]


class _UnitChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * int(obj.level)}{obj.name} ({obj.pcode})"


class BroadcastForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title (staff only)"), max_length=200)
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Send through"), queryset=Channel.objects.none()
    )
    default_language = forms.ChoiceField(
        label=gettext_lazy("Default language"),
        help_text=gettext_lazy("Recipients whose language has no text get this one."),
    )
    to_reporters = forms.BooleanField(
        label=gettext_lazy("Reporters who agreed to receive messages"), required=False
    )
    to_actors = forms.BooleanField(
        label=gettext_lazy("Actors who consented to be contacted by message"), required=False
    )
    admin_units = _UnitChoice(
        label=gettext_lazy("Areas"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Each area includes every place inside it. None: everywhere."),
    )
    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Members of these groups"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    actor_types = forms.MultipleChoiceField(
        label=gettext_lazy("Actors of these types"),
        choices=ActorType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Only recipients speaking"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every language."),
    )

    def __init__(
        self, *args: Any, membership: Membership, instance: Broadcast | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": instance.title,
                "channel": instance.channel_id,
                "default_language": instance.default_language,
                "to_reporters": instance.to_reporters,
                "to_actors": instance.to_actors,
                "admin_units": [u.pk for u in instance.admin_units.all()],
                "groups": [g.pk for g in instance.groups.all()],
                "actor_types": instance.actor_types,
                "languages": instance.languages,
                **{f"text_{code}": text for code, text in (instance.texts or {}).items()},
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {"to_reporters": True}
        super().__init__(*args, **kwargs)
        mission_id = membership.mission_id
        self.codes = mission_languages(membership)
        choices = [(code, language_name(code)) for code in self.codes]
        _field(self, "default_language").choices = choices
        _field(self, "languages").choices = choices
        _field(self, "channel").queryset = (
            Channel.objects.filter(mission_id=mission_id, is_active=True)
            .exclude(outbound_mode="off")
            .order_by("name")
        )
        _field(self, "admin_units").queryset = AdminUnit.objects.filter(
            scope_for(membership).q(""), mission_id=mission_id, level__lte=MAX_AREA_LEVEL
        ).order_by("path")
        _field(self, "groups").queryset = Actor.objects.filter(
            mission_id=mission_id,
            is_active=True,
            kind__in=[ActorKind.GROUP, ActorKind.ORGANISATION],
        ).order_by("name")
        for code in self.codes:
            self.fields[f"text_{code}"] = forms.CharField(
                label=language_name(code),
                required=False,
                max_length=MAX_OUTBOUND_CHARS,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code, "dir": "auto"}),
            )

    @property
    def text_fields(self) -> list[forms.BoundField]:
        return [self[f"text_{code}"] for code in self.codes]

    def text_values(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"text_{code}", "")
            for code in self.codes
            if self.cleaned_data.get(f"text_{code}")
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "texts": self.text_values(),
            "channel": data["channel"],
            "default_language": data["default_language"],
            "to_reporters": data["to_reporters"],
            "to_actors": data["to_actors"],
            "admin_units": list(data["admin_units"]),
            "groups": list(data["groups"]),
            "actor_types": list(data["actor_types"]),
            "languages": list(data["languages"]),
        }


class ScheduleForm(forms.Form):
    when = forms.ChoiceField(
        label=gettext_lazy("When"),
        choices=[("now", gettext_lazy("Now")), ("later", gettext_lazy("At a set time"))],
        widget=forms.RadioSelect,
        initial="now",
    )
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Date and time (mission time zone)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = zoneinfo.ZoneInfo(time_zone)

    def moment(self) -> datetime | None:
        """The chosen time (aware), or None for now."""
        if self.cleaned_data["when"] == "now":
            return None
        value: datetime | None = self.cleaned_data.get("scheduled_at")
        if value is None:
            return None
        if timezone.is_naive(value):
            return value.replace(tzinfo=self.time_zone)
        return value.replace(tzinfo=None).replace(tzinfo=self.time_zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "later" and not data.get("scheduled_at"):
            self.add_error("scheduled_at", gettext_lazy("Give the date and time."))
        return data
