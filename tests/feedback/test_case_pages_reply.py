"""Replying to the reporter from the case page: templates in the reporter's language, a queued
reply on the reporter's channel (H3's ``reply_send``), and the clear refusals."""

from __future__ import annotations

import pytest

from palava.feedback.cases import services
from palava.feedback.models import Case, OutboundMessage, OutboundPurpose
from palava.feedback.outbound.replies import reply_template_save
from palava.missions.models import Mission, Role
from tests.feedback.helpers_inbox import (
    Geo,
    categories,
    client_of,
    make_geo,
    make_message,
    member_in,
    no_two_factor,
)
from tests.feedback.helpers_outbound import sending_channel

pytestmark = pytest.mark.django_db

PHONE = "+243 990 765 432"


@pytest.fixture
def geo(mission: Mission) -> Geo:
    no_two_factor(mission)
    return make_geo(mission)


def _case_from_sms(geo: Geo, *, mode: str = "sandbox") -> Case:
    channel, _secret = sending_channel(geo.mission, mode=mode, url="http://127.0.0.1:9/")
    message = make_message(
        channel,
        "Hommes armés au marché",
        unit=geo.north_town,
        category=categories(geo.mission)["security_threat"],
        urgency="urgent",
        language="fr",
        phone=PHONE,
        reporter=True,
    )
    return services.case_open_from_message(message=message, actor="test")


def test_templates_show_in_the_reporters_language_and_the_reply_is_queued(geo: Geo) -> None:
    case = _case_from_sms(geo)
    template = reply_template_save(
        mission=geo.mission,
        actor=None,
        code="received-test",
        name="Received",
        texts={"en": "We received {reference}.", "fr": "Nous avons reçu {reference}."},
    )
    client = client_of(member_in(geo.mission, Role.LIAISON))
    url = f"/m/{geo.mission.slug}/cases/{case.public_id}/"
    page = client.get(url).content.decode()
    assert f"Nous avons reçu {case.reference}." in page  # French, the reporter's language
    assert f"We received {case.reference}." not in page
    assert "".join(c for c in PHONE if c.isdigit()) not in "".join(c for c in page if c.isdigit())
    r = client.post(url + "reply/", {"template": str(template.public_id), "body": ""})
    assert r.status_code == 302
    row = OutboundMessage.objects.get(case=case, purpose=OutboundPurpose.REPLY)
    assert row.body == f"Nous avons reçu {case.reference}."
    assert row.channel_id == case.reply_channel_id
    page = client.get(url).content.decode()
    assert row.get_status_display() in page


def test_reply_refused_when_the_channel_does_not_send(geo: Geo) -> None:
    case = _case_from_sms(geo, mode="off")
    r = client_of(member_in(geo.mission, Role.OFFICER)).post(
        f"/m/{geo.mission.slug}/cases/{case.public_id}/reply/", {"body": "We are on it"}
    )
    assert r.status_code == 400
    assert "does not send messages" in r.content.decode()
    assert not OutboundMessage.objects.filter(case=case).exists()


def test_reply_needs_text_or_template_and_the_reply_permission(geo: Geo) -> None:
    case = _case_from_sms(geo)
    url = f"/m/{geo.mission.slug}/cases/{case.public_id}/reply/"
    empty = client_of(member_in(geo.mission, Role.OFFICER)).post(url, {"body": "  "})
    assert empty.status_code == 400
    assert "Write a text or choose a template." in empty.content.decode()
    assert (
        client_of(member_in(geo.mission, Role.ANALYST)).post(url, {"body": "x"}).status_code == 403
    )
    assert not OutboundMessage.objects.filter(case=case).exists()
