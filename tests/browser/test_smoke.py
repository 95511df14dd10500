"""A person logs in, switches to Arabic and gets a right-to-left page."""

from __future__ import annotations

from typing import Any

import pytest

from palava.missions.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, MissionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_to_arabic_and_see_rtl(live_server: Any, page: Any) -> None:
    # given an officer of one mission
    mission = MissionFactory(name="Mission Kivu", slug="kivu")
    user = UserFactory(username="amani")
    MembershipFactory(user=user, mission=mission, role=Role.OFFICER)

    # when they log in through the real log-in page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.fill("input[name=username]", "amani")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_url(f"{live_server.url}/m/kivu/**")
    assert "Mission Kivu" in page.content()

    # and switch the language to Arabic with the language switcher (it submits on change)
    with page.expect_navigation():
        page.select_option("form#language-form select[name=language]", "ar")

    # then the page is Arabic and right-to-left
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == "rtl"
    screenshot(page, "mission-overview-ar")


def test_wrong_password_shows_an_error_and_no_session(live_server: Any, page: Any) -> None:
    UserFactory(username="bakari")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "bakari")
    page.fill("input[name=password]", "not-the-password")
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist, [role=alert]").count() >= 1
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
