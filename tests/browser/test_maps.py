"""The place map (Leaflet, no tiles) and the relationship graph (SVG) really draw in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from palava.missions.models import Role
from tests.browser.conftest import screenshot
from tests.factories import (
    PASSWORD,
    ActorFactory,
    MembershipFactory,
    MissionFactory,
    RelationshipFactory,
    UserFactory,
)
from tests.places.geo import two_provinces

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")


def test_place_profile_draws_the_boundary_and_the_sites(live_server: Any, page: Any) -> None:
    # given a mission with two provinces (boundaries) and a village in each
    mission = MissionFactory(slug="kivu", require_two_factor=False)
    two_provinces(mission)
    user = UserFactory(username="amani")
    MembershipFactory(user=user, mission=mission, role=Role.OFFICER)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, live_server, "amani")

    # when the country's profile is opened
    page.goto(f"{live_server.url}/m/kivu/places/CD/")
    page.wait_for_selector(".place-map[data-map-state=ready]")

    # then Leaflet drew the country's boundary, its provinces and a marker per village
    assert page.locator(".leaflet-overlay-pane path.map-unit").count() == 1
    assert page.locator(".leaflet-overlay-pane path.map-child").count() == 2
    assert page.locator(".leaflet-overlay-pane path.map-site").count() == 2
    assert page.locator(".leaflet-tile").count() == 0  # nothing fetched from a tile server
    assert errors == []
    screenshot(page, "place-map")

    # and selecting a province opens its profile
    page.locator(".leaflet-overlay-pane path.map-child").first.click()
    page.wait_for_url(f"{live_server.url}/m/kivu/places/CD*/")


def test_graph_page_draws_nodes_and_edges(live_server: Any, page: Any) -> None:
    # given three actors, two of them related
    mission = MissionFactory(slug="kivu", require_two_factor=False)
    chief = ActorFactory(mission=mission, name="Mwami Kabare", influence=5)
    youth = ActorFactory(
        mission=mission, name="Youth of Beni", kind="group", actor_type="youth_group"
    )
    ActorFactory(mission=mission, name="Lonely Elder")
    RelationshipFactory(source=youth, target=chief, kind="member_of")
    user = UserFactory(username="imani")
    MembershipFactory(user=user, mission=mission, role=Role.ANALYST)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, live_server, "imani")

    # when the graph page is opened
    page.goto(f"{live_server.url}/m/kivu/actors/graph/")
    page.wait_for_selector(".actor-graph[data-graph-state=ready]")

    # then the related actors are drawn as nodes with an edge; the lonely one is only listed
    assert page.locator(".actor-graph svg .graph-node").count() == 2
    assert page.locator(".actor-graph svg line.graph-edge.edge-member_of").count() == 1
    assert page.locator(".actor-graph svg .graph-node circle").first.bounding_box() is not None
    assert "Lonely Elder" in page.content()
    assert errors == []
    screenshot(page, "actor-graph")
