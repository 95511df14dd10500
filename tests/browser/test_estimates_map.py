"""The estimates map really draws in Chromium: places coloured by bin, too-few places hatched,
a popup with the figures; the round page's charts render without script errors."""

from __future__ import annotations

from typing import Any

import pytest

from palava.missions.models import Role
from palava.places.models import AdminUnit
from tests.assessments.test_estimates import answer
from tests.assessments.test_estimates_pages import CODE, PATH, world
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")


def test_map_colours_places_and_hatches_small_ones(live_server: Any, page: Any) -> None:
    # given a round with two well-sampled places and a third with two interviews
    mission, rounds, _a, _b = world(rounds=1)
    gamma = AdminUnit.objects.get(mission=mission, pcode="CC01")
    for value in ("agree", "disagree"):
        answer(rounds[0], gamma, value, path=PATH)
    user = UserFactory(username="partner")
    MembershipFactory(user=user, mission=mission, role=Role.PARTNER)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, live_server, "partner")

    # when the map of the indicator is opened
    page.goto(f"{live_server.url}/m/{mission.slug}/estimates/{rounds[0].public_id}/map/{CODE}/")
    page.wait_for_selector(".estimate-map[data-map-state=ready]")

    # then every place is drawn, coloured by its bin or hatched when too few answered
    assert page.locator(".leaflet-overlay-pane path.est-area").count() == 3
    assert page.locator(".leaflet-overlay-pane path.est-few").count() == 1
    assert page.locator("#est-hatch").count() == 1
    fill = page.locator(".leaflet-overlay-pane path.est-few").evaluate(
        "el => getComputedStyle(el).fill"
    )
    assert "est-hatch" in fill
    assert page.locator(".leaflet-tile").count() == 0
    screenshot(page, "estimate-map")

    # and a place's popup gives its estimate, interval and respondents
    page.locator(".leaflet-overlay-pane path.est-area:not(.est-few)").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "%" in popup.inner_text()
    assert "respondents" in popup.inner_text()
    assert errors == []


def test_round_page_charts_render(live_server: Any, page: Any) -> None:
    mission, rounds, _a, _b = world(rounds=2)
    user = UserFactory(username="viewer")
    MembershipFactory(user=user, mission=mission, role=Role.VIEWER)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, live_server, "viewer")

    page.goto(f"{live_server.url}/m/{mission.slug}/estimates/{rounds[1].public_id}/?by=sex")

    bar = page.locator("svg.chart-estimates rect.bar-estimate").first
    assert bar.bounding_box() is not None
    assert bar.evaluate("el => getComputedStyle(el).fill") != "rgb(0, 0, 0)"  # the CSS applies
    screenshot(page, "estimate-round")
    page.goto(f"{live_server.url}/m/{mission.slug}/estimates/trend/perception/{CODE}/?by=sex")
    assert page.locator("svg.chart-trend circle").count() >= 4
    screenshot(page, "estimate-trend")
    assert errors == []
