"""Device (app user) pages: create shows the secret once, revoke, permissions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from palava.assessments.models import AppUser
from palava.audit.models import AuditEvent
from palava.missions.models import Role
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


def test_create_shows_secret_once_and_it_works() -> None:
    mission = MissionFactory()
    form = form_from_xlsform(mission=mission, source=FORM_MD, form_id="f1")
    client = client_for(mission, Role.ADMIN)
    url = reverse("devices:new", kwargs={"mission_slug": mission.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Tablet Kalemie", "forms": [form.pk]})
    assert response.status_code == 200
    body = response.content.decode()
    secret = body.split("pvo_", 1)[1].split("<", 1)[0]
    secret = "pvo_" + secret
    device = AppUser.objects.get()
    assert device.username.startswith("tablet-kalemie-")
    assert f"http://testserver/openrosa/{mission.slug}/" in body
    assert f"/openrosa/{mission.slug}/key/{secret}/" in body
    assert list(device.forms.all()) == [form]
    assert AuditEvent.objects.filter(action="app_user.create").exists()
    listing = client.get(reverse("devices:list", kwargs={"mission_slug": mission.slug}))
    assert device.username in listing.content.decode()
    assert secret not in listing.content.decode()
    formlist = Client().get(f"/openrosa/{mission.slug}/formList", **basic(device, secret))
    assert formlist.status_code == 200


def test_revoke() -> None:
    mission = MissionFactory()
    device, secret = app_user(mission=mission)
    client = client_for(mission, Role.MANAGER)
    url = reverse(
        "devices:revoke", kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id}
    )
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert (
        Client().get(f"/openrosa/{mission.slug}/formList", **basic(device, secret)).status_code
        == 401
    )


def test_other_missions_device_cannot_be_revoked() -> None:
    mission, other = MissionFactory(), MissionFactory()
    device, _secret = app_user(mission=other)
    client = client_for(mission, Role.ADMIN)
    url = reverse(
        "devices:revoke", kwargs={"mission_slug": mission.slug, "app_user_id": device.public_id}
    )
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("name", ["devices:list", "devices:new"])
def test_viewer_is_refused(name: str) -> None:
    mission = MissionFactory()
    client = client_for(mission, Role.VIEWER)
    assert client.get(reverse(name, kwargs={"mission_slug": mission.slug})).status_code == 403
