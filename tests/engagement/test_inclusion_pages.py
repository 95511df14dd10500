"""Inclusion pages, the coverage GeoJSON and the API: they answer, keep to the member's scope,
and refuse hostile query parameters with a clear error (never a 500)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from palava.accounts.tokens import token_create
from palava.engagement.inclusion_charts import ShareRow, shares_svg
from palava.missions.models import Membership, Mission, Role
from palava.places.services import membership_scope_set
from tests.engagement.helpers_inclusion import World, build_world

PERIOD = "from=2026-01-01&to=2026-04-30"
NOW = datetime(2026, 5, 10, 12, tzinfo=UTC)


@pytest.fixture
def world(mission: Mission) -> World:
    return build_world(mission)


@pytest.fixture
def analyst(member_of: Callable[..., Membership]) -> Membership:
    return member_of(Role.ANALYST)


@pytest.fixture
def scoped(world: World, member_of: Callable[..., Membership]) -> Membership:
    """A viewer limited to province P3."""
    member = member_of(Role.VIEWER)
    membership_scope_set(actor=None, membership=member, units=[world.p3])
    return member


def _page(client: Client, mission: Mission, name: str, query: str = "") -> Any:
    url = reverse(f"inclusion:{name}", kwargs={"mission_slug": mission.slug})
    return client.get(f"{url}?{query}" if query else url)


def _api(member: Membership, path: str, query: str = "") -> Any:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/missions/{member.mission.slug}/inclusion/{path}"
    return client.get(f"{url}?{query}" if query else url)


# --- Pages -----------------------------------------------------------------------------------


def test_overview_shows_places_chart_flags_and_trend(
    world: World, analyst: Membership, client_for: Callable[..., Client]
) -> None:
    response = _page(client_for(analyst.user), world.mission, "overview", PERIOD + "&level=1")
    assert response.status_code == 200
    html = response.content.decode()
    for pcode in ("ZC01", "ZC02", "ZC03"):
        assert f'data-place="{pcode}"' in html
    assert 'class="chart chart-inclusion"' in html
    assert "no population data" in html
    assert "small numbers (10 people)" in html
    assert "(35/75)" in html  # P1's women: numerator and denominator shown
    assert 'data-period="2026-04"' in html


def test_overview_in_arabic_is_right_to_left(
    world: World, analyst: Membership, client_for: Callable[..., Client]
) -> None:
    url = reverse("inclusion:overview", kwargs={"mission_slug": world.mission.slug})
    response = client_for(analyst.user).get(f"{url}?{PERIOD}&level=1", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    # the chart's labels sit on the right: their anchor is the start of the drawing's width
    assert '<text class="chart-label" x="476" y=' in html


def test_overview_of_a_place_lists_its_children(
    world: World, analyst: Membership, client_for: Callable[..., Client]
) -> None:
    response = _page(client_for(analyst.user), world.mission, "overview", PERIOD + "&place=ZC01")
    html = response.content.decode()
    assert 'data-place="ZC0101"' in html
    assert 'data-place="ZC0102"' in html
    assert 'data-place="ZC02"' not in html


def test_overview_without_places_has_an_empty_state(
    mission: Mission, analyst: Membership, client_for: Callable[..., Client]
) -> None:
    response = _page(client_for(analyst.user), mission, "overview")
    assert response.status_code == 200
    assert "No places to show." in response.content.decode()


def test_coverage_page_lists_never_engaged_places(
    world: World, analyst: Membership, client_for: Callable[..., Client]
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = _page(client_for(analyst.user), world.mission, "coverage")
    assert response.status_code == 200
    html = response.content.decode()
    never = html.split('data-state="never"')[1].split("</ul>")[0]
    assert "ZC0301" in never
    assert "ZC0101" not in never
    assert "js/coverage-map.js" in html
    assert 'data-count="never">(1)' in html


def test_coverage_geojson_gives_states_of_places_with_a_shape(
    world: World, analyst: Membership, client_for: Callable[..., Client]
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = _page(client_for(analyst.user), world.mission, "coverage_geojson", "days=85")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    features = {f["properties"]["code"]: f for f in json.loads(response.content)["features"]}
    # T21 and T31 have neither boundary nor centroid: on the lists only
    assert set(features) == {"ZC0101", "ZC0102"}
    assert features["ZC0101"]["geometry"]["type"] == "Polygon"
    assert features["ZC0101"]["properties"]["state"] == "earlier"
    assert features["ZC0101"]["properties"]["last"] == "2026-02-10"
    assert features["ZC0102"]["geometry"] == {"type": "Point", "coordinates": [29.5, -1.5]}
    assert features["ZC0102"]["properties"]["state"] == "recent"


# --- Scope -----------------------------------------------------------------------------------


def test_a_member_scoped_to_one_province_sees_only_it(
    world: World, scoped: Membership, client_for: Callable[..., Client]
) -> None:
    client = client_for(scoped.user)
    html = _page(client, world.mission, "overview", PERIOD + "&level=1").content.decode()
    assert 'data-place="ZC03"' in html
    assert "ZC01" not in html
    assert "ZC02" not in html
    with time_machine.travel(NOW, tick=False):
        coverage = _page(client, world.mission, "coverage").content.decode()
        geojson = json.loads(_page(client, world.mission, "coverage_geojson").content)
    assert "ZC0301" in coverage
    assert "ZC0101" not in coverage
    assert geojson["features"] == []
    # through the API too: only P3, and P1 is an unknown place
    answer = _api(scoped, "places", PERIOD + "&level=1").json()
    assert [p["code"] for p in answer["places"]] == ["ZC03"]
    assert answer["total"]["people_counted"] == 10
    assert _api(scoped, "places", PERIOD + "&place=ZC01").status_code == 400


# --- API -------------------------------------------------------------------------------------


def test_api_places_periods_and_coverage(world: World, analyst: Membership) -> None:
    places = _api(analyst, "places", PERIOD + "&level=1")
    assert places.status_code == 200
    p1 = places.json()["places"][0]
    assert p1["code"] == "ZC01"
    assert p1["figures"]["people_counted"] == 77
    assert p1["figures"]["women"]["participants"] == {
        "numerator": 35.0,
        "denominator": 75.0,
        "share": round(7 / 15, 6),
    }
    assert p1["figures"]["women"]["below_target"] is True
    assert p1["figures"]["minority"]["population"] is None
    p3 = places.json()["places"][2]
    assert p3["figures"]["flags"] == ["small_numbers", "below_target", "no_population"]

    periods = _api(analyst, "periods", PERIOD + "&place=ZC01&grain=quarter").json()
    assert [p["figures"]["people_counted"] for p in periods["periods"]] == [71, 6]

    with time_machine.travel(NOW, tick=False):
        coverage = _api(analyst, "coverage", "days=90").json()
    assert coverage["counts"] == {"recent": 3, "earlier": 0, "never": 1}
    assert coverage["today"] == "2026-05-10"


# --- Hostile query parameters ----------------------------------------------------------------

HOSTILE = [
    "from=garbage",
    "to=2026-13-45",
    "from=2026-05-01&to=2026-01-01",
    "from=1990-01-01&to=2100-12-31",
    "from=0001-01-01",
    "from=" + "9" * 500,
    "level=9",
    "level=abc",
    "level=-1",
    "level=99999999999999999999",
    "place=%3Cscript%3E",
    "place=" + "X" * 5000,
    "grain=weekly",
    "days=0",
    "days=99999999999999",
    "days=-5",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_parameters_are_refused_clearly(
    world: World, analyst: Membership, client_for: Callable[..., Client], query: str
) -> None:
    client = client_for(analyst.user)
    for name in ("overview", "coverage"):
        page = _page(client, world.mission, name, query)
        assert page.status_code == 200
        assert 'class="errorlist"' in page.content.decode()
    assert _page(client, world.mission, "coverage_geojson", query).status_code in (200, 400)
    for path in ("places", "periods", "coverage"):
        answer = _api(analyst, path, query)
        assert answer.status_code in (200, 400, 422), (path, query, answer.status_code)
        if answer.status_code != 200:
            assert "detail" in answer.json()


def test_level_above_the_chosen_place_is_refused(world: World, analyst: Membership) -> None:
    answer = _api(analyst, "places", "place=ZC01&level=1")
    assert answer.status_code == 400
    assert "below the chosen place" in answer.json()["detail"]


# --- Chart -----------------------------------------------------------------------------------


def test_chart_mirrors_in_right_to_left() -> None:
    rows = [ShareRow(label="Goma", participants=40.0, population=50.0, target=30)]
    ltr = shares_svg(rows, title="t", description="d", chart_id="c")
    rtl = shares_svg(rows, title="t", description="d", chart_id="c", rtl=True)
    # the participants bar starts after the labels on the left, or ends before them on the right
    assert '<rect class="bar bar-participants" x="170"' in ltr
    assert '<rect class="bar bar-participants" x="' in rtl
    x = float(rtl.split('<rect class="bar bar-participants" x="')[1].split('"')[0])
    width = float(
        rtl.split('<rect class="bar bar-participants" x="')[1].split('width="')[1].split('"')[0]
    )
    assert x + width == pytest.approx(640 - 170)
