"""Upload forms for XLSForms and form media."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class XLSFormUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm file"),
        help_text=_(
            "An XLSForm as .xlsx, .xls, .csv or .md. Uploading a form with the same "
            "form id adds a new version."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.md"}),
    )


class MediaUploadForm(forms.Form):
    file = forms.FileField(label=_("Media file"))
