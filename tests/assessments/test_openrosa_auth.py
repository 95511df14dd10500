"""OpenRosa authentication: Basic with per-device credentials, token in path, revocation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from palava.assessments.app_users import app_user_authenticate, app_user_revoke
from tests.assessments.helpers_forms import app_user, basic, form_from_xlsform
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db

FORM_MD = """
| survey |
| | type | name | label |
| | text | q | Question |
"""


def test_no_credentials_gets_401_with_challenge() -> None:
    mission = MissionFactory()
    response = Client().get(f"/openrosa/{mission.slug}/formList")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == f'Basic realm="Palava {mission.slug}"'
    assert response["X-OpenRosa-Version"] == "1.0"


def test_unknown_mission_answers_like_bad_credentials() -> None:
    response = Client().get("/openrosa/no-such-mission/formList")
    assert response.status_code == 401


def test_wrong_secret_and_revoked_are_refused() -> None:
    mission = MissionFactory()
    user, secret = app_user(mission=mission)
    client = Client()
    assert (
        client.get(f"/openrosa/{mission.slug}/formList", **basic(user, secret)).status_code == 200
    )
    assert (
        client.get(f"/openrosa/{mission.slug}/formList", **basic(user, "pvo_x")).status_code == 401
    )
    app_user_revoke(actor=None, app_user=user)
    assert (
        client.get(f"/openrosa/{mission.slug}/formList", **basic(user, secret)).status_code == 401
    )
    assert app_user_authenticate(mission=mission, username=user.username, secret=secret) is None


def test_secret_is_not_stored_and_last_used_recorded() -> None:
    mission = MissionFactory()
    user, secret = app_user(mission=mission)
    assert secret not in user.token_hash
    assert secret.startswith("pvo_")
    found = app_user_authenticate(mission=mission, username=user.username, secret=secret)
    assert found == user
    assert found.last_used_at is not None


def test_token_in_path_works_and_links_keep_the_key() -> None:
    mission = MissionFactory()
    form_from_xlsform(mission=mission, source=FORM_MD, form_id="f1")
    _user, secret = app_user(mission=mission)
    client = Client()
    response = client.get(f"/openrosa/{mission.slug}/key/{secret}/formList")
    assert response.status_code == 200
    assert f"/key/{secret}/forms/f1/form.xml" in response.content.decode()
    xml = client.get(f"/openrosa/{mission.slug}/key/{secret}/forms/f1/form.xml")
    assert xml.status_code == 200
    assert b"<h:html" in xml.content
    assert client.get(f"/openrosa/{mission.slug}/key/wrong/formList").status_code == 401


def test_app_user_restricted_to_a_form_sees_only_it() -> None:
    mission = MissionFactory()
    first = form_from_xlsform(mission=mission, source=FORM_MD, form_id="first")
    form_from_xlsform(mission=mission, source=FORM_MD, form_id="second")
    user, secret = app_user(mission=mission, forms=(first,))
    body = Client().get(f"/openrosa/{mission.slug}/formList", **basic(user, secret)).content
    assert b"<formID>first</formID>" in body
    assert b"second" not in body
    response = Client().get(
        f"/openrosa/{mission.slug}/forms/second/form.xml", **basic(user, secret)
    )
    assert response.status_code == 404
    instance = b'<f id="second"><meta><instanceID>uuid:9</instanceID></meta></f>'
    upload = SimpleUploadedFile("s.xml", instance, "text/xml")
    sent = Client().post(
        f"/openrosa/{mission.slug}/submission",
        {"xml_submission_file": upload},
        **basic(user, secret),
    )
    assert sent.status_code == 403


def test_other_missions_app_user_is_refused() -> None:
    mission, other = MissionFactory(), MissionFactory()
    user, secret = app_user(mission=other)
    response = Client().get(f"/openrosa/{mission.slug}/formList", **basic(user, secret))
    assert response.status_code == 401
