"""Forms of an activity's detail page: the attendance grid, issues raised and the status.

Linked messages are offered only from the member's visible ones (``messages_visible``) and only
to roles with ``message.view``; categories come from the mission's feedback taxonomy.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.engagement import activity_selectors as sel
from palava.engagement.activity_forms import choice_field
from palava.engagement.activity_services import MAX_CELL_COUNT, MAX_ISSUE_SUMMARY
from palava.engagement.models import ActivityStatus, AgeBand, CountSex, ParticipantGroup
from palava.feedback.selectors import categories_of, full_label_of, may_see_restricted
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit

_SPLIT = re.compile(r"[,;\n]+")

GRID_SEXES: tuple[str, ...] = (CountSex.FEMALE, CountSex.MALE, CountSex.UNKNOWN)
GRID_BANDS: tuple[str, ...] = tuple(AgeBand.values)
GRID_GROUPS: tuple[str, ...] = tuple(ParticipantGroup.values)


def cell_name(sex: str, band: str, group: str) -> str:
    return f"c_{group}_{sex}_{band}".replace("-", "_").replace("+", "p")


class AttendanceForm(forms.Form):
    """One number input per group x sex x age band; empty means zero."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in GRID_GROUPS:
            for sex in GRID_SEXES:
                for band in GRID_BANDS:
                    self.fields[cell_name(sex, band, group)] = forms.IntegerField(
                        required=False,
                        min_value=0,
                        max_value=MAX_CELL_COUNT,
                        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_CELL_COUNT}),
                    )

    @staticmethod
    def initial_for(cells: dict[tuple[str, str, str], int]) -> dict[str, int]:
        return {cell_name(s, b, g): n for (s, b, g), n in cells.items()}

    def counts(self) -> dict[tuple[str, str, str], int]:
        out: dict[tuple[str, str, str], int] = {}
        for group in GRID_GROUPS:
            for sex in GRID_SEXES:
                for band in GRID_BANDS:
                    value = self.cleaned_data.get(cell_name(sex, band, group))
                    if value:
                        out[(sex, band, group)] = int(value)
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Rows for the template: a group label and its bound fields, sex-major."""
        labels = dict(ParticipantGroup.choices)
        sexes = dict(CountSex.choices)
        bands = dict(AgeBand.choices)
        return [
            {
                "group": group,
                "label": labels[group],
                "cells": [
                    {
                        "field": self[cell_name(sex, band, group)],
                        "label": f"{labels[group]} · {sexes[sex]} · {bands[band]}",
                    }
                    for sex in GRID_SEXES
                    for band in GRID_BANDS
                ],
            }
            for group in GRID_GROUPS
        ]


class IssueForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Issue raised"),
        max_length=MAX_ISSUE_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("No names: what the community raised."),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    messages = forms.MultipleChoiceField(
        label=gettext_lazy("Recent messages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    message_ids = forms.CharField(
        label=gettext_lazy("Message ids"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Public ids of messages, separated by commas."),
    )

    def __init__(
        self, *args: Any, membership: Membership, place: AdminUnit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        categories = categories_of(membership, include_restricted=may_see_restricted(membership))
        self._categories = {str(c.public_id): c for c in categories}
        choice_field(self, "category").choices = [("", "—")] + [
            (key, full_label_of(c)) for key, c in self._categories.items()
        ]
        self.can_link = role_has(membership.role, Perm.MESSAGE_VIEW)
        if self.can_link:
            # Labelled by date, category and place (never the body: it is confidential and
            # the inbox, which audits nothing less, is where bodies are read).
            recent = sel.recent_messages(membership=membership, place=place)
            choice_field(self, "messages").choices = [
                (str(m.public_id), sel.message_label(m)) for m in recent
            ]
        else:
            del self.fields["messages"]
            del self.fields["message_ids"]

    def clean_category(self) -> Any:
        key = self.cleaned_data.get("category") or ""
        return self._categories.get(key) if key else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.can_link:
            data["linked"] = []
            return data
        ids = list(data.get("messages") or [])
        ids += [p.strip() for p in _SPLIT.split(data.get("message_ids") or "") if p.strip()]
        ids = list(dict.fromkeys(ids))
        if len(ids) > 20:
            self.add_error("message_ids", _("Link at most 20 messages."))
            return data
        found = sel.messages_by_ids(membership=self.membership, public_ids=ids)
        if found is None:
            self.add_error("message_ids", _("A message id is unknown or not visible to you."))
        else:
            data["linked"] = found
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActivityStatus.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=300)
