"""What a reader sees on the estimates pages: a change that rounds to 0 is "=" (never "▲ +0"),
the trend's rounds are told apart under the chart, and warnings name indicators, not codes."""

from __future__ import annotations

import pytest

from palava.assessments.estimate_views import change_view
from palava.assessments.stats import Change
from palava.missions.models import Role
from tests.assessments.test_estimates_pages import CODE, login, url, world
from tests.factories import MembershipFactory


def _change(value: float, *, significant: bool = False) -> Change:
    return Change(value=value, se=0.1, z=value / 0.1, p_value=0.5, significant=significant)


@pytest.mark.parametrize("value", [0.003, -0.004, 0.0])
def test_a_change_that_rounds_to_zero_points_is_equal(value: float) -> None:
    view = change_view(_change(value), percent=True)
    assert view is not None
    assert view.arrow == "="
    assert view.text.startswith("0 points")


def test_a_change_keeps_its_arrow_sign_and_colour() -> None:
    up = change_view(_change(0.104, significant=True), percent=True)
    down = change_view(_change(-0.2), percent=True)
    mean = change_view(_change(0.004), percent=False)
    assert up is not None
    assert down is not None
    assert mean is not None
    assert (up.arrow, up.text, up.css) == ("▲", "+10 points, significant", "change-up")
    assert (down.arrow, down.text, down.css) == ("▼", "-20 points, not significant", "")
    assert (mean.arrow, mean.text) == ("=", "0.00, not significant")


@pytest.mark.django_db
def test_trend_labels_rounds_by_number_and_month(client_for: object) -> None:
    mission, rounds, _a, _b = world(rounds=2)
    member = MembershipFactory(mission=mission, role=Role.VIEWER)
    body = login(client_for, member).get(url("trend", mission, series="perception", code=CODE))
    text = body.content.decode()
    for rnd in rounds:
        month = rnd.starts_on.strftime("%b %Y")
        assert f"Round {rnd.number} · {month}" in text


@pytest.mark.django_db
def test_small_sample_warning_names_indicators(client_for: object) -> None:
    mission, rounds, _a, _b = world(rounds=1)
    member = MembershipFactory(mission=mission, role=Role.VIEWER)
    round_url = url("round", mission, round_id=rounds[0].public_id)
    page = login(client_for, member).get(round_url + "?by=sex")  # 24 women, fewer than 30
    text = page.content.decode()
    assert "respondents behind some figures of: Feel safe." in text
    assert f"figures of: {CODE}" not in text
