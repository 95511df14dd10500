"""Routing rules, SLA defaults and overrides, and the audited routing administration."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from palava.audit.models import AuditEvent
from palava.feedback.cases import services
from palava.feedback.cases.routing import managers_in_scope, route
from palava.feedback.cases.sla import DEFAULT_SLA, sla_for
from palava.feedback.models import Case, Team
from palava.missions.models import Role
from tests.factories import MissionFactory
from tests.feedback.helpers_inbox import member_in
from tests.feedback.test_cases_helpers import Env, make_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def env() -> Env:
    return make_env(with_rule=False)


def _case(env: Env, **kwargs: Any) -> Case:
    message = env.message(**kwargs)
    return services.case_open_from_message(message=message, actor=None)


def _team(env: Env, name: str) -> Team:
    officer = member_in(env.mission, Role.OFFICER)
    return services.team_save(mission=env.mission, actor=None, name=name, duty_officer=officer.user)


def test_the_first_matching_rule_by_order_wins_and_matches_areas_inside(env: Env) -> None:
    protection = _team(env, "Protection")
    north = _team(env, "North")
    services.rule_save(
        mission=env.mission,
        actor=None,
        name="North",
        team=north,
        admin_unit=env.geo.north,
        order=20,
    )
    services.rule_save(
        mission=env.mission,
        actor=None,
        name="SEA",
        team=protection,
        category=env.cats["sea"],
        order=10,
    )
    case = _case(env, unit="north_town")
    assert (case.team, case.assignee) == (north, north.duty_officer)
    sea = _case(env, unit="north_town", category="sea")
    assert sea.team == protection
    south = _case(env, unit="south_town")
    assert route(south) == (None, None)


def test_a_category_rule_matches_sub_categories_and_min_urgency_matches_more_urgent(
    env: Env,
) -> None:
    needs = _team(env, "Needs")
    services.rule_save(
        mission=env.mission,
        actor=None,
        name="Needs",
        team=needs,
        category=env.cats["need"],
        min_urgency="urgent",
    )
    assert _case(env, category="need_water", urgency="urgent").team == needs
    assert _case(env, category="need_food", urgency="life_threatening").team == needs
    assert _case(env, category="need_food", urgency="routine").team is None
    assert _case(env, category="rumour", urgency="urgent").team is None


def test_named_assignee_inactive_rules_and_inactive_teams(env: Env) -> None:
    team = _team(env, "JOC")
    services.rule_save(
        mission=env.mission,
        actor=None,
        name="Off",
        team=team,
        order=1,
        case_type="alert",
        assignee=env.lead.user,
        is_active=False,
    )
    services.rule_save(
        mission=env.mission,
        actor=None,
        name="Alerts",
        team=team,
        order=2,
        case_type="alert",
        assignee=env.member.user,
    )
    case = _case(env)
    assert (case.team, case.assignee) == (team, env.member.user)
    services.team_save(mission=env.mission, actor=None, team=team, name="JOC", is_active=False)
    assert route(_case(env)) == (None, None)


def test_managers_in_scope(env: Env) -> None:
    south = member_in(env.mission, Role.MANAGER, env.geo.south)
    member_in(env.mission, Role.OFFICER)
    paths = {
        "south": env.geo.south_town.path,
        "north": env.geo.north_town.path,
        "none": "",
    }
    assert set(managers_in_scope(env.mission.pk, paths["south"])) == {env.manager.user, south.user}
    assert set(managers_in_scope(env.mission.pk, paths["north"])) == {env.manager.user}
    assert set(managers_in_scope(env.mission.pk, paths["none"])) == {env.manager.user}


def test_sla_defaults_and_overrides() -> None:
    mission = MissionFactory()
    assert sla_for(mission, "alert", "urgent") == (15, 120, 15)
    assert sla_for(mission, "alert", "") == (15, 120, 15)
    assert sla_for(mission, "complaint", "life_threatening") == (15, 120, 15)
    assert sla_for(mission, "feedback", "routine") == DEFAULT_SLA[("feedback", "")]
    services.sla_policy_save(
        mission=mission,
        actor=None,
        case_type="request",
        acknowledge_minutes=60,
        respond_minutes=600,
        repeat_minutes=60,
    )
    assert sla_for(mission, "request", "urgent") == (60, 600, 60)
    services.sla_policy_save(
        mission=mission,
        actor=None,
        case_type="request",
        urgency="urgent",
        acknowledge_minutes=20,
        respond_minutes=200,
        repeat_minutes=20,
    )
    assert sla_for(mission, "request", "urgent") == (20, 200, 20)
    assert sla_for(mission, "request", "routine") == (60, 600, 60)
    assert sla_for(MissionFactory(), "request", "urgent") == DEFAULT_SLA[("request", "urgent")]


def test_sla_policy_validation() -> None:
    mission = MissionFactory()
    with pytest.raises(ValidationError):
        services.sla_policy_save(
            mission=mission,
            actor=None,
            case_type="alert",
            acknowledge_minutes=0,
            respond_minutes=10,
            repeat_minutes=5,
        )
    with pytest.raises(ValidationError):
        services.sla_policy_save(
            mission=mission,
            actor=None,
            case_type="alert",
            acknowledge_minutes=30,
            respond_minutes=10,
            repeat_minutes=5,
        )
    services.sla_policy_save(
        mission=mission,
        actor=None,
        case_type="alert",
        acknowledge_minutes=10,
        respond_minutes=60,
        repeat_minutes=5,
    )
    with pytest.raises(ValidationError, match="exists already"):
        services.sla_policy_save(
            mission=mission,
            actor=None,
            case_type="alert",
            acknowledge_minutes=10,
            respond_minutes=60,
            repeat_minutes=5,
        )


def test_routing_admin_checks_the_mission_and_is_audited(env: Env) -> None:
    other = make_env(MissionFactory())
    stranger = member_in(other.mission, Role.OFFICER)
    with pytest.raises(ValidationError):
        services.team_save(mission=env.mission, actor=None, name="X", duty_officer=stranger.user)
    with pytest.raises(ValidationError):
        services.rule_save(mission=env.mission, actor=None, name="X", team=other.team)
    with pytest.raises(ValidationError):
        services.rule_save(
            mission=env.mission, actor=None, name="X", team=env.team, admin_unit=other.geo.north
        )
    with pytest.raises(ValidationError):
        services.team_member_set(team=env.team, actor=None, user=stranger.user)
    rule = services.rule_save(mission=env.mission, actor=env.manager.user, name="R", team=env.team)
    services.rule_delete(rule=rule, actor=env.manager.user)
    assert services.team_member_remove(team=env.team, actor=None, user=env.member.user)
    assert not services.team_member_remove(team=env.team, actor=None, user=env.member.user)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "team.save",
        "team.member_set",
        "rule.save",
        "rule.delete",
        "team.member_remove",
    } <= actions
