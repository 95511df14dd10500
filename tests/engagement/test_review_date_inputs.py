"""Date inputs (``type="date"``) only accept ISO values: in French or Arabic a localized value
("25/11/2026") is rejected by the browser, the field shows empty and saving an edit loses the date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from palava.engagement.activity_forms import ActivityFilterForm
from palava.engagement.commitment_forms import CommitmentFilterForm, CommitmentForm
from palava.engagement.partner_forms import AgreementForm
from palava.engagement.project_forms import DeliverForm, ProjectForm

DATE_FIELDS: list[tuple[type[forms.Form], str]] = [
    (CommitmentForm, "made_on"),
    (CommitmentForm, "due_date"),
    (CommitmentFilterForm, "due_from"),
    (ActivityFilterForm, "since"),
    (AgreementForm, "starts_on"),
    (AgreementForm, "ends_on"),
    (ProjectForm, "starts_on"),
    (ProjectForm, "ends_on"),
    (DeliverForm, "delivered_on"),
]


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize(("form_class", "name"), DATE_FIELDS)
def test_date_inputs_render_iso_values_in_every_language(
    form_class: type[forms.Form], name: str, language: str
) -> None:
    widget = form_class.base_fields[name].widget
    with translation.override(language):
        html = widget.render(name, dt.date(2026, 11, 25))
    assert 'type="date"' in html
    assert 'value="2026-11-25"' in html
