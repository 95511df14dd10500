"""End to end in Chromium: a community member reports through the public form with JavaScript
off, triage runs, and an officer finds the message, placed and categorised, in the inbox."""

from __future__ import annotations

from typing import Any

import pytest

from palava.feedback.channel_services import channel_create
from palava.feedback.models import ChannelType, Message, MessageStatus, Urgency
from palava.feedback.triage import categories_ensure, triage_pending
from palava.missions.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, MissionFactory, UserFactory
from tests.places.geo import two_provinces

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = "Armed men are burning houses in Mutwanga right now, people are fleeing"


def test_a_web_form_report_reaches_the_officers_inbox_triaged(
    live_server: Any, browser: Any
) -> None:
    # given a mission with places, a public web form and an officer
    mission = MissionFactory(slug="kivu", require_two_factor=False, languages=["en", "fr"])
    two_provinces(mission)
    categories_ensure(mission)
    channel_create(actor="test", mission=mission, name="Web form", channel_type=ChannelType.WEBFORM)
    MembershipFactory(user=UserFactory(username="amani"), mission=mission, role=Role.OFFICER)

    # when someone sends a report from a browser without JavaScript
    anonymous = browser.new_context(java_script_enabled=False, locale="en-GB")
    form_page = anonymous.new_page()
    form_page.goto(f"{live_server.url}/p/kivu/report/")
    form_page.fill("textarea[name=message]", REPORT)
    form_page.fill("input[name=place]", "Mutwanga")
    form_page.locator("form[method=post] button[type=submit]").last.click()
    form_page.wait_for_load_state("load")

    # then the thank-you page answers without repeating the message, and it is stored once
    assert "/p/kivu/report/thanks/" in form_page.url
    assert REPORT not in form_page.content()
    screenshot(form_page, "report-thanks")
    anonymous.close()
    assert Message.objects.filter(mission=mission).count() == 1

    # when triage has run (the test settings run the task ingest enqueues inline; a second run
    # finds nothing left to do)
    assert triage_pending() == 0
    message = Message.objects.get(mission=mission)
    assert message.triaged_at is not None
    assert message.status == MessageStatus.OPEN
    assert message.language == "en"
    assert message.urgency == Urgency.LIFE_THREATENING
    assert message.site is not None
    assert message.site.name == "Mutwanga"

    # then the officer sees it in the inbox with its urgency, and opens it
    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = officer.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "amani")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/m/kivu/messages/")
    row = page.locator("li.msg-row", has_text=REPORT)
    assert row.count() == 1
    assert "msg-critical" in (row.get_attribute("class") or "")
    assert row.get_by_text("Life-threatening now").count() == 1
    screenshot(page, "inbox")
    page.goto(f"{live_server.url}/m/kivu/messages/{message.public_id}/")
    assert page.get_by_text("Mutwanga").count() >= 1
    assert errors == []
    officer.close()
