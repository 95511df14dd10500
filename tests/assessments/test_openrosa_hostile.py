"""Hostile or malformed submissions are refused without storing anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from palava.assessments.models import MAX_SUBMISSION_XML_BYTES, Form, Submission
from palava.assessments.openrosa import views
from palava.assessments.openrosa.instance import InstanceError, parse_instance
from tests.assessments.helpers_forms import app_user, basic, form_from_xlsform
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db

FORM_MD = """
| survey |
| | type | name | label |
| | text | q | Question |
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<f id="f"><q>&lol2;</q><meta><instanceID>uuid:1</instanceID></meta></f>"""


def instance(value: str, uuid: str = "uuid:1") -> bytes:
    return f'<f id="f"><q>{value}</q><meta><instanceID>{uuid}</instanceID></meta></f>'.encode()


@pytest.fixture
def device() -> tuple[Client, str, dict[str, Any]]:
    mission = MissionFactory()
    form_from_xlsform(mission=mission, source=FORM_MD, form_id="f")
    user, secret = app_user(mission=mission)
    return Client(), f"/openrosa/{mission.slug}/submission", basic(user, secret)


def send(device: tuple[Client, str, dict[str, Any]], xml: bytes) -> int:
    client, url, auth = device
    upload = SimpleUploadedFile("s.xml", xml, "text/xml")
    return client.post(url, {"xml_submission_file": upload}, **auth).status_code


def test_entities_refused(device: tuple[Client, str, dict[str, Any]]) -> None:
    assert send(device, BILLION_LAUGHS) == 400
    assert Submission.objects.count() == 0


def test_malformed_xml_refused_with_message(device: tuple[Client, str, dict[str, Any]]) -> None:
    client, url, auth = device
    upload = SimpleUploadedFile("s.xml", b"<f id='f'><q>", "text/xml")
    response = client.post(url, {"xml_submission_file": upload}, **auth)
    assert response.status_code == 400
    assert b"not well-formed" in response.content
    assert b"OpenRosaResponse" in response.content


def test_oversize_refused(device: tuple[Client, str, dict[str, Any]]) -> None:
    client, url, auth = device
    response = client.post(
        url,
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(views.ACCEPT_CONTENT_LENGTH + 1),
        **auth,
    )
    assert response.status_code == 413
    with pytest.raises(InstanceError):
        parse_instance(b" " * (MAX_SUBMISSION_XML_BYTES + 1))


def test_missing_part_and_non_multipart_refused(device: tuple[Client, str, dict[str, Any]]) -> None:
    client, url, auth = device
    other = SimpleUploadedFile("a.jpg", b"x", "image/jpeg")
    assert client.post(url, {"photo": other}, **auth).status_code == 400
    assert client.post(url, instance("a"), content_type="text/xml", **auth).status_code == 400


def test_conflicting_duplicate_409_identical_202(
    device: tuple[Client, str, dict[str, Any]],
) -> None:
    assert send(device, instance("a")) == 201
    assert send(device, instance("a")) == 202
    assert send(device, instance("b")) == 409
    assert Submission.objects.get().data["q"] == "a"


def test_unknown_and_closed_form(device: tuple[Client, str, dict[str, Any]]) -> None:
    assert send(device, b'<g id="g"><meta><instanceID>uuid:2</instanceID></meta></g>') == 404
    form = Form.objects.get(form_id="f")
    form.accepting_submissions = False
    form.save()
    assert send(device, instance("a", "uuid:3")) == 403


def test_head_preflight(device: tuple[Client, str, dict[str, Any]]) -> None:
    client, url, auth = device
    response = client.head(url, **auth)
    assert response.status_code == 204
    assert response["X-OpenRosa-Version"] == "1.0"
    assert int(response["X-OpenRosa-Accept-Content-Length"]) == views.ACCEPT_CONTENT_LENGTH
