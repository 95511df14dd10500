"""Forms of the knowledge base pages: list filters, an entry (create and edit), review, retire and
translation. Forms check shapes and sizes; the services decide (scope, clearance, workflow)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from palava.actors.models import Actor, RecordSensitivity
from palava.actors.selectors import actors_visible
from palava.context.knowledge_selectors import EntryFilters
from palava.context.knowledge_text import language_name
from palava.context.models import MAX_BODY_CHARS, EntryStatus, Topic
from palava.context.selectors import place_by_code
from palava.context.text_checks import has_bidi_controls
from palava.missions.models import Membership
from palava.missions.permissions import clearance_for
from palava.places.models import AdminUnit, Site

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: A language tag such as ``fr``, ``sw``, ``lua`` or ``en-GB``.
LANGUAGE_CODE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
PLACE_MAX = 40


def _no_bidi_controls(value: str) -> None:
    if has_bidi_controls(value or ""):
        raise ValidationError(
            gettext_lazy("Remove the invisible text-direction characters."), code="bidi"
        )


def _language_code(value: str) -> None:
    if not LANGUAGE_CODE_RE.match(value or ""):
        raise ValidationError(
            gettext_lazy("Give a language code such as fr, ar, sw or en-GB."), code="language"
        )


class EntryFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Words in the title or text"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    place = forms.CharField(
        label=gettext_lazy("Place (P-code or site code)"),
        required=False,
        max_length=PLACE_MAX,
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("Topic"),
        required=False,
        choices=[("", gettext_lazy("Any topic")), *Topic.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *EntryStatus.choices],
    )
    stale = forms.BooleanField(label=gettext_lazy("Only stale entries"), required=False)

    def filters(self) -> EntryFilters:
        if not self.is_bound or not self.is_valid():
            return EntryFilters()
        data = self.cleaned_data
        return EntryFilters(
            place=(data.get("place") or "").strip(),
            topic=data.get("topic") or "",
            status=data.get("status") or "",
            stale=bool(data.get("stale")),
            q=(data.get("q") or "").strip(),
        )


class ActorsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Actor) -> str:
        place = f" ({obj.admin_unit.name})" if obj.admin_unit_id and obj.admin_unit else ""
        return f"{obj.name}{place}"


class EntryForm(forms.Form):
    """An entry's fields; ``place`` is a P-code or a site code the member may see."""

    place = forms.CharField(
        label=gettext_lazy("Place (P-code or site code)"),
        max_length=PLACE_MAX,
        help_text=gettext_lazy(
            "The entry applies to this place and to every place inside it, e.g. CD61 or a "
            "village code."
        ),
    )
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), choices=Topic.choices)
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=200, validators=[_no_bidi_controls]
    )
    body = forms.CharField(
        label=gettext_lazy("Text (Markdown)"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Plain text with Markdown: **bold**, lists with -, links."),
    )
    language = forms.CharField(
        label=gettext_lazy("Written in"),
        max_length=10,
        validators=[_language_code],
        widget=forms.TextInput(attrs={"list": "entry-languages", "autocomplete": "off"}),
        help_text=gettext_lazy("A language code: en, fr, ar, sw, ln, rw…"),
    )
    sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Classification"), coerce=int, choices=RecordSensitivity.choices
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=300,
        validators=[_no_bidi_controls],
        help_text=gettext_lazy(
            "Who or what this comes from, e.g. 'chief's council, meeting of 3 May'. Readers "
            "below confidential clearance do not see it."
        ),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=_DATE,
        help_text=gettext_lazy("After this date the entry is shown as stale until reviewed."),
    )
    actors = ActorsField(
        label=gettext_lazy("Linked actors"),
        queryset=Actor.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Leaders and groups this entry is about (optional)."),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        ceiling = int(clearance_for(membership.role))
        sensitivity = self.fields["sensitivity"]
        assert isinstance(sensitivity, forms.TypedChoiceField)
        sensitivity.choices = [
            (value, label) for value, label in RecordSensitivity.choices if value <= ceiling
        ]
        actors = self.fields["actors"]
        assert isinstance(actors, forms.ModelMultipleChoiceField)
        actors.queryset = (
            actors_visible(membership=membership).select_related("admin_unit").order_by("name")
        )
        self.admin_unit: AdminUnit | None = None
        self.site: Site | None = None

    def clean_place(self) -> str:
        code = str(self.cleaned_data.get("place") or "").strip()
        place = place_by_code(membership=self.membership, code=code)
        self.admin_unit = place if isinstance(place, AdminUnit) else None
        self.site = place if isinstance(place, Site) else None
        if place is None:
            raise ValidationError(
                gettext_lazy("No place with this code in your area."), code="place"
            )
        return code

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or "").strip()

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the knowledge services take them."""
        data = self.cleaned_data
        return {
            "topic": data["topic"],
            "title": data["title"].strip(),
            "body": data["body"],
            "language": data["language"],
            "sensitivity": data["sensitivity"],
            "source": data["source"].strip(),
            "valid_until": data.get("valid_until"),
            "actors": list(data.get("actors") or []),
            "admin_unit": self.admin_unit,
            "site": self.site,
        }


class EntryCreateForm(EntryForm):
    submit = forms.BooleanField(
        label=gettext_lazy("Send for review now"),
        required=False,
        help_text=gettext_lazy("Otherwise the entry stays a draft you can finish later."),
    )


class EntryEditForm(EntryForm):
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        required=False,
        max_length=300,
        validators=[_no_bidi_controls],
        help_text=gettext_lazy("A short note kept in the history, e.g. 'new chief since March'."),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("approve", gettext_lazy("Approve: the entry is accurate")),
            ("return", gettext_lazy("Return to the author with a note")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Review note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required when you return the entry: say what to check or fix."),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=_DATE,
        help_text=gettext_lazy("Optional: when this knowledge should be checked again."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", gettext_lazy("Say why the entry is returned."))
        return data


class RetireForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why retire this entry?"),
        max_length=300,
        validators=[_no_bidi_controls],
        help_text=gettext_lazy("Retired entries are kept in the history but no longer shown."),
    )


def translation_language_choices(original: str) -> list[tuple[str, str]]:
    """The interface languages an entry written in ``original`` may be translated into."""
    base = original.lower()
    return [
        (code, language_name(code))
        for code, _name in settings.LANGUAGES
        if code != base and code != base.split("-")[0]
    ]


class TranslationForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=())
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=200, validators=[_no_bidi_controls]
    )
    body = forms.CharField(
        label=gettext_lazy("Text (Markdown)"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(self, *args: Any, original: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = translation_language_choices(original)
