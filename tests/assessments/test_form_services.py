"""Uploading XLSForms: new form, new versions, refused duplicates, audit; media; closing."""

from __future__ import annotations

import pytest

from palava.assessments import form_selectors, form_services
from palava.assessments.models import Form, FormVersion
from palava.assessments.xlsform import XLSFormError
from palava.audit.models import AuditEvent
from palava.missions.models import Mission
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db


def form_md(version: str, title: str = "Household", extra: str = "") -> bytes:
    return f"""
| survey |
|        | type    | name | label::English (en) | label::French (fr) |
|        | text    | who  | Your name?          | Votre nom ?        |
{extra}
| settings |
|          | form_id | form_title | version    |
|          | hh      | {title}    | {version}  |
""".encode()


def test_upload_creates_form_and_version_1(mission: Mission) -> None:
    version = form_services.form_upload(
        actor=None, mission=mission, filename="hh.md", content=form_md("1")
    )

    form = Form.objects.get(mission=mission)
    assert (form.form_id, form.title) == ("hh", "Household")
    assert form.current_version == version
    assert (version.number, version.version, version.source_format) == (1, "1", "md")
    assert bytes(version.source) == form_md("1")
    assert version.languages == ["English (en)", "French (fr)"]
    assert version.definition["id_string"] == "hh"


def test_new_version_moves_current(mission: Mission) -> None:
    form_services.form_upload(actor=None, mission=mission, filename="hh.md", content=form_md("1"))

    second = form_services.form_upload(
        actor=None,
        mission=mission,
        filename="hh.md",
        content=form_md("2", title="Household v2", extra="|  | integer | age | Age | Âge |"),
    )

    form = Form.objects.get(mission=mission)
    assert second.number == 2
    assert form.current_version == second
    assert form.title == "Household v2"
    assert FormVersion.objects.filter(form=form).count() == 2


def test_same_version_refused(mission: Mission) -> None:
    form_services.form_upload(actor=None, mission=mission, filename="hh.md", content=form_md("1"))

    with pytest.raises(XLSFormError) as caught:
        form_services.form_upload(
            actor=None, mission=mission, filename="hh.md", content=form_md("1")
        )

    assert "already uploaded" in caught.value.problems[0].message
    assert FormVersion.objects.count() == 1


def test_bad_form_saves_nothing(mission: Mission) -> None:
    with pytest.raises(XLSFormError):
        form_services.form_upload(
            actor=None, mission=mission, filename="hh.md", content=b"| survey |\n| | nope |"
        )

    assert not Form.objects.exists()


def test_audit_row_written(mission: Mission) -> None:
    version = form_services.form_upload(
        actor=None, mission=mission, filename="hh.md", content=form_md("1")
    )

    event = AuditEvent.objects.get(action="form.upload")
    assert event.mission_id == mission.pk
    assert event.object_id == str(version.public_id)


def test_same_form_id_in_two_missions_is_two_forms(mission: Mission) -> None:
    other = MissionFactory()

    form_services.form_upload(actor=None, mission=mission, filename="hh.md", content=form_md("1"))
    form_services.form_upload(actor=None, mission=other, filename="hh.md", content=form_md("1"))

    assert form_selectors.forms_for(mission=mission).count() == 1
    assert form_selectors.forms_for(mission=other).count() == 1
    form = form_selectors.forms_for(mission=other).get()
    with pytest.raises(Form.DoesNotExist):
        form_selectors.form_get(mission=mission, public_id=form.public_id)


def test_media_add_and_replace(mission: Mission) -> None:
    version = form_services.form_upload(
        actor=None, mission=mission, filename="hh.md", content=form_md("1")
    )

    form_services.form_media_add(
        actor=None, form_version=version, filename="a.png", content_type="image/png", content=b"1"
    )
    media = form_services.form_media_add(
        actor=None, form_version=version, filename="a.png", content_type="image/png", content=b"22"
    )

    assert version.media.count() == 1
    assert media.size == 2
    assert AuditEvent.objects.filter(action="form.media_add").count() == 2


def test_close_and_reopen(mission: Mission) -> None:
    form = form_services.form_upload(
        actor=None, mission=mission, filename="hh.md", content=form_md("1")
    ).form

    form_services.form_set_accepting(actor=None, form=form, accepting=False)
    assert not Form.objects.get(pk=form.pk).accepting_submissions

    form_services.form_set_accepting(actor=None, form=form, accepting=True)
    assert Form.objects.get(pk=form.pk).accepting_submissions
    assert AuditEvent.objects.filter(action="form.accepting").count() == 2


UNVERSIONED = """
| survey |
|        | type    | name | label      |
|        | text    | who  | Your name? |
{extra}
| settings |
|          | form_id | form_title |
|          | plain   | Plain      |
"""


def test_form_without_a_version_gets_generated_labels(mission: Mission) -> None:
    # given an XLSForm whose settings sheet has no version (most KoboToolbox exports)
    first = form_services.form_upload(
        actor=None, mission=mission, filename="p.md", content=UNVERSIONED.format(extra="").encode()
    )
    # when the same file is uploaded again, then it is refused as identical
    with pytest.raises(XLSFormError) as refused:
        form_services.form_upload(
            actor=None,
            mission=mission,
            filename="p.md",
            content=UNVERSIONED.format(extra="").encode(),
        )
    assert "identical" in refused.value.problems[0].message
    # when a changed file is uploaded, then it becomes version 2 with a generated label
    second = form_services.form_upload(
        actor=None,
        mission=mission,
        filename="p.md",
        content=UNVERSIONED.format(extra="|  | integer | age | Age |").encode(),
    )
    assert (first.version, second.version) == ("auto-1", "auto-2")
    assert Form.objects.get(mission=mission).current_version == second


def test_kobo_fixture_without_settings_sheet_uploads(mission: Mission) -> None:
    # given a real KoboToolbox form with English and Arabic labels and no settings sheet
    from tests.assessments.test_xlsform_corpus import CORPUS

    path = CORPUS / "kobo-kpi-fixtures" / "tutorial_arabic_labels.xls"
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    # when uploaded, then it is stored as the form's first version
    version = form_services.form_upload(
        actor=None, mission=mission, filename=path.name, content=path.read_bytes()
    )
    assert version.number == 1
    assert version.version == "auto-1"
    assert len(version.languages) == 2
