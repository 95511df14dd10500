"""Who sees which case: mission, role, geographic scope and the restricted rule; the board and
notices; the list's query count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from palava.feedback.cases import selectors, services
from palava.feedback.cases.auto import cases_from_triage
from palava.feedback.cases.selectors import CaseFilters
from palava.feedback.models import Case, CaseStatus
from palava.missions.models import Role
from tests.factories import MissionFactory
from tests.feedback.helpers_inbox import ROLES_NOT_RESTRICTED, ROLES_RESTRICTED, member_in
from tests.feedback.test_cases_helpers import T0, Env, make_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def env() -> Env:
    return make_env()


def _refs(cases: Any) -> set[str]:
    return {c.reference for c in cases}


def test_scope_limits_cases_to_the_member_area(env: Env) -> None:
    north = env.alert(unit="north_town")
    south = env.alert(unit="south_town")
    unplaced = services.case_open(mission=env.mission, actor=None, case_type="feedback", title="x")
    north_officer = member_in(env.mission, Role.OFFICER, env.geo.north)
    assert _refs(selectors.cases_visible(north_officer)) == {north.reference}
    assert _refs(selectors.cases_visible(env.duty)) == {
        north.reference,
        south.reference,
        unplaced.reference,
    }
    assert selectors.case_get(membership=north_officer, public_id=south.public_id) is None
    assert selectors.case_get(membership=north_officer, public_id=north.public_id) == north
    assert selectors.case_get(membership=north_officer, public_id="not-a-uuid") is None
    assert selectors.case_timeline(membership=north_officer, case=south) == []
    assert selectors.case_timeline(membership=north_officer, case=north)


@pytest.mark.parametrize("role", ROLES_NOT_RESTRICTED)
def test_restricted_cases_are_hidden_from_roles_without_the_restricted_queue(
    env: Env, role: str
) -> None:
    secret = env.alert(category="sea")
    open_one = env.alert()
    member = member_in(env.mission, role)
    visible = _refs(selectors.cases_visible(member))
    assert secret.reference not in visible
    if role == Role.PARTNER or role == Role.VIEWER:
        assert visible == set()
    else:
        assert open_one.reference in visible


@pytest.mark.parametrize("role", ROLES_RESTRICTED)
def test_restricted_cases_are_shown_to_the_restricted_queue_roles(env: Env, role: str) -> None:
    secret = env.alert(category="sea")
    assert secret.reference in _refs(selectors.cases_visible(member_in(env.mission, role)))


def test_roles_without_case_view_and_other_missions_see_nothing(env: Env) -> None:
    env.alert()
    assert not selectors.cases_visible(member_in(env.mission, Role.PARTNER)).exists()
    other = member_in(MissionFactory(), Role.ADMIN)
    assert not selectors.cases_visible(other).exists()


def test_filters(env: Env) -> None:
    a = env.alert(unit="north_town")
    b = env.alert(unit="south_town", urgency="life_threatening")
    services.case_acknowledge(case=a, actor=env.duty.user)
    lst = selectors.case_list

    def refs(**kw: Any) -> set[str]:
        return _refs(lst(membership=env.manager, filters=CaseFilters(**kw)))

    assert refs(status="acknowledged") == {a.reference}
    assert refs(place="CD20") == {b.reference}
    assert refs(place=env.geo.north) == {a.reference}
    assert refs(urgency="life_threatening") == {b.reference}
    assert refs(team=env.team) == {a.reference}
    assert refs(team=str(env.team.public_id)) == {a.reference}
    assert refs(assignee=env.duty.user) == {a.reference}
    assert refs(query=b.reference) == {b.reference}
    assert refs(query="Uvira") == {b.reference}
    assert refs(open_only=True) == {a.reference, b.reference}
    assert refs(status="overdue") == set()
    assert [
        c.reference for c in lst(membership=env.manager, filters=CaseFilters(sort="oldest"))
    ] == [
        a.reference,
        b.reference,
    ]


def test_case_list_costs_the_same_queries_for_many_cases(
    env: Env, django_assert_num_queries: Any
) -> None:
    for unit in ("north_town", "south_town", "north"):
        env.alert(unit=unit)
    member = env.manager
    selectors.cases_visible(member)  # scope cached on the membership, as in a request

    with django_assert_num_queries(1):
        few = list(selectors.case_list(membership=member))
    for _ in range(10):
        env.alert(unit="south")
    with django_assert_num_queries(1):
        many = list(selectors.case_list(membership=member))
    for case in many:  # everything a list row shows is loaded
        _ = (case.category, case.admin_unit, case.site, case.team, case.assignee, case.reference)
    assert len(many) == len(few) + 10


def test_the_board_groups_open_cases_and_puts_overdue_first(env: Env) -> None:
    with time_machine.travel(T0, tick=False):
        late = env.alert()
        acked = env.alert(unit="south")
        services.case_acknowledge(case=acked, actor=env.duty.user)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        fresh = env.alert(unit="north")
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        board = selectors.board(membership=env.manager)
        mine = selectors.board(membership=env.duty, mine_only=True)
    assert _refs(board.overdue) == {late.reference}
    assert _refs(board.new) == {fresh.reference}
    assert _refs(board.acknowledged) == {acked.reference}
    assert board.in_response == []
    assert board.to_close == []
    assert board.total == 3
    assert _refs(mine.overdue) == {late.reference}  # the south case has no assignee
    assert _refs(mine.new) == {fresh.reference}
    assert mine.total == 2


def test_notices_are_the_member_own_and_hide_cases_out_of_sight(env: Env) -> None:
    south_manager = member_in(env.mission, Role.MANAGER, env.geo.south)
    cases_from_triage([env.message(unit="south_town")], now=timezone.now())
    assert selectors.notification_unread_count(membership=south_manager) == 1
    assert selectors.notification_unread_count(membership=env.duty) == 0
    [notice] = selectors.notifications_for(membership=south_manager)
    assert selectors.notification_latest_unread(membership=south_manager) == notice
    # the manager's area changes: the notice of a case now out of sight is hidden
    from palava.places.services import membership_scope_set

    membership_scope_set(actor=None, membership=south_manager, units=[env.geo.north])
    south_manager = type(south_manager).objects.get(pk=south_manager.pk)
    assert selectors.notifications_for(membership=south_manager) == []
    assert selectors.notification_unread_count(membership=south_manager) == 0


def test_marking_read(env: Env) -> None:
    env.alert()
    env.alert(unit="north")
    assert selectors.notification_unread_count(membership=env.duty) == 2
    first = selectors.notifications_for(membership=env.duty)[0]
    assert (
        services.notification_mark_read(membership=env.duty, actor=env.duty.user, ids=[first.pk])
        == 1
    )
    assert selectors.notification_unread_count(membership=env.duty) == 1
    # somebody else's notice is never touched
    assert services.notification_mark_read(membership=env.lead, actor=env.lead.user) == 0
    assert services.notification_mark_read(membership=env.duty, actor=env.duty.user) == 1
    assert selectors.notifications_for(membership=env.duty, unread_only=True) == []
    assert Case.objects.filter(status=CaseStatus.NEW).count() == 2
