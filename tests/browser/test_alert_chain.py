"""The acceptance test of the alert-to-response chain, end to end in Chromium.

A liaison logs a missed-call alert on the hotline page; triage opens a case and notifies the
duty officer, who finds it on the board, acknowledges it, records the response and replies to
the reporter; the reply leaves through a real HTTP gateway (the loopback gateway of
``tests/feedback/gateway.py``), which calls back "delivered", so the case records that the
reporter was informed; the case is resolved and the metrics page shows the times.

Tasks run inline here (the test settings' immediate backend), as in the other browser tests:
what the worker would do right after a commit happens in the live server's request.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import override_settings

from palava.feedback.cases.services import rule_save, team_save
from palava.feedback.channel_services import channel_create
from palava.feedback.models import (
    Case,
    CaseStatus,
    ChannelType,
    Notification,
    NotificationKind,
    OutboundMessage,
)
from palava.feedback.triage import categories_ensure, triage_pending
from palava.missions.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, MissionFactory, UserFactory
from tests.feedback.gateway import LoopbackGateway
from tests.feedback.helpers_outbound import sending_channel
from tests.places.geo import two_provinces

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLER = "+243 990 555 111"
CALLER_DIGITS = "243990555111"
ALERT = "Armed men are burning houses in Mutwanga right now, people are fleeing"
ACTION = "Quick reaction force sent from the Mutwanga base"
REPLY = "We received your call. A patrol is on its way to Mutwanga."


def _login(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")
    return page


def _wait(condition: Any, what: str, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_missed_call_alert_goes_through_the_whole_chain(live_server: Any, browser: Any) -> None:
    # given a mission with places, a hotline, an SMS channel that sends through a gateway, and
    # a duty officer to whom alerts are routed
    mission = MissionFactory(slug="kivu", require_two_factor=False, languages=["en", "fr"])
    two_provinces(mission)
    categories_ensure(mission)
    channel_create(actor="test", mission=mission, name="Hotline", channel_type=ChannelType.HOTLINE)
    liaison = UserFactory(username="neema")
    duty = UserFactory(username="kabila")
    MembershipFactory(user=liaison, mission=mission, role=Role.LIAISON)
    MembershipFactory(user=duty, mission=mission, role=Role.OFFICER)
    team = team_save(
        mission=mission, actor="test", name="Joint Operations Centre", duty_officer=duty
    )
    rule_save(mission=mission, actor="test", name="Alerts", team=team, case_type="alert")
    errors: list[str] = []

    with LoopbackGateway() as gateway, override_settings(PALAVA_PUBLIC_URL=live_server.url):
        sending_channel(mission, ChannelType.GENERIC, gateway=gateway)
        gateway.auto_status = "delivered"

        # when the liaison logs the call-back of a missed call
        page = _login(browser, live_server.url, "neema")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/m/kivu/messages/new/")
        page.check("input[name=kind][value=missed_call]")
        page.fill("textarea[name=body]", ALERT)
        page.fill("input[name=caller_phone]", CALLER)
        page.select_option("select[name=category]", "security_threat")
        page.select_option("select[name=urgency]", "life_threatening")
        page.locator("main form[method=post] button[type=submit]").last.click()
        page.wait_for_load_state("load")
        assert "/m/kivu/messages/" in page.url
        page.context.close()

        # then triage opens one alert case and the duty officer is notified
        triage_pending()
        case = _wait(lambda: Case.objects.filter(mission=mission).first(), "the case")
        assert case.case_type == "alert"
        assert case.assignee_id == duty.pk
        assert Notification.objects.filter(
            recipient=duty, case=case, kind=NotificationKind.NEW_CASE
        ).exists()

        # when the duty officer opens the board, the case is there, with its notice
        page = _login(browser, live_server.url, "kabila")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/m/kivu/cases/board/")
        assert page.get_by_text(case.reference).count() >= 1
        assert page.locator(".notice").count() >= 1
        screenshot(page, "alert-chain-board")
        # and acknowledges it from the case page
        page.goto(f"{live_server.url}/m/kivu/cases/{case.public_id}/")
        page.get_by_role("button", name="Acknowledge").click()
        page.wait_for_load_state("load")
        case.refresh_from_db()
        assert case.status == CaseStatus.ACKNOWLEDGED
        # and records the response
        page.locator("summary", has_text="Record the response").first.click()
        page.select_option("select[name=responder_type]", "mission_force")
        page.fill("textarea[name=action]", ACTION)
        page.get_by_role("button", name="Record the response").last.click()
        page.wait_for_load_state("load")
        case.refresh_from_db()
        assert case.status == CaseStatus.RESPONSE_DISPATCHED
        # and replies to the reporter
        page.locator("#reply summary", has_text="Write a reply").click()
        page.locator("#reply textarea").first.fill(REPLY)
        page.get_by_role("button", name="Send the reply").click()
        page.wait_for_load_state("load")

        # then the gateway received the reply exactly once, to the caller's number
        screenshot(page, "alert-chain-reply")
        sent = _wait(lambda: gateway.messages, "the reply at the gateway")
        assert len(sent) == 1
        assert re.sub(r"\D", "", sent[0].to) == CALLER_DIGITS
        assert REPLY in sent[0].text
        # and its delivery callback marks the reporter informed
        _wait(
            lambda: Case.objects.get(pk=case.pk).reporter_informed_at is not None,
            "the delivery callback",
        )
        assert OutboundMessage.objects.get(case=case).status == "delivered"

        # when the officer resolves the case (the reporter already knows)
        page.reload()
        page.get_by_role("button", name="Mark resolved").click()
        page.wait_for_load_state("load")
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED
        assert case.acknowledged_at is not None
        assert case.response_dispatched_at is not None
        screenshot(page, "alert-chain-case")

        # then the metrics page shows the times and the reporter informed
        page.goto(f"{live_server.url}/m/kivu/cases/metrics/")
        cards = page.locator(".metric-cards")
        assert cards.locator("[data-metric=cases]").inner_text() == "1"
        for name in ("ack-median", "ack-p90", "respond-median", "respond-p90"):
            text = cards.locator(f"[data-metric={name}]").inner_text()
            assert re.fullmatch(r"\d+ (s|min)", text), (name, text)
        assert cards.locator("[data-metric=informed]").inner_text() == "100 %"
        screenshot(page, "alert-chain-metrics")
        # and no page showed the caller's number
        assert CALLER_DIGITS not in re.sub(r"\D", "", page.content())
        page.context.close()
    assert errors == []
