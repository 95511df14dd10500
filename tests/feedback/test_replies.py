"""Replies to a case's reporter: templates per language, sending on the case's channel through
the loopback gateway, the timeline without the text, and "reporter informed" on delivery."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from palava.feedback.cases.services import (
    case_acknowledge,
    case_open_from_message,
    case_resolve,
    case_response_record,
)
from palava.feedback.models import (
    Case,
    CaseEventKind,
    CaseStatus,
    ChannelType,
    OutboundPurpose,
    OutboundStatus,
    ReplyTemplate,
)
from palava.feedback.outbound.channel_settings import channel_outbound_set
from palava.feedback.outbound.replies import (
    reply_render,
    reply_send,
    reply_template_save,
    reply_templates_ensure,
)
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Mission
from tests.factories import UserFactory
from tests.feedback.gateway import LoopbackGateway
from tests.feedback.helpers_inbox import make_message
from tests.feedback.helpers_outbound import PHONE, fresh, sending_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def gw() -> Iterator[LoopbackGateway]:
    with LoopbackGateway() as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def _settings(settings):  # type: ignore[no-untyped-def]
    settings.PALAVA_OUTBOUND_TIMEOUT = 2
    settings.PALAVA_PUBLIC_URL = "http://testserver"


def _case(mission, channel, *, phone: str = PHONE, language: str = "fr") -> Case:  # type: ignore[no-untyped-def]
    message = make_message(
        channel, "Des hommes armés au marché", phone=phone, reporter=bool(phone), language=language
    )
    return case_open_from_message(message=message, actor=UserFactory(), case_type="alert")


def test_default_templates_in_five_languages(mission: Mission) -> None:
    assert reply_templates_ensure(mission) == 4
    assert reply_templates_ensure(mission) == 0
    for template in ReplyTemplate.objects.filter(mission=mission):
        assert set(template.texts) >= {"en", "fr", "ar", "sw", "pt"}
        assert all("{reference}" in text for text in template.texts.values())


def test_render_picks_the_language_and_the_reference(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    case = _case(mission, channel, language="ar")
    reply_templates_ensure(mission)
    template = ReplyTemplate.objects.get(mission=mission, code="received")
    assert reply_render(template, case=case) == template.texts["ar"].replace(
        "{reference}", case.reference
    )
    assert case.reference in reply_render(template, case=case, language="sw")
    # an unknown language falls back to the case's language, then English
    assert reply_render(template, case=case, language="xx").startswith("تم استلام")
    case.language = ""
    assert reply_render(template, case=case, language="xx").startswith("Your report")
    only_fr = reply_template_save(
        mission=mission, actor=None, code="fr-only", name="Fr", texts={"fr": "Bien reçu {x}"}
    )
    assert reply_render(only_fr, case=case, language="pt") == "Bien reçu {x}"


def test_reply_goes_to_the_reporter_and_informs_on_delivery(
    mission: Mission, gw: LoopbackGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel, _ = sending_channel(mission, ChannelType.TWILIO, gateway=gw)
    case = _case(mission, channel)
    officer = UserFactory()
    reply_templates_ensure(mission)
    template = ReplyTemplate.objects.get(mission=mission, code="resolved")

    row = reply_send(case=case, actor=officer, template=template)
    assert row.purpose == OutboundPurpose.REPLY
    assert row.idempotency_key == f"reply:{case.public_id}:1"
    event = case.events.get(kind=CaseEventKind.REPLY)
    assert event.data["outbound"] == str(row.public_id)
    assert "traité" not in str(event.data)
    assert PHONE not in str(event.data)

    outbound_send_due()
    assert len(gw.messages) == 1
    sent = gw.messages[0]
    assert sent.to == PHONE
    assert (
        sent.text
        == f"Votre signalement {case.reference} a été traité. Merci de nous avoir informés."
    )
    case.refresh_from_db()
    assert case.reporter_informed_at is None  # sent is not delivered

    cb = gw.status_callback(sent, "delivered")
    response = Client().post(
        cb.path, data=cb.body, content_type=cb.content_type, headers=cb.headers
    )
    assert response.status_code == 200
    assert fresh(row).status == OutboundStatus.DELIVERED
    case.refresh_from_db()
    assert case.reporter_informed_at is not None
    assert PHONE not in caplog.text
    assert "990001122" not in caplog.text

    # a second reply gets its own key
    second = reply_send(case=case, actor=officer, body="Merci encore")
    assert second.idempotency_key == f"reply:{case.public_id}:2"


def test_delivered_reply_after_resolution_moves_to_reporter_informed(
    mission: Mission, gw: LoopbackGateway
) -> None:
    channel, _ = sending_channel(mission, gateway=gw, mode="sandbox")
    case = _case(mission, channel)
    officer = UserFactory()
    case = case_acknowledge(case=case, actor=officer)
    case_response_record(
        case=case, actor=officer, responder_type="mission_police", action="Patrol sent"
    )
    case = case_resolve(case=Case.objects.get(pk=case.pk), actor=officer)
    reply_send(case=case, actor=officer, body="Votre signalement a été traité.")
    outbound_send_due()  # sandbox: delivered at once
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTER_INFORMED
    assert case.reporter_informed_at is not None


def test_no_number_or_no_sending_channel_is_a_clear_error(
    mission: Mission, gw: LoopbackGateway
) -> None:
    channel, _ = sending_channel(mission, gateway=gw)
    anonymous = _case(mission, channel, phone="")
    with pytest.raises(ValidationError, match="no number"):
        reply_send(case=anonymous, actor=UserFactory(), body="Hello")
    case = _case(mission, channel)
    channel_outbound_set(actor=None, channel=channel, mode="off", url=gw.base_url)
    with pytest.raises(ValidationError, match="does not send"):
        reply_send(case=case, actor=UserFactory(), body="Hello")
    with pytest.raises(ValidationError):
        reply_send(case=case, actor=UserFactory(), body="   ")


def test_a_dead_reply_notifies_the_assignee(mission: Mission, gw: LoopbackGateway) -> None:
    from palava.feedback.cases.services import case_assign
    from palava.feedback.models import Notification, NotificationKind
    from palava.missions.models import Role
    from tests.factories import MembershipFactory
    from tests.feedback.gateway import Fault

    channel, _ = sending_channel(mission, gateway=gw)
    case = _case(mission, channel)
    officer = MembershipFactory(mission=mission, role=Role.OFFICER).user
    case = case_assign(case=case, actor=officer, assignee=officer)
    gw.fail_next(Fault(status=400))
    row = reply_send(case=case, actor=officer, body="Merci")
    outbound_send_due()
    assert fresh(row).status == OutboundStatus.DEAD
    notice = Notification.objects.get(recipient=officer, kind=NotificationKind.DELIVERY_FAILED)
    assert case.reference in notice.title
    assert PHONE not in notice.title
    assert "Merci" not in notice.title
