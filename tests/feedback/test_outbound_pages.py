"""Outbound pages: the log without numbers or texts, the dead letter retried from its page until
delivered through the loopback gateway, reply templates, a channel's sending settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from palava.feedback.models import Channel, ChannelType, OutboundStatus, ReplyTemplate
from palava.feedback.outbound.channel_settings import channel_outbound_set
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Mission, Role
from tests.feedback.gateway import Fault, LoopbackGateway
from tests.feedback.helpers_inbox import client_of, member_in, no_two_factor
from tests.feedback.helpers_outbound import PHONE, enqueue, fresh, sending_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def gw() -> Iterator[LoopbackGateway]:
    with LoopbackGateway() as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def _settings(settings, mission):  # type: ignore[no-untyped-def]
    settings.PALAVA_OUTBOUND_TIMEOUT = 1
    settings.PALAVA_PUBLIC_URL = "http://testserver"
    settings.PALAVA_OUTBOUND_MAX_ATTEMPTS = 3
    no_two_factor(mission)


def test_log_lists_messages_without_numbers_or_texts(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    enqueue(channel, body="The secret words of the text")
    outbound_send_due()
    client = client_of(member_in(mission, Role.MANAGER))
    response = client.get(f"/m/{mission.slug}/outbound/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sent" in html
    assert PHONE not in html
    assert "990001122" not in html
    assert "secret words" not in html
    filtered = client.get(f"/m/{mission.slug}/outbound/?status=dead")
    assert "No message matches these filters." in filtered.content.decode()


def test_dead_letter_is_retried_from_its_page_and_delivered_once(
    mission: Mission, gw: LoopbackGateway
) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(*[Fault(status=503)] * 3)
    start = timezone.now()
    row = enqueue(channel)
    for step in range(3):
        with time_machine.travel(start + timedelta(hours=3 * step, seconds=1), tick=False):
            outbound_send_due()
    row = fresh(row)
    assert row.status == OutboundStatus.DEAD
    manager = client_of(member_in(mission, Role.MANAGER))
    page = manager.get(f"/m/{mission.slug}/outbound/dead/").content.decode()
    assert "HTTP 503" in page
    assert f"/outbound/{row.public_id}/retry/" in page

    response = manager.post(f"/m/{mission.slug}/outbound/{row.public_id}/retry/")
    assert response.status_code == 302
    row = fresh(row)
    assert (row.status, row.attempts) == ("queued", 0)
    outbound_send_due()
    row = fresh(row)
    assert row.status == OutboundStatus.SENT
    assert len(gw.messages) == 1
    assert len(gw.requests) == 4
    # a second retry of a sent message is refused
    manager.post(f"/m/{mission.slug}/outbound/{row.public_id}/retry/")
    assert fresh(row).status == OutboundStatus.SENT


def test_cancel_a_dead_letter_and_roles_without_manage(
    mission: Mission, gw: LoopbackGateway
) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    gw.fail_next(Fault(status=401))
    row = enqueue(channel)
    outbound_send_due()
    assert fresh(row).status == OutboundStatus.DEAD
    officer = client_of(member_in(mission, Role.OFFICER))
    retry_url = f"/m/{mission.slug}/outbound/{row.public_id}/retry/"
    if officer.get(f"/m/{mission.slug}/outbound/dead/").status_code == 200:
        assert retry_url not in officer.get(f"/m/{mission.slug}/outbound/dead/").content.decode()
    assert officer.post(retry_url).status_code == 403
    manager = client_of(member_in(mission, Role.MANAGER))
    manager.post(f"/m/{mission.slug}/outbound/{row.public_id}/cancel/")
    assert fresh(row).status == OutboundStatus.CANCELLED
    outbound_send_due()
    assert len(gw.requests) == 1


def test_reply_templates_pages(mission: Mission) -> None:
    manager = client_of(member_in(mission, Role.MANAGER))
    base = f"/m/{mission.slug}/outbound/templates/"
    assert "No reply templates yet." in manager.get(base).content.decode()
    manager.post(base + "defaults/")
    assert ReplyTemplate.objects.filter(mission=mission).count() == 4
    response = manager.post(
        base + "new/",
        {
            "name": "Patrol sent",
            "code": "patrol",
            "order": 5,
            "is_active": "on",
            "text_fr": "Une patrouille a été envoyée ({reference}).",
            "text_ar": "تم إرسال دورية ({reference}).",
        },
    )
    assert response.status_code == 302
    template = ReplyTemplate.objects.get(mission=mission, code="patrol")
    assert set(template.texts) == {"fr", "ar"}
    empty = manager.post(base + "new/", {"name": "Empty", "code": "empty", "order": 0})
    assert "Give the text in at least one language." in empty.content.decode()
    page = manager.get(base + f"{template.public_id}/").content.decode()
    assert "Une patrouille" in page
    manager.post(base + f"{template.public_id}/delete/")
    assert not ReplyTemplate.objects.filter(code="patrol").exists()


def test_channel_sending_settings(mission: Mission, gw: LoopbackGateway) -> None:
    admin = client_of(member_in(mission, Role.ADMIN))
    channel, _ = sending_channel(mission, ChannelType.AFRICASTALKING, gateway=gw, mode="off")
    url = f"/m/{mission.slug}/outbound/channels/{channel.public_id}/sending/"
    page = admin.get(url).content.decode()
    assert "at-api-key" not in page  # the stored key is never shown
    response = admin.post(
        url,
        {"mode": "live", "url": gw.base_url, "account": "palava", "sender": "PALAVA", "secret": ""},
    )
    assert response.status_code == 302
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.outbound_mode == "live"
    assert channel.outbound_secret == "at-api-key-0123456789"  # kept
    bad = admin.post(url, {"mode": "live", "url": "ftp://x", "account": "", "sender": ""})
    assert bad.status_code == 200
    detail = admin.get(f"/m/{mission.slug}/channels/{channel.public_id}/").content.decode()
    assert "Sending settings" in detail
    channel_outbound_set(actor=None, channel=channel, mode="sandbox")
    officer = client_of(member_in(mission, Role.OFFICER))
    assert officer.get(url).status_code in (403, 404)
