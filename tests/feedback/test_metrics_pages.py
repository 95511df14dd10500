"""The case metrics page and API: figures a manager reads, filters, grouping, empty states,
scope and the restricted rule, permissions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from palava.accounts.tokens import token_create
from palava.missions.models import Membership, Role
from tests.factories import MissionFactory
from tests.feedback.helpers_cases import make_case, minutes
from tests.feedback.helpers_inbox import Geo, client_of, make_geo, member_in, no_two_factor

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
OPENED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def geo() -> Geo:
    mission = MissionFactory(time_zone="UTC")
    no_two_factor(mission)
    return make_geo(mission)


def _seed(geo: Geo) -> None:
    """North: acknowledged after 4 and 8 min, answered after 30 and 150 min (late), one
    informed. South: acknowledged after 20 min (late). A restricted case in the north."""
    m = geo.mission
    north: dict[str, Any] = {"opened_at": OPENED, "unit": geo.north_town}
    make_case(m, **north, ack_after=minutes(4), respond_after=minutes(30),
              resolve_after=minutes(60), informed_after=minutes(70))  # fmt: skip
    make_case(m, **north, ack_after=minutes(8), respond_after=minutes(150),
              resolve_after=minutes(200), closed_after=minutes(210))  # fmt: skip
    make_case(m, opened_at=OPENED, unit=geo.south_town, ack_after=minutes(20))
    make_case(m, opened_at=OPENED, unit=geo.north_town, restricted=True, ack_after=minutes(90))


def _url(geo: Geo) -> str:
    return reverse("cases:metrics", kwargs={"mission_slug": geo.mission.slug})


def _page(client: Client, url: str) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_manager_sees_cards_charts_and_table(geo: Geo) -> None:
    _seed(geo)
    html = _page(client_of(member_in(geo.mission, Role.MANAGER)), _url(geo))

    assert 'data-metric="cases">4<' in html
    # Acknowledged after 4, 8, 20, 90 min: median 14 min, p90 69 min.
    assert 'data-metric="ack-median">14 min<' in html
    assert 'data-metric="ack-p90">1 h 09<' in html
    # Responses after 30 and 150 min: median 1 h 30, p90 2 h 18.
    assert 'data-metric="respond-median">1 h 30<' in html
    assert 'data-metric="respond-p90">2 h 18<' in html
    assert 'data-metric="informed">50 %<' in html  # 1 of 2 finished
    assert 'data-metric="breaches">3<' in html
    assert html.count('<svg class="chart chart-metrics') == 3
    assert ">Nord<" in html
    assert ">Sud<" in html


def test_officer_does_not_count_restricted_cases(geo: Geo) -> None:
    _seed(geo)
    html = _page(client_of(member_in(geo.mission, Role.OFFICER)), _url(geo))
    assert 'data-metric="cases">3<' in html
    assert 'data-metric="ack-median">8 min<' in html


def test_scoped_analyst_sees_only_their_area(geo: Geo) -> None:
    _seed(geo)
    html = _page(client_of(member_in(geo.mission, Role.ANALYST, geo.south)), _url(geo))
    assert 'data-metric="cases">1<' in html
    assert ">Nord<" not in html


def test_filters_and_grouping_by_type(geo: Geo) -> None:
    _seed(geo)
    client = client_of(member_in(geo.mission, Role.MANAGER))
    html = _page(client, _url(geo) + "?place=CD20&group_by=type")
    assert 'data-metric="cases">1<' in html
    assert 'data-metric="ack-median">20 min<' in html
    assert ">Alert<" in html


def test_empty_states(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.ANALYST))
    assert "No cases yet." in _page(client, _url(geo))
    _seed(geo)
    html = _page(client, _url(geo) + "?since=2026-03-05")
    assert "No case matches these filters." in html


def test_arabic_page_renders_right_to_left(geo: Geo) -> None:
    _seed(geo)
    client = client_of(member_in(geo.mission, Role.MANAGER))
    with time_machine.travel(NOW, tick=False):
        response = client.get(_url(geo), headers={"accept-language": "ar"})
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ANALYST, 200), (Role.LIAISON, 200), (Role.PARTNER, 403), (Role.VIEWER, 403)],
)
def test_page_permission(geo: Geo, role: str, status: int) -> None:
    response = client_of(member_in(geo.mission, role)).get(_url(geo))
    assert response.status_code == status


# --- API -----------------------------------------------------------------------------------


def _api(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _get(client: Client, geo: Geo, query: str = "") -> dict:  # type: ignore[type-arg]
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/api/v1/missions/{geo.mission.slug}/cases/metrics{query}")
    assert response.status_code == 200, response.content
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.json()  # type: ignore[no-any-return]


def test_api_totals_and_groups_in_seconds(geo: Geo) -> None:
    _seed(geo)
    data = _get(_api(member_in(geo.mission, Role.MANAGER)), geo)

    totals = data["totals"]
    assert totals["cases"] == 4
    assert totals["ack_median_seconds"] == 14 * 60
    assert totals["ack_p90_seconds"] == pytest.approx(69 * 60)
    assert totals["respond_median_seconds"] == 90 * 60
    assert (totals["finished"], totals["informed"], totals["informed_share"]) == (2, 1, 0.5)
    assert (totals["ack_breaches"], totals["respond_breaches"]) == (2, 3)
    assert [(g["key"], g["figures"]["cases"]) for g in data["groups"]] == [
        ("CD10", 3),
        ("CD20", 1),
    ]
    assert data["group_by"] == "place"


def test_api_group_by_month_and_filters(geo: Geo) -> None:
    _seed(geo)
    client = _api(member_in(geo.mission, Role.OFFICER))
    data = _get(client, geo, "?group_by=month&since=2026-03-01&until=2026-03-31")
    assert [(g["key"], g["label"], g["figures"]["cases"]) for g in data["groups"]] == [
        ("2026-03-01", "March 2026", 3)
    ]
    assert _get(client, geo, "?until=2026-02-28")["totals"]["cases"] == 0


def test_api_rejects_bad_input_and_other_roles(geo: Geo) -> None:
    client = _api(member_in(geo.mission, Role.MANAGER))
    url = f"/api/v1/missions/{geo.mission.slug}/cases/metrics"
    assert client.get(url + "?group_by=planet").status_code == 422
    assert client.get(url + "?level=9").status_code == 422
    assert _api(member_in(geo.mission, Role.PARTNER)).get(url).status_code == 403
    other = MissionFactory()
    assert client.get(f"/api/v1/missions/{other.slug}/cases/metrics").status_code == 404
