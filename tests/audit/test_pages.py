"""The audit browser: scoped to the mission, filters that filter, pages, chain check."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from palava.audit.models import AuditEvent
from palava.audit.selectors import audit_actions_for_mission, audit_events_for_mission
from palava.audit.services import audit_record
from palava.missions.models import Membership, Mission, Role
from tests.core.test_pages import assert_security_headers
from tests.factories import MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[object], Client]
MemberOf = Callable[..., Membership]


def record(*, mission: Mission, actor: object, action: str, object_id: str = "") -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=actor, action=action, mission=mission, object_id=object_id)


def set_time(event: AuditEvent, when: datetime.datetime) -> None:
    """Move an event in time below the application (the table refuses UPDATE by trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(
                "UPDATE audit_auditevent SET occurred_at = %s WHERE id = %s", [when, event.id]
            )
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
            cursor.execute(
                "UPDATE audit_auditevent SET occurred_at = %s WHERE id = %s",
                [when.astimezone(datetime.UTC).isoformat(sep=" "), event.id],
            )


def rows(body: str) -> int:
    return body.count("<tr>") - 1  # minus the header row


@pytest.fixture
def manager(member_of: MemberOf) -> Membership:
    return member_of(Role.MANAGER)


def test_non_member_gets_404_and_member_without_permission_403(
    client_for: ClientFor, member_of: MemberOf, mission: Mission
) -> None:
    outsider = MembershipFactory(role=Role.ADMIN).user
    officer = member_of(Role.OFFICER).user
    not_found = client_for(outsider).get(f"/m/{mission.slug}/audit/")
    denied = client_for(officer).get(f"/m/{mission.slug}/audit/")
    assert not_found.status_code == 404
    assert denied.status_code == 403
    assert_security_headers(not_found)
    assert_security_headers(denied)


def test_list_shows_only_this_missions_events(
    client_for: ClientFor, manager: Membership, mission: Mission
) -> None:
    # given activity in this mission and another
    other = MissionFactory()
    record(mission=other, actor=manager.user, action="secret.elsewhere")
    record(mission=mission, actor=manager.user, action="thing.here")
    # when the manager opens the audit browser
    response = client_for(manager.user).get(f"/m/{mission.slug}/audit/")
    body = response.content.decode()
    # then this mission's events appear and the other mission's do not
    assert response.status_code == 200
    assert_security_headers(response)
    assert "thing.here" in body
    assert "secret.elsewhere" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "case.open"}, {"A-1", "A-2"}),
        ({"actor": "ZAINAB"}, {"A-2", "A-3"}),
        ({"object_id": "A-3"}, {"A-3"}),
        ({"action": "case.open", "actor": "zainab"}, {"A-2"}),
        ({"date_from": "2026-03-02"}, {"A-2", "A-3"}),
        ({"date_to": "2026-03-01"}, {"A-1"}),
        ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, {"A-2"}),
    ],
)
def test_filters_narrow_the_results(
    client_for: ClientFor,
    manager: Membership,
    mission: Mission,
    params: dict[str, str],
    expected: set[str],
) -> None:
    # given three events by two people on three days (mission time zone Africa/Lubumbashi)
    zainab = UserFactory(username="zainab")
    tz = datetime.timezone(datetime.timedelta(hours=2))
    events = {
        "A-1": record(mission=mission, actor=manager.user, action="case.open", object_id="A-1"),
        "A-2": record(mission=mission, actor=zainab, action="case.open", object_id="A-2"),
        "A-3": record(mission=mission, actor=zainab, action="case.close", object_id="A-3"),
    }
    # 23:30 local on 1 March is 21:30 UTC: it must count as 1 March, not 2 March
    set_time(events["A-1"], datetime.datetime(2026, 3, 1, 23, 30, tzinfo=tz))
    set_time(events["A-2"], datetime.datetime(2026, 3, 2, 0, 30, tzinfo=tz))
    set_time(events["A-3"], datetime.datetime(2026, 3, 3, 12, 0, tzinfo=tz))
    # when the manager filters
    body = client_for(manager.user).get(f"/m/{mission.slug}/audit/", params).content.decode()
    # then exactly the matching events are listed
    shown = {key for key in events if f">{key}<" in body}
    assert shown == expected


def test_invalid_date_range_shows_error_and_does_not_crash(
    client_for: ClientFor, manager: Membership, mission: Mission
) -> None:
    response = client_for(manager.user).get(
        f"/m/{mission.slug}/audit/", {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()


def test_htmx_request_gets_only_the_results_partial(
    client_for: ClientFor, manager: Membership, mission: Mission
) -> None:
    # given an htmx request swapping the results
    response = client_for(manager.user).get(
        f"/m/{mission.slug}/audit/",
        {"action": "membership.create"},
        headers={"HX-Request": "true", "HX-Target": "audit-results"},
    )
    body = response.content.decode()
    # then the fragment comes back without the layout, with the filtered rows
    assert response.status_code == 200
    assert "<html" not in body
    assert "membership.create" in body
    assert "mission.create" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_plain_request_gets_full_page(
    client_for: ClientFor, manager: Membership, mission: Mission
) -> None:
    body = client_for(manager.user).get(f"/m/{mission.slug}/audit/").content.decode()
    assert "<html" in body
    assert 'id="audit-results"' in body


def test_list_paginates_fifty_per_page(
    client_for: ClientFor,
    manager: Membership,
    mission: Mission,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given 120 events with the same action
    for n in range(120):
        record(mission=mission, actor=manager.user, action="bulk.thing", object_id=f"n{n}")
    client = client_for(manager.user)
    # when the pages are requested
    with django_assert_max_num_queries(10):
        first = client.get(f"/m/{mission.slug}/audit/", {"action": "bulk.thing"})
    last = client.get(f"/m/{mission.slug}/audit/", {"action": "bulk.thing", "page": "3"})
    # then 50, 50 and 20 rows, newest first, and the links keep the filter
    first_body, last_body = first.content.decode(), last.content.decode()
    assert rows(first_body) == 50
    assert rows(last_body) == 20
    assert ">n119<" in first_body
    assert ">n0<" in last_body
    assert "action=bulk.thing&amp;page=2" in first_body
    assert "Page 1 of 3" in first_body


def test_chain_check_runs_only_on_request(
    client_for: ClientFor,
    manager: Membership,
    mission: Mission,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(manager.user)
    # when the page is opened, the chain is not verified
    body = client.get(f"/m/{mission.slug}/audit/").content.decode()
    assert "The audit trail is intact" not in body
    # when the button is pressed (POST), the result is shown
    response = client.post(f"/m/{mission.slug}/audit/verify/")
    assert response.status_code == 200
    assert "The audit trail is intact" in response.content.decode()
    assert_security_headers(response)
    # and a GET does not run it
    assert client.get(f"/m/{mission.slug}/audit/verify/").status_code == 405


def test_chain_check_reports_tampering(
    client_for: ClientFor, manager: Membership, mission: Mission
) -> None:
    # given a row changed below the application
    event = record(mission=mission, actor=manager.user, action="thing.done")
    set_time(event, timezone.now() - datetime.timedelta(days=3))
    # when the chain is checked through the page (htmx)
    response = client_for(manager.user).post(
        f"/m/{mission.slug}/audit/verify/",
        headers={"HX-Request": "true", "HX-Target": "audit-verify"},
    )
    body = response.content.decode()
    # then the fragment names the broken event
    assert "<html" not in body
    assert "tampered with" in body
    assert f"event number {event.id} " in body


def test_chain_check_needs_audit_permission(
    client_for: ClientFor, member_of: MemberOf, mission: Mission
) -> None:
    officer = member_of(Role.OFFICER)
    response = client_for(officer.user).post(f"/m/{mission.slug}/audit/verify/")
    assert response.status_code == 403


def test_selectors_return_nothing_to_user_without_audit_permission(
    member_of: MemberOf, mission: Mission
) -> None:
    # given an officer (no audit.view) and a user outside the mission
    officer = member_of(Role.OFFICER).user
    outsider = UserFactory()
    # then the selectors give them nothing, even when called directly
    for user in (officer, outsider):
        assert not audit_events_for_mission(mission=mission, user=user).exists()
        assert audit_actions_for_mission(mission=mission, user=user) == []


def test_selector_lists_actions_of_this_mission(manager: Membership, mission: Mission) -> None:
    MissionFactory()
    record(mission=mission, actor=manager.user, action="zeta.thing")
    actions = audit_actions_for_mission(mission=mission, user=manager.user)
    assert actions == ["membership.create", "mission.create", "zeta.thing"]
