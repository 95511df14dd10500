"""The audit browser's filter form (GET; every field optional)."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [("", _("All actions")), *((a, a) for a in actions)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError(_("The start date is after the end date."))
        return data

    def selector_filters(self, *, time_zone: str) -> dict[str, Any]:
        """Keyword arguments for ``audit_events_for_mission``; dates are whole days in the
        mission's time zone (``to`` is inclusive)."""
        data = self.cleaned_data
        tz = zoneinfo.ZoneInfo(time_zone)

        def start_of(day: datetime.date) -> datetime.datetime:
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

        date_from: datetime.date | None = data.get("date_from")
        date_to: datetime.date | None = data.get("date_to")
        return {
            "action": data.get("action") or "",
            "actor": (data.get("actor") or "").strip(),
            "object_id": (data.get("object_id") or "").strip(),
            "since": start_of(date_from) if date_from else None,
            "until": start_of(date_to + datetime.timedelta(days=1)) if date_to else None,
        }
