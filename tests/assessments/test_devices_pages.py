"""Device (app user) pages: create (Post/Redirect/Get, secret and QR code shown once), revoke
with confirmation, permissions."""

from __future__ import annotations

import base64
import json
import logging
import re
import zlib
from typing import Any

import pytest
import qrcode
import qrcode.constants
from django.test import Client
from django.urls import reverse

from palava.assessments.device_qr import collect_settings_payload, qr_svg
from palava.assessments.models import AppUser
from palava.audit.models import AuditEvent
from palava.missions.models import Mission, Role
from tests.assessments.helpers_forms import app_user, basic, form_from_xlsform
from tests.factories import MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db

FORM_MD = """
| survey |
| | type | name | label |
| | text | q | Question |
"""


def client_for(mission: object, role: str) -> Client:
    membership = MembershipFactory(mission=mission, role=role)
    client = Client()
    client.force_login(membership.user)
    return client


def _created(client: Client, mission: Mission, form_pk: int) -> tuple[Any, str, str]:
    url = reverse("devices:new", kwargs={"mission_slug": mission.slug})
    response = client.post(url, {"name": "Tablet Kalemie", "forms": [form_pk]})
    assert response.status_code == 302
    device = AppUser.objects.get()
    created_url = reverse(
        "devices:created", kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id}
    )
    assert response["Location"] == created_url
    assert "pvo_" not in response["Location"]
    page = client.get(created_url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    match = re.search(r"<code dir=\"ltr\">(pvo_[A-Za-z0-9_-]+)</code>", body)
    assert match is not None
    return device, match.group(1), body


def test_create_redirects_and_shows_secret_once_and_it_works(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    mission = MissionFactory()
    form = form_from_xlsform(mission=mission, source=FORM_MD, form_id="f1")
    client = client_for(mission, Role.ADMIN)
    assert (
        client.get(reverse("devices:new", kwargs={"mission_slug": mission.slug})).status_code == 200
    )
    device, secret, body = _created(client, mission, form.pk)
    assert device.username.startswith("tablet-kalemie-")
    assert f"http://testserver/openrosa/{mission.slug}/" in body
    assert f"http://testserver/openrosa/{mission.slug}/key/{secret}/" in body
    assert list(device.forms.all()) == [form]
    assert AuditEvent.objects.filter(action="app_user.create").count() == 1
    formlist = Client().get(f"/openrosa/{mission.slug}/formList", **basic(device, secret))
    assert formlist.status_code == 200
    # A reload: no second device, no secret, no QR code; the page says why.
    again = client.get(
        reverse(
            "devices:created",
            kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id},
        )
    )
    assert again.status_code == 200
    assert "no-store" in again["Cache-Control"]
    text = again.content.decode()
    assert secret not in text
    assert "pvo_" not in text
    assert "<svg" not in text
    assert "shown once" in text
    assert AppUser.objects.count() == 1
    listing = client.get(reverse("devices:list", kwargs={"mission_slug": mission.slug}))
    assert device.username in listing.content.decode()
    assert secret not in listing.content.decode()
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_secret_is_not_shown_to_another_session() -> None:
    mission = MissionFactory()
    form = form_from_xlsform(mission=mission, source=FORM_MD, form_id="f1")
    creator = client_for(mission, Role.ADMIN)
    url = reverse("devices:new", kwargs={"mission_slug": mission.slug})
    creator.post(url, {"name": "Tablet Kalemie", "forms": [form.pk]})
    device = AppUser.objects.get()
    other = client_for(mission, Role.ADMIN)
    page = other.get(
        reverse(
            "devices:created",
            kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id},
        )
    )
    assert page.status_code == 200
    assert "pvo_" not in page.content.decode()


def test_qr_code_configures_collect_with_the_secret() -> None:
    mission = MissionFactory(name="Mission Tanganyika")
    form = form_from_xlsform(mission=mission, source=FORM_MD, form_id="f1")
    client = client_for(mission, Role.MANAGER)
    device, secret, body = _created(client, mission, form.pk)
    assert "treat it like a password" in body
    svg = re.search(r'<figure class="qr-code"[^>]*>\s*(<svg.*?</svg>)', body, re.S)
    assert svg is not None
    payload = collect_settings_payload(
        server_url=f"http://testserver/openrosa/{mission.slug}/",
        username=device.username,
        password=secret,
        project_name=f"Mission Tanganyika \N{EN DASH} {device.name}",
    )
    assert svg.group(1) == qr_svg(payload, label="Configuration QR code for ODK Collect")
    settings = json.loads(zlib.decompress(base64.b64decode(payload, validate=True)))
    assert settings == {
        "general": {
            "server_url": f"http://testserver/openrosa/{mission.slug}/",
            "username": device.username,
            "password": secret,
        },
        "admin": {},
        "project": {"name": "Mission Tanganyika \N{EN DASH} Tablet Kalemie"},
    }
    general = settings["general"]
    formlist = Client().get(
        general["server_url"].removeprefix("http://testserver") + "formList",
        **basic(device, general["password"]),
    )
    assert formlist.status_code == 200
    assert "f1" in formlist.content.decode()


def test_qr_svg_draws_the_code_modules() -> None:
    data = collect_settings_payload(
        server_url="https://palava.example.org/openrosa/m/",
        username="tablet-1-abcdef",
        password="pvo_" + "x" * 43,
        project_name="M \N{EN DASH} Tablet 1",
    )
    svg = qr_svg(data)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    expected = code.get_matrix()
    size = len(expected)
    drawn = [[False] * size for _ in range(size)]
    for x, y, length in re.findall(r"M(\d+) (\d+)\.5h(\d+)", svg):
        for i in range(int(x), int(x) + int(length)):
            drawn[int(y)][i] = True
    assert drawn == expected
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert len(svg) < 20_000
    assert 'aria-label="a &lt;b&gt; &quot;c&quot;"' in qr_svg("x", label='a <b> "c"')


def test_revoke_needs_the_confirming_post() -> None:
    mission = MissionFactory()
    device, secret = app_user(mission=mission)
    client = client_for(mission, Role.MANAGER)
    url = reverse(
        "devices:revoke", kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id}
    )
    listing = client.get(reverse("devices:list", kwargs={"mission_slug": mission.slug}))
    assert f'href="{url}"' in listing.content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Revoke “Tablet 1”?" in text
    assert "Submissions already received are kept" in text
    device.refresh_from_db()
    assert device.revoked_at is None
    assert (
        Client().get(f"/openrosa/{mission.slug}/formList", **basic(device, secret)).status_code
        == 200
    )
    response = client.post(url)
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert AuditEvent.objects.filter(action="app_user.revoke").count() == 1
    assert (
        Client().get(f"/openrosa/{mission.slug}/formList", **basic(device, secret)).status_code
        == 401
    )
    assert "already revoked" in client.get(url).content.decode()


def test_other_missions_device_cannot_be_revoked() -> None:
    mission, other = MissionFactory(), MissionFactory()
    device, _secret = app_user(mission=other)
    client = client_for(mission, Role.ADMIN)
    url = reverse(
        "devices:revoke", kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id}
    )
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
@pytest.mark.parametrize("name", ["devices:list", "devices:new"])
def test_roles_without_the_permission_are_refused(name: str, role: str) -> None:
    mission = MissionFactory()
    client = client_for(mission, role)
    assert client.get(reverse(name, kwargs={"mission_slug": mission.slug})).status_code == 403


@pytest.mark.parametrize("name", ["devices:created", "devices:revoke"])
def test_analyst_cannot_see_or_revoke_a_device(name: str) -> None:
    mission = MissionFactory()
    device, _secret = app_user(mission=mission)
    client = client_for(mission, Role.ANALYST)
    url = reverse(name, kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    device.refresh_from_db()
    assert device.revoked_at is None


def test_created_page_of_another_missions_device_is_404() -> None:
    mission, other = MissionFactory(), MissionFactory()
    device, _secret = app_user(mission=other)
    client = client_for(mission, Role.ADMIN)
    url = reverse(
        "devices:created", kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id}
    )
    assert client.get(url).status_code == 404
