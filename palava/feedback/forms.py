"""Forms of the message pages: inbox filters, label correction, bulk status, hotline entry.

Places are typed as a P-code or an exact place name (with suggestions from the place picker)
and resolved through the places selectors, so a member can only pick places inside their area.
Choices of channels and categories come from :mod:`palava.feedback.selectors`; restricted
categories are offered as filters only to roles that can see the restricted queue, but every
role that manages messages may *move* a message into it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from palava.feedback import selectors
from palava.feedback.models import Category, Channel, ChannelType, MessageStatus, Urgency
from palava.feedback.services import MAX_BULK, STAFF_STATUSES
from palava.missions.models import Membership
from palava.places import selectors as places_selectors
from palava.places.models import AdminUnit, Site
from palava.places.search import Rank, place_search

# Languages triage detects (``palava.feedback.language.SUPPORTED_LANGUAGES``).
LANGUAGES: tuple[str, ...] = ("en", "fr", "ar", "sw", "pt")
SORT_CHOICES = (
    ("newest", gettext_lazy("Newest first")),
    ("oldest", gettext_lazy("Oldest first")),
    ("urgency", gettext_lazy("Most urgent first")),
)
HOTLINE_KIND_LABELS = {
    "call": gettext_lazy("A call I took"),
    "missed_call": gettext_lazy("A call-back after a missed call"),
}


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def language_choices(blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *((code, language_name(code)) for code in LANGUAGES)]


def category_choices(categories: list[Category], blank: Any) -> list[tuple[str, str]]:
    return [
        ("", str(blank)),
        *((c.code, ("— " if c.parent_id else "") + selectors.label_of(c)) for c in categories),
    ]


def resolve_unit(membership: Membership, text: str) -> AdminUnit | None:
    """A visible unit named by its P-code or by an exact, unambiguous name; None otherwise."""
    text = text.strip()
    if not text:
        return None
    unit = places_selectors.admin_unit_get(membership=membership, pcode=text)
    if unit is not None:
        return unit
    exact = [
        hit
        for hit in place_search(membership=membership, query=text, limit=5, include_sites=False)
        if hit.rank == Rank.EXACT
    ]
    return exact[0].unit if len(exact) == 1 else None


def with_place_picker(form: forms.Form, url: str) -> forms.Form:
    """Suggest places while typing (htmx fills ``<datalist id="place-options">``); without
    JavaScript the field still takes a P-code or an exact name."""
    field = form.fields.get("place")
    if field is not None:
        field.widget.attrs.update(
            {
                "list": "place-options",
                "autocomplete": "off",
                "hx-get": url,
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#place-options",
                "hx-swap": "outerHTML",
                "hx-push-url": "false",
            }
        )
    return form


class NoEchoTextInput(forms.TextInput):
    """A text input that never renders its value back (a phone number typed into a form that
    failed validation is not written into the page again)."""

    def format_value(self, value: Any) -> str | None:
        return None


class _PlaceFields(forms.Form):
    """A place (P-code or exact name) and an optional site code, resolved in the member's area."""

    place = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("A P-code or the exact name of a place in your area."),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    site = forms.CharField(
        label=gettext_lazy("Settlement or site (code)"), required=False, max_length=40
    )

    membership: Membership

    def clean_place(self) -> AdminUnit | None:
        text = self.cleaned_data.get("place", "")
        if not text.strip():
            return None
        unit = resolve_unit(self.membership, text)
        if unit is None:
            raise forms.ValidationError(
                _("Unknown place, or a place outside your area. Use its P-code.")
            )
        return unit

    def clean_site(self) -> Site | None:
        code = self.cleaned_data.get("site", "").strip()
        if not code:
            return None
        site = places_selectors.site_get(membership=self.membership, code=code)
        if site is None:
            raise forms.ValidationError(_("Unknown site, or a site outside your area."))
        return site


class MessageFilterForm(forms.Form):
    """The inbox's and the map's filters (GET)."""

    q = forms.CharField(
        label=gettext_lazy("Words"),
        required=False,
        max_length=selectors.MAX_QUERY_CHARS,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *MessageStatus.choices],
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        required=False,
        choices=[("", gettext_lazy("Any urgency")), *Urgency.choices],
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    place = forms.CharField(
        label=gettext_lazy("Place (P-code)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
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
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=SORT_CHOICES)
    cluster = forms.UUIDField(required=False, widget=forms.HiddenInput)
    reporter = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        categories = selectors.categories_of(
            membership, include_restricted=selectors.may_see_restricted(membership)
        )
        self._set_choices("category", category_choices(categories, _("Any category")))
        self._set_choices(
            "channel",
            [
                ("", _("Any channel")),
                *((str(c.public_id), c.name) for c in selectors.channels_of(membership)),
            ],
        )
        self._set_choices("language", language_choices(_("Any language")))

    def _set_choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_place(self) -> str:
        return str(self.cleaned_data.get("place") or "").strip()

    def filters(self, queue: str = selectors.INBOX) -> selectors.MessageFilters:
        """The selector filters. A choice that is not offered (say, a restricted category for a
        role without the queue) is passed on as typed: the selectors match nothing for it, so
        a bad filter narrows the list instead of silently widening it."""
        if not self.is_bound:
            return selectors.MessageFilters(queue=queue)
        self.is_valid()
        data: dict[str, Any] = {
            name: str(self.data.get(name, ""))[:200]
            for name in ("channel", "category", "urgency", "language", "status")
            if name in self.errors
        }
        data.update(self.cleaned_data)
        return selectors.MessageFilters(
            queue=queue,
            channel=data.get("channel") or "",
            category=data.get("category") or "",
            urgency=data.get("urgency") or "",
            place=data.get("place") or "",
            language=data.get("language") or "",
            status=data.get("status") or "",
            since=data.get("since"),
            until=data.get("until"),
            cluster=str(data["cluster"]) if data.get("cluster") else "",
            reporter=str(data["reporter"]) if data.get("reporter") else "",
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or "newest",
        )

    def active(self) -> bool:
        return (
            self.is_bound
            and self.is_valid()
            and any(self.cleaned_data.get(k) not in (None, "") for k in self.fields if k != "sort")
        )


class RelabelForm(_PlaceFields):
    """Correcting (or confirming) triage labels: what is submitted becomes a staff label."""

    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        required=False,
        choices=[("", gettext_lazy("Not set")), *Urgency.choices],
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.categories = {
            c.code: c for c in selectors.categories_of(membership, include_restricted=True)
        }
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = category_choices(list(self.categories.values()), _("Not set"))
        field.help_text = _(
            "Sexual exploitation and abuse, gender-based violence and child protection move the "
            "message to the restricted queue."
        )

    def clean_category(self) -> Category | None:
        code = self.cleaned_data.get("category") or ""
        return self.categories.get(code) if code else None

    def clean_urgency(self) -> str | None:
        return self.cleaned_data.get("urgency") or None

    @staticmethod
    def initial_for(message: Any) -> dict[str, Any]:
        return {
            "category": message.category.code if message.category else "",
            "urgency": message.urgency,
            "place": message.admin_unit.pcode if message.admin_unit else "",
            "site": message.site.code if message.site else "",
        }


class BulkStatusForm(forms.Form):
    """The button pressed under the inbox's checkboxes; ``ids`` are read by :meth:`ids`."""

    status = forms.ChoiceField(choices=[(s, s) for s in STAFF_STATUSES])
    next = forms.CharField(required=False, max_length=2000)

    @staticmethod
    def ids(values: list[str]) -> list[uuid.UUID]:
        """The well-formed message ids among ``values`` (at most ``MAX_BULK``)."""
        out: list[uuid.UUID] = []
        for value in values[:MAX_BULK]:
            try:
                out.append(uuid.UUID(str(value)))
            except ValueError:
                continue
        return out


class HotlineForm(_PlaceFields):
    """A call logged by staff: what the caller said, and optionally labels and a place."""

    entry_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=list(HOTLINE_KIND_LABELS.items()),
        widget=forms.RadioSelect,
        initial="call",
    )
    channel = forms.ChoiceField(label=gettext_lazy("Hotline"), required=False)
    body = forms.CharField(
        label=gettext_lazy("What the caller said"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=gettext_lazy("In the caller's words as far as possible."),
    )
    caller_phone = forms.CharField(
        label=gettext_lazy("Caller's number"),
        required=False,
        max_length=40,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        help_text=gettext_lazy(
            "Stored encrypted, to call back. Leave empty if the caller asks. Never shown again "
            "on this page: type it again after an error."
        ),
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("Leave empty for now."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the call"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        required=False,
        choices=[("", gettext_lazy("Let triage decide")), *Urgency.choices],
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.categories = {
            c.code: c for c in selectors.categories_of(membership, include_restricted=True)
        }
        self.channels = {
            str(c.public_id): c
            for c in selectors.channels_of(membership).filter(
                channel_type=ChannelType.HOTLINE, is_active=True
            )
        }
        for name, choices in (
            ("category", category_choices(list(self.categories.values()), _("Let triage decide"))),
            ("language", language_choices(_("Let triage decide"))),
            ("channel", [(key, c.name) for key, c in self.channels.items()]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if len(self.channels) < 2:
            del self.fields["channel"]

    def clean_category(self) -> Category | None:
        code = self.cleaned_data.get("category") or ""
        return self.categories.get(code) if code else None

    def clean_urgency(self) -> str | None:
        return self.cleaned_data.get("urgency") or None

    def clean_received_at(self) -> Any:
        value = self.cleaned_data.get("received_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError(_("The call cannot be in the future."))
        return value

    def clean_channel(self) -> Channel | None:
        key = self.cleaned_data.get("channel") or ""
        return self.channels.get(key) if key else None
