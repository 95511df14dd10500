"""Forms of the relationship part of the actor profile: add a relationship, end one.

The other actor is picked from the actors the member may see (``selectors.actor_list``: mission,
geographic scope and clearance), narrowed by a text filter; the posted choice is resolved again
through ``selectors.actor_get``, so an actor outside the member's area is refused like an
unknown one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.actors import selectors
from palava.actors.models import SYMMETRIC_KINDS, Actor, Confidence, RelationshipKind
from palava.missions.models import Membership

TARGET_CHOICES_MAX = 200
INVERSE_PREFIX = "inverse:"
# How a one-way relationship reads from its target's side.
INVERSE_LABELS: dict[str, Any] = {
    RelationshipKind.MEMBER_OF: gettext_lazy("Has as member"),
    RelationshipKind.LEADS: gettext_lazy("Led by"),
    RelationshipKind.REPRESENTS: gettext_lazy("Represented by"),
    RelationshipKind.MEDIATES_BETWEEN: gettext_lazy("Mediated by"),
}


def kind_choices() -> list[tuple[str, Any]]:
    """Every kind as read from this actor: ``member_of`` (this actor is a member of the other)
    and, for one-way kinds, the inverse (``inverse:member_of``: the other is a member of it)."""
    choices: list[tuple[str, Any]] = [("", "—")]
    for value, label in RelationshipKind.choices:
        choices.append((value, label))
        if value not in SYMMETRIC_KINDS and value in INVERSE_LABELS:
            choices.append((INVERSE_PREFIX + value, INVERSE_LABELS[value]))
    return choices


def target_choices(
    membership: Membership, actor: Actor, query: str = "", chosen: Actor | None = None
) -> tuple[list[tuple[str, str]], bool]:
    """Visible actors other than ``actor`` whose names match ``query`` (at most
    ``TARGET_CHOICES_MAX``), and whether the list was cut short."""
    found = selectors.actor_list(
        membership=membership, filters=selectors.ActorFilters(query=query.strip()[:100])
    ).exclude(pk=actor.pk)
    rows = list(found[: TARGET_CHOICES_MAX + 1])
    truncated = len(rows) > TARGET_CHOICES_MAX
    rows = rows[:TARGET_CHOICES_MAX]
    if chosen is not None and chosen.pk != actor.pk and all(r.pk != chosen.pk for r in rows):
        rows.insert(0, chosen)
    choices = [("", "—")] + [
        (
            str(r.public_id),
            f"{r.name} ({r.admin_unit.name})" if r.admin_unit is not None else r.name,
        )
        for r in rows
    ]
    return choices, truncated


class RelationshipForm(forms.Form):
    """A relationship from the profile's actor to another visible actor."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Relationship"),
        help_text=gettext_lazy("Read as: this actor … the other actor."),
    )
    # Resolved in clean_target (not checked against the listed choices, which depend on the
    # filter): any actor the member may see is accepted.
    target = forms.CharField(label=gettext_lazy("Other actor"), required=False, widget=forms.Select)
    start_date = forms.DateField(
        label=gettext_lazy("Since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty while the relationship holds."),
    )
    information_source = forms.CharField(
        label=gettext_lazy("Source of the information"), required=False, max_length=300
    )
    confidence = forms.ChoiceField(
        label=gettext_lazy("Confidence"), choices=Confidence.choices, initial=Confidence.MEDIUM
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        actor: Actor,
        query: str = "",
        readable: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.actor = actor
        self.other: Actor | None = None
        self.fields["kind"].choices = kind_choices()  # type: ignore[attr-defined]
        chosen = None
        if self.is_bound:
            chosen = selectors.actor_get(
                membership=membership, public_id=self.data.get("target", "")
            )
        choices, self.truncated = target_choices(membership, actor, query, chosen)
        self.fields["target"].widget.choices = choices
        for name in ("information_source", "notes"):
            if name not in readable:  # never ask for what the member's clearance cannot read
                del self.fields[name]

    def clean_target(self) -> Actor:
        value = self.cleaned_data.get("target", "")
        other = selectors.actor_get(membership=self.membership, public_id=value)
        if other is None:
            raise forms.ValidationError(_("Choose an actor from the list."))
        if other.pk == self.actor.pk:
            raise forms.ValidationError(_("An actor cannot have a relationship with itself."))
        return other

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """Keyword arguments of ``services.relationship_create``."""
        data = self.cleaned_data
        kind: str = data["kind"]
        source, target = self.actor, data["target"]
        if kind.startswith(INVERSE_PREFIX):
            kind = kind.removeprefix(INVERSE_PREFIX)
            source, target = target, source
        return {
            "source": source,
            "target": target,
            "kind": kind,
            "start_date": data.get("start_date"),
            "end_date": data.get("end_date"),
            "information_source": data.get("information_source", ""),
            "confidence": data["confidence"],
            "notes": data.get("notes", ""),
        }


class RelationshipEndForm(forms.Form):
    """Ends an open relationship on the given date, today (the mission's) when left empty."""

    end_date = forms.DateField(
        label=gettext_lazy("Ended on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, start_date: date | None, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_date = start_date
        self.today = today

    def clean_end_date(self) -> date:
        value: date = self.cleaned_data.get("end_date") or self.today
        if self.start_date is not None and value < self.start_date:
            raise forms.ValidationError(_("The end date is before the start date."))
        return value
