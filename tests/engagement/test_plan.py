"""The engagement plan: figures checked by hand on a small fixture, scope, sorting, page, API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from palava.engagement.models import (
    ActivityStatus,
    CommitmentStatus,
    DeliverableStatus,
    EngagementSettings,
)
from palava.engagement.plan import (
    PlanRow,
    choose_level,
    path_prefixes,
    plan_build,
    row_for,
    sort_rows,
)
from palava.missions.models import Role
from tests.engagement import helpers_plan as h

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def world(mission: Any) -> dict[str, Any]:
    """By hand, at level 2 with the default 90-day coverage:

    - T11 (Alpha): held 10 days ago in village V111 (counts for T11); held 30 days ago as
      another place of a P2 activity; planned in 5 days; open commitments: one due yesterday
      (overdue), one due in 3 days at V111, one due in 20 days that is strictly confidential;
      a done one and a cancelled one do not count.
    - T12 (Beta): held 200 days ago -> not engaged; deliverables: due in 10 days (counts), in
      40 days (no), delivered (no), overdue (no: only due from today).
    - T21 (Gamma): only a cancelled and a future planned activity -> never engaged.
    """
    p = h.tree(mission)
    h.activity(mission, p["V111"], NOW - dt.timedelta(days=10))
    other = h.activity(
        mission, p["T21"], NOW + dt.timedelta(days=60), status=ActivityStatus.PLANNED
    )
    joint = h.activity(mission, p["P2"], NOW - dt.timedelta(days=30))
    joint.places.add(p["T11"])
    h.activity(mission, p["T11"], NOW + dt.timedelta(days=5), status=ActivityStatus.PLANNED)
    h.activity(mission, p["T12"], NOW - dt.timedelta(days=200))
    h.activity(mission, p["T21"], NOW - dt.timedelta(days=3), status=ActivityStatus.CANCELLED)
    h.commitment(mission, p["T11"], days(-1), made_on=days(-20))
    h.commitment(mission, p["V111"], days(3), status=CommitmentStatus.IN_PROGRESS)
    h.commitment(mission, p["T11"], days(20), sensitivity=3)
    h.commitment(mission, p["T11"], days(-5), status=CommitmentStatus.DONE, made_on=days(-30))
    h.commitment(mission, p["T11"], days(4), status=CommitmentStatus.CANCELLED)
    project = h.project(mission, p["T12"])
    h.deliverable(project, days(10))
    h.deliverable(project, days(40))
    delivered = h.deliverable(project, days(2))
    delivered.status = DeliverableStatus.DELIVERED
    delivered.save()
    h.deliverable(project, days(-2))
    return {"places": p, "other": other}


def _rows(plan: Any) -> dict[str, PlanRow]:
    return {row.pcode: row for row in plan.rows}


def test_plan_figures_by_hand_for_a_manager(mission: Any, world: Any, member_of: Any) -> None:
    plan = plan_build(membership=member_of(Role.MANAGER), now=NOW, today=TODAY)
    assert plan.level == 2
    assert plan.levels == [0, 1, 2, 3]
    assert plan.coverage_days == 90
    rows = _rows(plan)
    assert [row.pcode for row in plan.rows] == ["T11", "T21", "T12"]
    alpha = rows["T11"]
    assert alpha.last_held == days(-10)
    assert alpha.days_since == 10
    assert alpha.next_planned is not None
    assert alpha.next_planned.date() == days(5)
    assert alpha.open_commitments == 3
    assert alpha.overdue_commitments == 1
    assert alpha.next_due == days(3)
    assert alpha.deliverables_due == 0
    assert not alpha.never_engaged
    assert not alpha.not_engaged
    beta = rows["T12"]
    assert beta.last_held == days(-200)
    assert beta.days_since == 200
    assert beta.not_engaged
    assert not beta.never_engaged
    assert beta.deliverables_due == 1
    assert beta.open_commitments == 0
    gamma = rows["T21"]
    assert gamma.never_engaged
    assert gamma.last_held is None
    assert gamma.days_since is None
    assert gamma.next_planned is not None
    assert gamma.next_planned.date() == days(60)


def test_clearance_hides_confidential_commitments(mission: Any, world: Any, member_of: Any) -> None:
    rows = _rows(plan_build(membership=member_of(Role.OFFICER), now=NOW, today=TODAY))
    assert rows["T11"].open_commitments == 2
    assert rows["T11"].next_due == days(3)


def test_coverage_days_from_the_settings(mission: Any, world: Any, member_of: Any) -> None:
    EngagementSettings.objects.create(mission=mission, coverage_days=7)
    plan = plan_build(membership=member_of(Role.MANAGER), now=NOW, today=TODAY)
    rows = _rows(plan)
    assert plan.coverage_days == 7
    assert rows["T11"].not_engaged  # 10 days > 7
    # Overdue commitments first, then never engaged, then not engaged longest ago first.
    assert [row.pcode for row in plan.rows] == ["T11", "T21", "T12"]


def test_scoped_member_gets_only_their_places(mission: Any, world: Any, member_of: Any) -> None:
    south = h.scope(member_of(Role.OFFICER), world["places"]["P2"])
    plan = plan_build(membership=south, now=NOW, today=TODAY)
    assert [row.pcode for row in plan.rows] == ["T21"]
    assert plan.levels == [1, 2]
    village = h.scope(member_of(Role.OFFICER), world["places"]["V111"])
    plan = plan_build(membership=village, level="2", now=NOW, today=TODAY)
    assert plan.level == 3  # the nearest level with places in the scope
    assert [row.pcode for row in plan.rows] == ["V111"]
    assert plan.rows[0].open_commitments == 1
    assert plan.rows[0].last_held == days(-10)


def test_other_levels(mission: Any, world: Any, member_of: Any) -> None:
    plan = plan_build(membership=member_of(Role.ADMIN), level="1", now=NOW, today=TODAY)
    rows = _rows(plan)
    assert set(rows) == {"P1", "P2"}
    assert rows["P1"].open_commitments == 3
    assert rows["P1"].last_held == days(-10)
    assert rows["P2"].last_held == days(-30)  # the joint activity's main place
    assert not rows["P2"].never_engaged


def test_plan_is_a_fixed_number_of_queries(
    mission: Any, world: Any, member_of: Any, django_assert_max_num_queries: Any
) -> None:
    member = member_of(Role.MANAGER)
    for i in range(5):
        h.unit(mission, f"T1{i + 3}", f"Extra {i}", world["places"]["P1"])
    with django_assert_max_num_queries(10):
        plan = plan_build(membership=member, now=NOW, today=TODAY)
    assert len(plan.rows) == 8


@pytest.mark.parametrize(
    ("requested", "levels", "expected"),
    [
        (None, [0, 1, 2, 3], 2),
        ("", [0, 1], 1),
        ("3", [0, 1, 2, 3], 3),
        ("9", [0, 1, 2], 2),
        ("abc", [1, 3], 1),  # a tie goes to the shallower level
        ("-1", [1, 2], 1),
        (None, [], 2),
    ],
)
def test_choose_level(requested: Any, levels: list[int], expected: int) -> None:
    assert choose_level(requested, levels) == expected


def test_path_helpers() -> None:
    assert path_prefixes("/A/B/C/") == ["/A/", "/A/B/", "/A/B/C/"]
    row = PlanRow(pcode="B", name="B", level=1, path="/A/B/")
    assert row_for("/A/B/C/", {"/A/B/": row}) is row
    assert row_for("/A/BB/", {"/A/B/": row}) is None


def test_sort_rows_most_in_need_first() -> None:
    def row(code: str, **kw: Any) -> PlanRow:
        return PlanRow(pcode=code, name=code, level=2, path=f"/{code}/", **kw)

    rows = [
        row("fine", never_engaged=False, days_since=3),
        row("stale", never_engaged=False, not_engaged=True, days_since=100),
        row("staler", never_engaged=False, not_engaged=True, days_since=300),
        row("never"),
        row("overdue", never_engaged=False, days_since=1, overdue_commitments=2),
        row("due", never_engaged=False, days_since=3, next_due=TODAY),
    ]
    assert [r.pcode for r in sort_rows(rows)] == [
        "overdue",
        "never",
        "staler",
        "stale",
        "due",
        "fine",
    ]


def test_plan_page(mission: Any, world: Any, member_of: Any, client_for: Any) -> None:
    client = client_for(member_of(Role.ANALYST).user)
    url = reverse("engagement:plan", kwargs={"mission_slug": mission.slug})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Never engaged" in html
    assert "Not engaged within 90 days" in html
    assert html.index("Alpha") < html.index("Gamma") < html.index("Beta")
    response = client.get(url, {"level": "1"})
    assert "North" in response.content.decode()
    assert client.get(url, {"level": "<x>"}).status_code == 200
    partner = client_for(member_of(Role.PARTNER).user)
    assert partner.get(url).status_code == 403


def test_plan_page_empty_state(mission: Any, member_of: Any, client_for: Any) -> None:
    client = client_for(member_of(Role.OFFICER).user)
    response = client.get(reverse("engagement:plan", kwargs={"mission_slug": mission.slug}))
    assert response.status_code == 200
    assert "No place is recorded at this level in your area yet." in response.content.decode()


def test_plan_api(
    mission: Any,
    world: Any,
    member_of: Any,
) -> None:
    client = h.api(member_of(Role.LIAISON))
    response = client.get(f"/api/v1/missions/{mission.slug}/engagement/plan")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["level"] == 2
    assert [row["place_code"] for row in body["places"]] == ["T11", "T21", "T12"]
    assert body["places"][0]["overdue_commitments"] == 1
    assert body["places"][1]["never_engaged"] is True
    level = client.get(f"/api/v1/missions/{mission.slug}/engagement/plan", {"level": "1"})
    assert {row["place_code"] for row in level.json()["places"]} == {"P1", "P2"}
