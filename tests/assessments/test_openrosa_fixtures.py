"""Real KoboToolbox fixtures through the OpenRosa endpoint."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from palava.assessments.models import Submission, SubmissionStatus
from tests.assessments.helpers_forms import KPI, app_user, basic, form_from_xlsform
from tests.factories import MissionFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not KPI.exists(), reason="shared OpenRosa fixtures missing"),
]

TUTORIAL = KPI / "logger__fixtures__tutorial__tutorial.xls"
INSTANCES = "logger__fixtures__tutorial__instances__"
NEW_REPEATS_MD = """
| survey |
| | type | name | label |
| | begin group | info | Info |
| | text | name | Name |
| | integer | age | Age |
| | end group | | |
| | begin group | kids | Kids |
| | integer | has_kids | Has kids |
| | begin repeat | kids_details | Kid |
| | text | kids_name | Name |
| | integer | kids_age | Age |
| | end repeat | | |
| | end group | | |
| | geopoint | gps | GPS |
| | text | web_browsers | Browsers |
"""


def post(client: Client, slug: str, auth: dict[str, Any], path: Path, *extra: Path) -> int:
    files = {"xml_submission_file": SimpleUploadedFile(path.name, path.read_bytes(), "text/xml")}
    for item in extra:
        files[item.name] = SimpleUploadedFile(item.name, item.read_bytes(), "image/jpeg")
    response = client.post(f"/openrosa/{slug}/submission", files, **auth)
    assert response["X-OpenRosa-Version"] == "1.0"
    return response.status_code


def setup() -> tuple[Client, str, dict[str, Any]]:
    mission = MissionFactory()
    form_from_xlsform(mission=mission, source=TUTORIAL, form_id="tutorial")
    form_from_xlsform(mission=mission, source=NEW_REPEATS_MD, form_id="new_repeat")
    user, secret = app_user(mission=mission)
    return Client(), mission.slug, basic(user, secret)


def test_tutorial_accepted_idempotent_and_edit_supersedes() -> None:
    client, slug, auth = setup()
    original = KPI / f"{INSTANCES}tutorial_2012-06-27_11-27-53_w_uuid.xml"
    assert post(client, slug, auth, original) == 201
    assert post(client, slug, auth, original) == 202
    assert Submission.objects.count() == 1
    edited = KPI / f"{INSTANCES}tutorial_2012-06-27_11-27-53_w_uuid_edited.xml"
    assert post(client, slug, auth, edited) == 201
    old = Submission.objects.get(instance_id="uuid:729f173c688e482486a48661700455ff")
    new = Submission.objects.get(instance_id="uuid:2d8c59eb-94e9-485d-a679-b28ffe2e9b98")
    assert old.status == SubmissionStatus.SUPERSEDED
    assert new.supersedes == old
    assert new.data["name"] == "Dick n Jane"


def test_unicode_preserved() -> None:
    client, slug, auth = setup()
    path = KPI / f"{INSTANCES}tutorial_unicode_submission.xml"
    assert post(client, slug, auth, path) == 201
    submission = Submission.objects.get()
    raw = path.read_text(encoding="utf-8")
    assert submission.xml == raw
    assert any(ord(ch) > 127 for value in submission.data.values() for ch in str(value))


def test_attachment_stored() -> None:
    client, slug, auth = setup()
    path = (
        KPI / f"{INSTANCES}tutorial_with_attachment__tutorial_2012-06-27_11-27-53_w_attachment.xml"
    )
    picture = re.search(r"<picture>([^<]+)</picture>", path.read_text()).group(1)  # type: ignore[union-attr]
    files = {
        "xml_submission_file": SimpleUploadedFile(path.name, path.read_bytes(), "text/xml"),
        "photo": SimpleUploadedFile(f"../../{picture}", b"\xff\xd8jpeg", "image/jpeg"),
    }
    response = client.post(f"/openrosa/{slug}/submission", files, **auth)
    assert response.status_code == 201
    attachment = Submission.objects.get().attachments.get()
    assert attachment.filename == picture
    assert bytes(attachment.content) == b"\xff\xd8jpeg"


def test_repeats_and_duplicate_field_refused() -> None:
    client, slug, auth = setup()
    good = KPI / "logger__fixtures__new_repeats__instances__new_repeats_2012-07-05-14-33-53.xml"
    assert post(client, slug, auth, good) == 201
    data = Submission.objects.get().data
    assert isinstance(data["kids/kids_details"], list)
    bad = KPI / "logger__fixtures__new_repeats__instances__multiple_nodes_error.xml"
    response = client.post(
        f"/openrosa/{slug}/submission",
        {"xml_submission_file": SimpleUploadedFile("x.xml", bad.read_bytes(), "text/xml")},
        **auth,
    )
    assert response.status_code == 400
    assert "info/name" in response.content.decode()


def test_form_list_structure_matches_kobo() -> None:
    client, slug, auth = setup()
    response = client.get(f"/openrosa/{slug}/formList", **auth)
    assert response.status_code == 200
    body = response.content.decode()
    expected = (KPI / "api__tests__fixtures__formList.xml").read_text()
    tags = {"xforms", "xform", "formID", "name", "version", "hash", "downloadUrl"}
    for tag in tags:
        assert f"<{tag}" in expected
        assert f"<{tag}" in body
    assert "<formID>tutorial</formID>" in body
    assert "md5:" in body
