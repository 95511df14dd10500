"""The needs bar chart mirrors in right-to-left languages (labels on the right, bars leftwards);
recording an exercise suggests places while typing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from palava.assessments.needs_charts import WIDTH, bars_svg, history_svg
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from tests.factories import AdminUnitFactory, MembershipFactory


def _rects(svg: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(w))
        for x, w in re.findall(
            r'class="bar bar-share" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg
        )
    ]


def test_bars_left_to_right_by_default() -> None:
    svg = str(
        bars_svg(
            [("Water", 0.5), ("Food", 0.25)], title="t", description="d", chart_id="c", rtl=False
        )
    )
    rects = _rects(svg)
    assert rects[0][0] == rects[1][0] == 170.0  # bars start after the labels, on the left
    assert rects[1][1] == rects[0][1] / 2
    assert 'text-anchor="end">Water' in svg


def test_bars_mirror_right_to_left() -> None:
    svg = str(
        bars_svg(
            [("Water", 0.5), ("Food", 0.25)], title="t", description="d", chart_id="c", rtl=True
        )
    )
    rects = _rects(svg)
    # Every bar ends where the labels begin, on the right.
    assert all(x + w == WIDTH - 170.0 for x, w in rects)
    assert 'text-anchor="start">Water' in svg


def test_bars_follow_the_active_language() -> None:
    with translation.override("ar"):
        svg = str(bars_svg([("Water", 0.5)], title="t", description="d", chart_id="c"))
    assert 'text-anchor="start">Water' in svg
    with translation.override("en"):
        svg = str(bars_svg([("Water", 0.5)], title="t", description="d", chart_id="c"))
    assert 'text-anchor="end">Water' in svg


def test_history_mirrors_right_to_left() -> None:
    def svg(rtl: bool) -> str:
        return str(
            history_svg(
                ["Q1 2026", "Q2 2026"],
                [("Water", [0.2, 0.4])],
                title="t",
                description="d",
                chart_id="h",
                rtl=rtl,
            )
        )

    def bars(text: str) -> list[float]:
        return [float(x) for x in re.findall(r'class="bar bar-median" x="([\d.]+)"', text)]

    ltr, rtl = bars(svg(False)), bars(svg(True))
    assert ltr[0] < ltr[1]  # oldest period on the left
    assert rtl[0] > rtl[1]  # oldest period on the right, next to the labels
    assert 'text-anchor="start">Water' in svg(True)


@pytest.mark.django_db
def test_new_exercise_suggests_places_while_typing(
    mission: Mission, client_for: Callable[[object], Client], place_unit: AdminUnit
) -> None:
    member: Membership = MembershipFactory(mission=mission, role=Role.MANAGER)
    client = client_for(member.user)
    body = client.get(f"/m/{mission.slug}/needs/exercises/new/").content.decode()
    assert 'list="place-options"' in body
    assert '<datalist id="place-options">' in body
    suggest = f"/m/{mission.slug}/messages/place-options/"
    assert f'hx-get="{suggest}"' in body
    options = client.get(suggest, {"place": "Kibu"}).content.decode()
    assert '<option value="CD2001">' in options


@pytest.fixture
def place_unit(mission: Mission) -> AdminUnit:
    return AdminUnitFactory(mission=mission, level=1, name="Kibumba", pcode="CD2001")
