"""Staff notices: in the app, by e-mail (Django's mail backend) and by SMS through outbound."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from palava.accounts.services import user_set_phone
from palava.feedback.cases.auto import cases_from_triage
from palava.feedback.cases.escalation import cases_escalate_due
from palava.feedback.cases.notify import case_url, notifications_deliver, notify
from palava.feedback.cases.tasks import feedback_escalate
from palava.feedback.models import (
    ChannelType,
    Notification,
    NotificationKind,
    OutboundMessage,
    OutboundPurpose,
)
from tests.feedback.helpers_inbox import make_channel
from tests.feedback.test_cases_helpers import T0, Env, make_env

pytestmark = pytest.mark.django_db

BODY = "Armed men near Kasindi market, call me"


@pytest.fixture
def env() -> Env:
    return make_env()


def test_a_new_alert_is_mailed_to_the_duty_officer_after_commit(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [case] = cases_from_triage([env.message(BODY)], now=timezone.now())
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [env.duty.user.email]
    assert case.reference in sent.subject
    assert "Béni" in sent.subject
    assert f"/m/{env.mission.slug}/cases/{case.public_id}/" in sent.body
    assert "Kasindi" not in f"{sent.subject} {sent.body}"
    notice = Notification.objects.get(case=case)
    assert notice.email_status == "sent"
    assert notice.sms_status == ""


def test_a_new_urgent_request_is_in_the_app_but_not_mailed(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cases_from_triage([env.message(category="need_water")], now=timezone.now())
    assert mail.outbox == []
    notice = Notification.objects.get()
    assert notice.recipient == env.duty.user
    assert notice.email_status == ""


def test_delivery_runs_once_per_notice(env: Env, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [_case] = cases_from_triage([env.message()], now=timezone.now())
    ids = list(Notification.objects.values_list("id", flat=True))
    assert notifications_deliver(ids) == 0
    assert notifications_deliver(None) == 0
    assert len(mail.outbox) == 1


def test_the_same_key_twice_makes_one_notice_and_one_mail(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            rows = notify(
                mission=env.mission,
                recipients=[env.duty.user, env.duty.user, env.lead.user],
                kind=NotificationKind.BROADCAST_DONE,
                title="Broadcast finished",
                dedupe_key="broadcast:1",
                email=True,
            )
        assert len(rows) == 2
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [env.duty.user.email, env.lead.user.email]
    )


def test_the_minute_sweep_delivers_notices_whose_task_never_ran(env: Env) -> None:
    cases_from_triage([env.message()], now=timezone.now())  # on-commit never fires here
    assert Notification.objects.get().email_status == "pending"
    assert mail.outbox == []
    result = feedback_escalate.call()
    assert result["delivered"] == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get().email_status == "sent"


def _sms_ready(env: Env) -> None:
    from palava.feedback.outbound.channel_settings import channel_outbound_set

    channel = make_channel(env.mission, ChannelType.GENERIC, name="SMS out")
    channel_outbound_set(actor=None, channel=channel, mode="sandbox")


def _escalate_once(env: Env, capture: Any) -> Notification:
    with time_machine.travel(T0, tick=False):
        case = env.alert(body=BODY)
    with (
        time_machine.travel(T0 + timedelta(minutes=15), tick=False),
        capture(execute=True),
    ):
        assert cases_escalate_due() == 1
    return Notification.objects.get(case=case, kind=NotificationKind.ACK_OVERDUE)


def test_an_alert_escalation_is_mailed_and_texted_through_outbound(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    pytest.importorskip("palava.feedback.outbound.services")
    _sms_ready(env)
    user_set_phone(actor=None, user=env.duty.user, phone="+243 990 000 222")
    notice = _escalate_once(env, django_capture_on_commit_callbacks)
    notice.refresh_from_db()
    assert (notice.email_status, notice.sms_status) == ("sent", "queued")
    assert mail.outbox[-1].to == [env.duty.user.email]
    assert "not acknowledged in time (level 1)" in mail.outbox[-1].subject
    sms = OutboundMessage.objects.get(purpose=OutboundPurpose.NOTIFICATION)
    assert sms.recipient_user == env.duty.user
    assert sms.idempotency_key == f"notify:{notice.pk}"
    assert sms.body == notice.title
    assert "Kasindi" not in sms.body
    notifications_deliver(None)  # a later sweep (it mails the new-case notice left pending)
    notifications_deliver([notice.pk])
    assert OutboundMessage.objects.filter(purpose=OutboundPurpose.NOTIFICATION).count() == 1
    assert sum("level 1" in m.subject for m in mail.outbox) == 1


def test_no_phone_or_no_sending_channel_skips_the_sms(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    notice = _escalate_once(env, django_capture_on_commit_callbacks)  # no channel sends
    notice.refresh_from_db()
    assert (notice.email_status, notice.sms_status) == ("sent", "skipped")
    assert not OutboundMessage.objects.exists()


def test_the_link_is_the_case_page(env: Env) -> None:
    case = env.alert()
    try:
        expected = reverse(
            "cases:detail", kwargs={"mission_slug": env.mission.slug, "case_id": case.public_id}
        )
    except NoReverseMatch:
        pytest.skip("the case page is not routed yet")
    assert case_url(case) == expected
    assert Notification.objects.get(case=case).url == expected
