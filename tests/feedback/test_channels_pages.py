"""Channel pages: list with counts, detail with the webhook URL, create (secret shown once),
edit, rotate, switch off/on; administrators change, managers look, others are refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings

from palava.audit.models import AuditEvent
from palava.feedback.ingest import message_ingest
from palava.feedback.models import Channel, ChannelType, Message
from palava.missions.models import Mission, Role
from tests.factories import AdminUnitFactory
from tests.feedback.helpers_channels import TWILIO_TOKEN, make_channel

pytestmark = pytest.mark.django_db


def base(mission: Mission) -> str:
    return f"/m/{mission.slug}/channels/"


@pytest.fixture
def admin(member_of: Any, client_for: Any) -> Client:
    client: Client = client_for(member_of(Role.ADMIN).user)
    return client


def test_list_shows_counts_and_last_message(mission: Mission, admin: Client) -> None:
    channel = make_channel(mission, ChannelType.GENERIC, name="RapidPro Goma").channel
    for i in range(2):
        message_ingest(
            channel=channel, provider_message_id=str(i), body="hello", sender_phone="+243990001122"
        )
    page = admin.get(base(mission)).content.decode()
    assert "RapidPro Goma" in page
    assert re.search(r'class="num">2<', page)
    assert "New channel" in page
    # no phone number or message body on the page
    assert "990001122" not in page
    assert "hello" not in page


def test_nav_shows_channels_to_managers_only(
    mission: Mission, member_of: Any, client_for: Any
) -> None:
    manager = client_for(member_of(Role.MANAGER).user)
    officer = client_for(member_of(Role.OFFICER).user)
    overview = f"/m/{mission.slug}/"
    assert f'href="{base(mission)}"' in manager.get(overview).content.decode()
    assert f'href="{base(mission)}"' not in officer.get(overview).content.decode()
    # a manager sees the list but no button to change anything
    page = manager.get(base(mission)).content.decode()
    assert "New channel" not in page
    assert officer.get(base(mission)).status_code == 403


def test_create_shows_the_secret_once_then_never(mission: Mission, admin: Client) -> None:
    response = admin.post(
        base(mission) + "new/",
        {
            "name": "Africa's Talking",
            "channel_type": ChannelType.AFRICASTALKING,
            "address": "12345",
        },
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    channel = Channel.objects.get()
    secret = channel.secret
    assert secret is not None
    page = response.content.decode()
    assert secret in page
    assert f"/hooks/{channel.public_id}/?token={secret}" in page
    # never again: not on the detail page, the list or the edit page
    for url in ("", f"{channel.public_id}/", f"{channel.public_id}/edit/"):
        assert secret not in admin.get(base(mission) + url).content.decode()
    assert AuditEvent.objects.filter(action="channel.create").count() == 1


def test_create_twilio_needs_the_token_and_never_shows_it(mission: Mission, admin: Client) -> None:
    missing = admin.post(base(mission) + "new/", {"name": "T", "channel_type": ChannelType.TWILIO})
    assert missing.status_code == 400
    assert "auth token" in missing.content.decode()
    ok = admin.post(
        base(mission) + "new/",
        {"name": "T", "channel_type": ChannelType.TWILIO, "secret": TWILIO_TOKEN},
    )
    assert ok.status_code == 201
    assert TWILIO_TOKEN not in ok.content.decode()


def test_detail_shows_the_webhook_url_from_the_public_url(mission: Mission, admin: Client) -> None:
    channel = make_channel(mission, ChannelType.GENERIC).channel
    with override_settings(PALAVA_PUBLIC_URL="https://palava.example.org"):
        page = admin.get(base(mission) + f"{channel.public_id}/").content.decode()
    assert f"https://palava.example.org/hooks/{channel.public_id}/" in page
    assert "X-Palava-Signature" in page


def test_webform_detail_links_the_public_page(mission: Mission, admin: Client) -> None:
    channel = make_channel(mission, ChannelType.WEBFORM).channel
    page = admin.get(base(mission) + f"{channel.public_id}/").content.decode()
    assert f"http://testserver/p/{mission.slug}/report/" in page
    assert "Rotate the secret" not in page
    assert admin.get(base(mission) + f"{channel.public_id}/rotate/").status_code == 404
    # the allow-list is only for Africa's Talking
    edit = admin.get(base(mission) + f"{channel.public_id}/edit/").content.decode()
    assert "IP allow-list" not in edit


def test_edit_saves_ack_texts_allowlist_and_area(mission: Mission, admin: Client) -> None:
    channel = make_channel(mission, ChannelType.AFRICASTALKING).channel
    area = AdminUnitFactory(mission=mission, level=1, pcode="CD61")
    url = base(mission) + f"{channel.public_id}/edit/"
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        {
            "name": "AT Goma",
            "address": "12345",
            "default_area": "CD61",
            "ip_allowlist": "196.201.214.0/24\n196.201.215.7",
            "ack_enabled": "on",
            "ack_fr": "Merci, bien reçu.",
            "ack_ar": "شكرا",
        },
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "AT Goma"
    assert channel.default_admin_unit == area
    assert channel.ip_allowlist == ["196.201.214.0/24", "196.201.215.7/32"]
    assert channel.ack_texts == {"fr": "Merci, bien reçu.", "ar": "شكرا"}
    detail = admin.get(response["Location"]).content.decode()
    assert "Merci, bien reçu." in detail


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("default_area", "NOPE", "No place with this P-code"),
        ("ip_allowlist", "999.1.1.1", "Not an address or network"),
    ],
)
def test_edit_errors_are_shown(
    mission: Mission, admin: Client, field: str, value: str, error: str
) -> None:
    channel = make_channel(mission, ChannelType.AFRICASTALKING).channel
    data = {"name": channel.name, field: value}
    response = admin.post(base(mission) + f"{channel.public_id}/edit/", data)
    assert response.status_code == 400
    assert error in response.content.decode()


def test_rotate_shows_the_new_secret_once(mission: Mission, admin: Client) -> None:
    created = make_channel(mission, ChannelType.GENERIC)
    url = base(mission) + f"{created.channel.public_id}/rotate/"
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"grace_hours": "2"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    channel = Channel.objects.get()
    assert channel.secret != created.secret
    assert str(channel.secret) in response.content.decode()
    assert channel.previous_secret == created.secret
    bad = admin.post(url, {"grace_hours": "500"})
    assert bad.status_code == 400


def test_switch_off_and_on(mission: Mission, admin: Client) -> None:
    channel = make_channel(mission, ChannelType.GENERIC).channel
    off = admin.post(base(mission) + f"{channel.public_id}/deactivate/")
    assert off.status_code == 302
    channel.refresh_from_db()
    assert not channel.is_active
    assert "Switch on" in admin.get(off["Location"]).content.decode()
    admin.post(base(mission) + f"{channel.public_id}/activate/")
    channel.refresh_from_db()
    assert channel.is_active
    assert admin.get(base(mission) + f"{channel.public_id}/deactivate/").status_code == 405


def test_second_webform_is_refused_on_the_page(mission: Mission, admin: Client) -> None:
    make_channel(mission, ChannelType.WEBFORM)
    response = admin.post(
        base(mission) + "new/", {"name": "Form 2", "channel_type": ChannelType.WEBFORM}
    )
    assert response.status_code == 400
    assert "already has an active public web form" in response.content.decode()


def test_arabic_pages_render(mission: Mission, admin: Client) -> None:
    channel = make_channel(mission, ChannelType.AFRICASTALKING).channel
    admin.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    for url in ("", "new/", f"{channel.public_id}/", f"{channel.public_id}/edit/"):
        page = admin.get(base(mission) + url).content.decode()
        assert 'dir="rtl"' in page
    assert Message.objects.count() == 0
