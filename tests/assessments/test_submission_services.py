"""submission_receive, app-user services and parse_instance directly."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from palava.assessments.app_users import app_user_authenticate, app_user_create
from palava.assessments.models import MAX_ATTACHMENT_BYTES, Form, SubmissionSource
from palava.assessments.openrosa.instance import InstanceError, parse_instance, repeat_paths_of
from palava.assessments.submission_selectors import submissions_for
from palava.assessments.submission_services import (
    SubmissionRejected,
    safe_filename,
    submission_receive,
)
from palava.audit.models import AuditEvent
from tests.assessments.helpers_forms import form_from_xlsform
from tests.factories import MissionFactory

FORM_MD = """
| survey |
| | type | name | label |
| | start | start | |
| | text | q | Question |
| | begin repeat | r | Repeat |
| | text | x | X |
| | end repeat | | |
"""


def xml(uuid: str = "uuid:1", *, version: str = "1", repeats: int = 1) -> bytes:
    items = "".join(f"<r><x>{i}</x></r>" for i in range(repeats))
    return (
        f'<f id="f" version="{version}"><start>2026-03-02T09:00:00.000+01:00</start>'
        f"<q>ok</q>{items}<meta><instanceID>{uuid}</instanceID></meta></f>"
    ).encode()


@pytest.mark.django_db
def test_receive_stores_data_times_audit_and_selector() -> None:
    mission = MissionFactory()
    form = form_from_xlsform(mission=mission, source=FORM_MD, form_id="f")
    submission, created = submission_receive(
        mission=mission, xml=xml(), attachments=[], source=SubmissionSource.OPENROSA
    )
    assert created
    assert submission.form_version == form.current_version
    assert submission.data["r"] == [{"r/x": "0"}]
    assert submission.started_at == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="submission.receive").count() == 1
    assert list(submissions_for(mission=mission, form=form)) == [submission]
    assert list(submissions_for(mission=MissionFactory())) == []


@pytest.mark.django_db
def test_resubmission_adds_new_attachments_only() -> None:
    mission = MissionFactory()
    form_from_xlsform(mission=mission, source=FORM_MD, form_id="f")
    first, _ = submission_receive(
        mission=mission, xml=xml(), attachments=[("a.jpg", "image/jpeg", b"a")], source="openrosa"
    )
    again, created = submission_receive(
        mission=mission,
        xml=xml(),
        attachments=[("a.jpg", "image/jpeg", b"a"), ("dir/b.jpg", "", b"b")],
        source="openrosa",
    )
    assert not created
    assert again == first
    assert sorted(first.attachments.values_list("filename", flat=True)) == ["a.jpg", "b.jpg"]


@pytest.mark.django_db
def test_attachment_too_large_rejected() -> None:
    mission = MissionFactory()
    form_from_xlsform(mission=mission, source=FORM_MD, form_id="f")
    with pytest.raises(SubmissionRejected) as caught:
        submission_receive(
            mission=mission,
            xml=xml(),
            attachments=[("big.bin", "", b"x" * (MAX_ATTACHMENT_BYTES + 1))],
            source="openrosa",
        )
    assert caught.value.status == 413


@pytest.mark.django_db
def test_archived_form_rejected() -> None:
    mission = MissionFactory()
    form = form_from_xlsform(mission=mission, source=FORM_MD, form_id="f")
    Form.objects.filter(pk=form.pk).update(archived_at=dt.datetime.now(dt.UTC))
    with pytest.raises(SubmissionRejected):
        submission_receive(mission=mission, xml=xml(), attachments=[], source="openrosa")


@pytest.mark.django_db
def test_app_user_forms_limited_to_its_mission() -> None:
    mission, other = MissionFactory(), MissionFactory()
    foreign = form_from_xlsform(mission=other, source=FORM_MD, form_id="f")
    user, secret = app_user_create(actor=None, mission=mission, name="!!!", forms=[foreign])
    assert user.username.startswith("device-")
    assert list(user.forms.all()) == []
    assert app_user_authenticate(mission=mission, username="someone-else", secret=secret) is None
    assert app_user_authenticate(mission=mission, username=None, secret="") is None
    assert app_user_authenticate(mission=other, username=None, secret=secret) is None


def test_repeat_paths_and_filenames() -> None:
    definition = {
        "children": [
            {"type": "group", "name": "g", "children": [{"type": "repeat", "name": "r"}]},
            {"type": "text", "name": "t"},
        ]
    }
    assert repeat_paths_of(definition) == frozenset({"g/r"})
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\photos\\a.jpg") == "a.jpg"
    assert safe_filename("") == "attachment"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<f><meta><instanceID>x</instanceID></meta></f>", "id attribute"),
        (b'<f id="f"><q>a</q></f>', "instanceID"),
        (b'<f id="f"><q>a</q><q>b</q><meta><instanceID>x</instanceID></meta></f>', "q"),
        (b"\xff\xfe<f", "well-formed"),
    ],
)
def test_parse_errors_are_clear(body: bytes, message: str) -> None:
    with pytest.raises(InstanceError, match=message):
        parse_instance(body)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40))
def test_text_survives_round_trip(value: str) -> None:
    from xml.sax.saxutils import escape

    body = f'<f id="f"><q>{escape(value)}</q><meta><instanceID>u</instanceID></meta></f>'
    parsed = parse_instance(body.encode())
    assert parsed.data.get("q", "") == value.strip()
