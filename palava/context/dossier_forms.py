"""The "new briefing dossier" form: one place, or a route (stops in travel order), and the
language to write it in.

The stops arrive as repeated ``stops`` fields (the route builder adds, removes and reorders
them with a small script; without it the page offers a few empty stops). The form checks only
their shape; :func:`palava.context.dossier_services.dossier_request` resolves the codes in the
member's area and checks how many there are.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.context.dossier_services import MAX_CODE_LENGTH, ROUTE_MAX_STOPS
from palava.context.models import DossierKind

MAX_STOP_FIELDS = 60
"""More ``stops`` fields than this is not a form a person filled in: refused outright."""
EMPTY_STOPS_SHOWN = 4


def _place_widget(options_url: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "list": "dossier-place-options",
            "autocomplete": "off",
            "maxlength": MAX_CODE_LENGTH,
            "hx-get": options_url,
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#dossier-place-options",
            "hx-swap": "outerHTML",
            "hx-push-url": "false",
            "dir": "ltr",
        }
    )


class DossierForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("The dossier covers"),
        choices=DossierKind.choices,
        initial=DossierKind.PLACE,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=MAX_CODE_LENGTH,
        help_text=gettext_lazy("A P-code or a site code in your area (type a name for hints)."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"))

    def __init__(self, *args: Any, options_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = list(settings.LANGUAGES)
        self.fields["place"].widget = _place_widget(options_url)
        self.fields["place"].widget.attrs["aria-describedby"] = "id_place_helptext"
        self.options_url = options_url

    @property
    def stops(self) -> list[str]:
        """The stops as typed (for showing the route builder again), empty ones left out."""
        if not self.is_bound:
            return []
        raw = self.data.getlist("stops") if hasattr(self.data, "getlist") else []
        return [str(value)[:MAX_CODE_LENGTH] for value in raw[:MAX_STOP_FIELDS] if value.strip()]

    def stop_rows(self) -> list[str]:
        """Values of the stop inputs to draw: the typed ones and a few empty ones."""
        stops = self.stops[:ROUTE_MAX_STOPS]
        return stops + [""] * max(1, EMPTY_STOPS_SHOWN - len(stops))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == DossierKind.PLACE:
            code = (cleaned.get("place") or "").strip()
            if not code:
                self.add_error("place", _("Choose a place."))
            cleaned["codes"] = [code]
        elif kind == DossierKind.ROUTE:
            raw = self.data.getlist("stops") if hasattr(self.data, "getlist") else []
            if len(raw) > MAX_STOP_FIELDS:
                raise forms.ValidationError(_("Too many stops."))
            if any(len(value) > MAX_CODE_LENGTH for value in raw):
                raise forms.ValidationError(
                    _("A stop is at most %(max)d characters long.") % {"max": MAX_CODE_LENGTH}
                )
            cleaned["codes"] = [value.strip() for value in raw if value.strip()]
        return cleaned
