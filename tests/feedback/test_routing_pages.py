"""The routing admin: teams with members, leads and a duty officer; rules in order; SLA policies
next to the defaults; and that what is saved here routes and times the next case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from palava.feedback.cases import services
from palava.feedback.models import AssignmentRule, CaseType, SlaPolicy, Team, TeamMember
from palava.missions.models import Mission, Role
from tests.feedback.helpers_inbox import Geo, client_of, make_geo, member_in, no_two_factor

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def geo(mission: Mission) -> Geo:
    no_two_factor(mission)
    return make_geo(mission)


def _url(geo: Geo, tail: str = "") -> str:
    return f"/m/{geo.mission.slug}/routing/{tail}"


def test_index_shows_defaults_and_empty_states(geo: Geo) -> None:
    body = client_of(member_in(geo.mission, Role.MANAGER)).get(_url(geo)).content.decode()
    assert "No team yet" in body
    assert "No rule: every new case goes to the mission" in body
    # the alert default: 15 min to acknowledge, 2 h to respond
    defaults = body[body.index("Defaults") :]
    row = defaults[defaults.index("Alert") : defaults.index("Alert") + 900]
    assert "15 min" in row
    assert "2 h" in row


def test_officer_may_not_manage_routing(geo: Geo) -> None:
    assert client_of(member_in(geo.mission, Role.OFFICER)).get(_url(geo)).status_code == 403


def test_team_rule_and_sla_saved_here_route_and_time_the_next_case(geo: Geo) -> None:
    manager = member_in(geo.mission, Role.MANAGER)
    duty = member_in(geo.mission, Role.OFFICER)
    lead = member_in(geo.mission, Role.LIAISON)
    client = client_of(manager)
    # a team with a duty officer, a member and a lead
    r = client.post(
        _url(geo, "teams/new/"),
        {
            "name": "JOC Béni",
            "duty_officer": str(duty.user_id),
            "members": [str(duty.user_id)],
            "leads": [str(lead.user_id)],
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    team = Team.objects.get(mission=geo.mission, name="JOC Béni")
    assert team.duty_officer_id == duty.user_id
    rows = {m.user_id: m.is_lead for m in TeamMember.objects.filter(team=team)}
    assert rows == {duty.user_id: False, lead.user_id: True}
    # a rule for alerts in the north
    r = client.post(
        _url(geo, "rules/new/"),
        {
            "name": "North alerts",
            "order": "10",
            "place": "CD10",
            "case_type": "alert",
            "team": str(team.public_id),
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    rule = AssignmentRule.objects.get(mission=geo.mission)
    assert rule.admin_unit == geo.north
    # an SLA of 5 min for alerts
    r = client.post(
        _url(geo, "sla/new/"),
        {
            "case_type": "alert",
            "urgency": "",
            "acknowledge_minutes": "5",
            "respond_minutes": "60",
            "repeat_minutes": "5",
        },
    )
    assert r.status_code == 302
    index = client.get(_url(geo)).content.decode()
    assert "JOC Béni" in index
    assert "North alerts" in index
    assert "overridden" in index  # the alert default is overridden by the mission's policy
    # then the next northern alert goes to the duty officer with the mission's deadline
    with time_machine.travel(T0, tick=False):
        case = services.case_open(
            mission=geo.mission,
            actor="test",
            case_type=CaseType.ALERT,
            title="Shots",
            admin_unit=geo.north_town,
        )
    assert case.team == team
    assert case.assignee_id == duty.user_id
    assert case.acknowledge_due_at == T0 + timedelta(minutes=5)


def test_edit_team_removes_members_and_changes_leads(geo: Geo) -> None:
    manager = member_in(geo.mission, Role.MANAGER)
    a = member_in(geo.mission, Role.OFFICER)
    b = member_in(geo.mission, Role.OFFICER)
    client = client_of(manager)
    client.post(
        _url(geo, "teams/new/"),
        {"name": "Field", "members": [str(a.user_id), str(b.user_id)], "is_active": "on"},
    )
    team = Team.objects.get(name="Field")
    page = client.get(_url(geo, f"teams/{team.public_id}/")).content.decode()
    assert 'value="Field"' in page
    client.post(
        _url(geo, f"teams/{team.public_id}/"),
        {"name": "Field office", "leads": [str(a.user_id)], "is_active": "on"},
    )
    team.refresh_from_db()
    assert team.name == "Field office"
    assert {m.user_id: m.is_lead for m in TeamMember.objects.filter(team=team)} == {a.user_id: True}


def test_invalid_sla_and_duplicate_are_refused(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.ADMIN))
    bad = client.post(
        _url(geo, "sla/new/"),
        {
            "case_type": "alert",
            "acknowledge_minutes": "30",
            "respond_minutes": "10",
            "repeat_minutes": "5",
        },
    )
    assert bad.status_code == 400
    assert "cannot be shorter" in bad.content.decode()
    ok = {
        "case_type": "request",
        "acknowledge_minutes": "60",
        "respond_minutes": "600",
        "repeat_minutes": "30",
    }
    assert client.post(_url(geo, "sla/new/"), ok).status_code == 302
    again = client.post(_url(geo, "sla/new/"), ok)
    assert again.status_code == 400
    assert SlaPolicy.objects.filter(mission=geo.mission).count() == 1
    policy = SlaPolicy.objects.get(mission=geo.mission)
    assert client.post(_url(geo, f"sla/{policy.public_id}/delete/")).status_code == 302
    assert not SlaPolicy.objects.filter(mission=geo.mission).exists()


def test_rule_delete_and_another_missions_rule_is_404(geo: Geo, mission: Mission) -> None:
    from tests.factories import MissionFactory

    client = client_of(member_in(geo.mission, Role.MANAGER))
    team = services.team_save(mission=geo.mission, actor="test", name="T")
    rule = services.rule_save(mission=geo.mission, actor="test", name="All", team=team)
    other = MissionFactory()
    other_team = services.team_save(mission=other, actor="test", name="T")
    other_rule = services.rule_save(mission=other, actor="test", name="All", team=other_team)
    assert client.get(_url(geo, f"rules/{other_rule.public_id}/")).status_code == 404
    assert client.post(_url(geo, f"rules/{rule.public_id}/delete/")).status_code == 302
    assert not AssignmentRule.objects.filter(pk=rule.pk).exists()
