"""Mission pages: overview and members, with the role checks a user would notice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from palava.missions.models import Membership, Mission, Role
from tests.core.test_pages import assert_security_headers
from tests.factories import MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[object], Client]
MemberOf = Callable[..., Membership]


@pytest.mark.parametrize("page", ["", "members/"])
def test_non_member_gets_404(client_for: ClientFor, mission: Mission, page: str) -> None:
    # given a user who is a manager elsewhere but not in this mission
    outsider = MembershipFactory(role=Role.MANAGER).user
    # when they open one of the mission's pages
    response = client_for(outsider).get(f"/m/{mission.slug}/{page}")
    # then the mission's existence is not revealed
    assert response.status_code == 404
    assert_security_headers(response)


def test_unknown_mission_gets_404(client_for: ClientFor) -> None:
    response = client_for(UserFactory()).get("/m/no-such-mission/")
    assert response.status_code == 404


def test_suspended_member_gets_404(client_for: ClientFor, member_of: MemberOf) -> None:
    membership = member_of(Role.MANAGER, is_active=False)
    response = client_for(membership.user).get(f"/m/{membership.mission.slug}/")
    assert response.status_code == 404


def test_overview_shows_mission_facts_and_role(
    client_for: ClientFor, member_of: MemberOf, mission: Mission
) -> None:
    # given an officer of the mission, two liaison assistants and a suspended member
    officer = member_of(Role.OFFICER)
    member_of(Role.LIAISON)
    member_of(Role.LIAISON)
    member_of(Role.ANALYST, is_active=False)
    # when the officer opens the overview
    response = client_for(officer.user).get(f"/m/{mission.slug}/")
    body = response.content.decode()
    # then they see the mission, their role and the active members by role
    assert response.status_code == 200
    assert_security_headers(response)
    assert mission.name in body
    assert mission.country in body
    assert mission.time_zone in body
    assert "Français" in body
    assert "Civil affairs officer" in body
    assert "3 active members in total." in body
    assert "Analyst" not in body
    # and no audit events, which an officer may not see
    assert "Recent activity" not in body
    assert "membership.create" not in body


def test_overview_shows_recent_audit_events_to_manager(
    client_for: ClientFor, member_of: MemberOf, mission: Mission
) -> None:
    # given a manager, and activity in another mission
    manager = member_of(Role.MANAGER)
    MissionFactory(slug="other-mission")
    # when they open the overview
    body = client_for(manager.user).get(f"/m/{mission.slug}/").content.decode()
    # then they see this mission's recent activity only
    assert "Recent activity" in body
    assert "membership.create" in body
    assert "mission.create" in body
    assert "other-mission" not in body


@pytest.mark.parametrize(
    ("role", "links", "hidden"),
    [
        (Role.ADMIN, ["Members", "Audit"], []),
        (Role.MANAGER, ["Members", "Audit"], []),
        (Role.OFFICER, [], ["Members", "Audit"]),
        (Role.VIEWER, [], ["Members", "Audit"]),
    ],
)
def test_navigation_shows_only_links_the_role_allows(
    client_for: ClientFor,
    member_of: MemberOf,
    mission: Mission,
    role: str,
    links: list[str],
    hidden: list[str],
) -> None:
    membership = member_of(role)
    body = client_for(membership.user).get(f"/m/{mission.slug}/").content.decode()
    for label, url in (("Members", "members/"), ("Audit", "audit/")):
        link = f'href="/m/{mission.slug}/{url}"'
        if label in links:
            assert link in body
        if label in hidden:
            assert link not in body


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LIAISON, Role.ANALYST, Role.VIEWER])
def test_member_without_permission_gets_403_on_members(
    client_for: ClientFor, member_of: MemberOf, mission: Mission, role: str
) -> None:
    membership = member_of(role)
    response = client_for(membership.user).get(f"/m/{mission.slug}/members/")
    assert response.status_code == 403
    assert "You are not allowed to see this page" in response.content.decode()
    assert_security_headers(response)


def test_members_page_lists_members_with_role_and_status(
    client_for: ClientFor, member_of: MemberOf, mission: Mission
) -> None:
    # given a manager, an officer and a suspended partner
    manager = member_of(Role.MANAGER, user=UserFactory(username="amina"))
    member_of(Role.OFFICER, user=UserFactory(username="bakary"))
    member_of(Role.PARTNER, user=UserFactory(username="chantal"), is_active=False)
    MembershipFactory(user=UserFactory(username="outsider"))
    # when the manager opens the members page
    response = client_for(manager.user).get(f"/m/{mission.slug}/members/")
    body = response.content.decode()
    # then each member appears with role and status, and no one from another mission
    assert response.status_code == 200
    assert_security_headers(response)
    for text in ("amina", "bakary", "chantal", "Civil affairs officer", "Partner", "Suspended"):
        assert text in body
    assert "outsider" not in body


def test_members_page_query_count_does_not_grow_with_members(
    client_for: ClientFor,
    member_of: MemberOf,
    mission: Mission,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given a manager and forty other members
    manager = member_of(Role.MANAGER)
    for _ in range(40):
        member_of(Role.LIAISON)
    client = client_for(manager.user)
    # when the page is rendered, the number of queries stays small and fixed
    with django_assert_max_num_queries(8):
        response = client.get(f"/m/{mission.slug}/members/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 42
