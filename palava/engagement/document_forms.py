"""The upload form shared by every engagement record that takes files (activities, commitments,
agreements, projects). ``clean_file`` runs the same checks as ``documents.document_add``."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy

from palava.engagement.documents import (
    MAX_DOCUMENT_BYTES,
    CheckedFile,
    allowed_extensions,
    document_check,
)


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "PDF, images (PNG, JPEG, WebP), Word, Excel, OpenDocument, text or CSV; at most 10 MiB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": allowed_extensions()}),
        max_length=1000,
        allow_empty_file=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=300,
    )

    max_bytes = MAX_DOCUMENT_BYTES

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        self.checked: CheckedFile = document_check(upload)
        upload.seek(0)
        return upload
