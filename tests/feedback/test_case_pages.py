"""Case pages: the list (filters, pages, scope), a case's page (state, clocks, action forms by
state, timeline, joined messages), walking the chain through the forms, opening a case from a
message, and the message page's case block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palava.feedback.cases import services
from palava.feedback.models import Case, CaseEvent, CaseStatus, CaseType, Message
from palava.missions.models import Mission, Role
from palava.places.models import AdminUnit
from tests.feedback.helpers_inbox import (
    Geo,
    categories,
    client_of,
    make_channel,
    make_geo,
    make_message,
    member_in,
    no_two_factor,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def geo(mission: Mission) -> Geo:
    no_two_factor(mission)
    return make_geo(mission)


def open_case(
    geo: Geo, *, unit: object = None, title: str = "Shots near the market", **kw: object
) -> Case:
    return services.case_open(
        mission=geo.mission,
        actor="test",
        case_type=cast(str, kw.pop("case_type", CaseType.ALERT)),
        title=title,
        admin_unit=cast(AdminUnit, unit if unit is not None else geo.north_town),
        **kw,  # type: ignore[arg-type]
    )


def _url(geo: Geo, case: Case, tail: str = "") -> str:
    return f"/m/{geo.mission.slug}/cases/{case.public_id}/{tail}"


def _list(geo: Geo) -> str:
    return f"/m/{geo.mission.slug}/cases/"


# --- List ------------------------------------------------------------------------------------


def test_list_shows_cases_in_scope_only_and_empty_state(geo: Geo) -> None:
    officer = member_in(geo.mission, Role.OFFICER, geo.north)
    client = client_of(officer)
    # given no case / then the empty state explains where cases come from
    body = client.get(_list(geo)).content.decode()
    assert "No cases yet." in body
    # given a case in the north, one in the south and a restricted one in the north
    north = open_case(geo, title="Shots near the market")
    open_case(geo, unit=geo.south_town, title="Cattle raid in the south")
    open_case(geo, title="Protection matter", case_type=CaseType.COMPLAINT)
    Case.objects.filter(title="Protection matter").update(is_restricted=True)
    # when the northern officer lists cases
    body = client.get(_list(geo)).content.decode()
    # then only the visible northern case is listed
    assert north.reference in body
    assert "Shots near the market" in body
    assert "Cattle raid" not in body
    assert "Protection matter" not in body
    assert "1 case found." in body


def test_list_filters_by_status_type_and_overdue(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.MANAGER))
    with time_machine.travel(T0, tick=False):
        late = open_case(geo, title="Late alert")
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        fresh = open_case(geo, title="Fresh request", case_type=CaseType.REQUEST)
        services.case_acknowledge(case=fresh, actor="test")
        # the alert opened 30 min ago is past its 15 min acknowledgement deadline
        overdue = client.get(_list(geo) + "?overdue=yes").content.decode()
        acked = client.get(_list(geo) + "?status=acknowledged").content.decode()
        requests = client.get(_list(geo) + "?case_type=request").content.decode()
        everything = client.get(_list(geo)).content.decode()
    assert "Late alert" in overdue
    assert "Fresh request" not in overdue
    assert "Overdue by 15 min" in overdue
    assert "Fresh request" in acked
    assert "Late alert" not in acked
    assert "Fresh request" in requests
    assert "Late alert" not in requests
    assert late.reference in everything
    assert fresh.reference in everything


def test_list_paginates_and_htmx_gets_only_the_results(geo: Geo) -> None:
    for n in range(27):
        open_case(geo, title=f"Case number {n}")
    client = client_of(member_in(geo.mission, Role.OFFICER))
    first = client.get(_list(geo)).content.decode()
    assert "27 cases found." in first
    assert "Page 1 of 2" in first
    second = client.get(
        _list(geo) + "?page=2", headers={"HX-Request": "true", "HX-Target": "case-results"}
    ).content.decode()
    assert "Page 2 of 2" in second
    assert "<html" not in second  # the fragment only
    assert second.count("case-row") + second.count("<tr") >= 2


def test_list_query_count_does_not_grow_with_rows(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.OFFICER))
    for n in range(3):
        open_case(geo, title=f"Few {n}")
    with CaptureQueriesContext(connection) as few:
        client.get(_list(geo))
    for n in range(12):
        open_case(geo, title=f"Many {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(_list(geo))
    assert len(many) == len(few)


# --- Detail ----------------------------------------------------------------------------------


def test_detail_shows_state_clocks_and_only_the_acknowledge_action_when_new(geo: Geo) -> None:
    with time_machine.travel(T0, tick=False):
        case = open_case(geo)
    client = client_of(member_in(geo.mission, Role.OFFICER))
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        body = client.get(_url(geo, case)).content.decode()
    assert case.reference in body
    assert "Due in 10 min" in body  # 15 min to acknowledge, 5 gone
    assert "Due in 1 h 55 min" in body  # 2 h to respond
    assert _url(geo, case, "acknowledge/") in body
    assert _url(geo, case, "verify/") not in body
    assert _url(geo, case, "resolve/") not in body
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        late = client.get(_url(geo, case)).content.decode()
    assert "Overdue by 25 min" in late


def test_analyst_reads_the_case_without_action_forms(geo: Geo) -> None:
    case = open_case(geo)
    body = client_of(member_in(geo.mission, Role.ANALYST)).get(_url(geo, case)).content.decode()
    assert case.reference in body
    assert _url(geo, case, "acknowledge/") not in body
    assert (
        client_of(member_in(geo.mission, Role.ANALYST))
        .post(_url(geo, case, "acknowledge/"))
        .status_code
        == 403
    )


def test_case_outside_scope_or_restricted_is_404(geo: Geo) -> None:
    south = open_case(geo, unit=geo.south_town)
    restricted = open_case(geo, case_type=CaseType.COMPLAINT)
    Case.objects.filter(pk=restricted.pk).update(is_restricted=True)
    north_officer = client_of(member_in(geo.mission, Role.OFFICER, geo.north))
    assert north_officer.get(_url(geo, south)).status_code == 404
    assert north_officer.get(_url(geo, restricted)).status_code == 404
    assert north_officer.post(_url(geo, south, "acknowledge/")).status_code == 404
    manager = client_of(member_in(geo.mission, Role.MANAGER))
    assert manager.get(_url(geo, restricted)).status_code == 200


def test_walk_the_chain_through_the_forms(geo: Geo) -> None:
    with time_machine.travel(T0, tick=False):
        case = open_case(geo)
    officer = member_in(geo.mission, Role.OFFICER)
    client = client_of(officer)
    with time_machine.travel(T0 + timedelta(minutes=7), tick=False):
        r = client.post(_url(geo, case, "acknowledge/"), {"note": "On it"})
        assert r.status_code == 302
        r = client.post(
            _url(geo, case, "verify/"),
            {"decision": "verified", "source_reliability": "B", "credibility": "2"},
        )
        assert r.status_code == 302
    with time_machine.travel(T0 + timedelta(minutes=50), tick=False):
        r = client.post(
            _url(geo, case, "responses/"),
            {
                "responder_type": "mission_police",
                "responder_name": "FPU Béni",
                "action": "Patrol sent to the market",
                "outcome": "effective",
            },
        )
        assert r.status_code == 302
        assert client.post(_url(geo, case, "resolve/"), {"note": "Calm again"}).status_code == 302
        assert client.post(_url(geo, case, "inform/"), {}).status_code == 302
        assert client.post(_url(geo, case, "close/"), {}).status_code == 302
        body = client.get(_url(geo, case)).content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.acknowledged_at == T0 + timedelta(minutes=7)
    assert case.response_dispatched_at == T0 + timedelta(minutes=50)
    assert case.source_reliability == "B"
    assert case.credibility == "2"
    # the page shows the grades, the response, and the timeline oldest first with who
    assert "B: usually reliable" in body
    assert "2: probably true" in body
    assert "Patrol sent to the market" in body
    assert "FPU Béni" in body
    timeline = body[body.index('id="timeline-heading"') :]
    assert timeline.index("Opened") < timeline.index("On it") < timeline.index("Calm again")
    assert officer.user.get_username() in timeline
    assert "Met" in body  # both deadlines were met
    assert _url(geo, case, "acknowledge/") not in body  # nothing more to do on a closed case
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[0] == "created"
    assert "response" in kinds


def test_a_refused_move_shows_the_error_and_changes_nothing(geo: Geo) -> None:
    case = open_case(geo)
    client = client_of(member_in(geo.mission, Role.OFFICER))
    r = client.post(_url(geo, case, "close/"), {})
    assert r.status_code == 400
    assert 'role="alert"' in r.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_response_in_the_future_is_refused(geo: Geo) -> None:
    with time_machine.travel(T0, tick=False):
        case = open_case(geo)
        services.case_acknowledge(case=case, actor="test")
        r = client_of(member_in(geo.mission, Role.OFFICER)).post(
            _url(geo, case, "responses/"),
            {
                "responder_type": "partner",
                "action": "Food delivered",
                "outcome": "unknown",
                "responded_at": "2026-11-03T08:00",
            },
        )
    assert r.status_code == 400
    assert "cannot be in the future" in r.content.decode()
    case.refresh_from_db()
    assert case.response_dispatched_at is None


def test_note_incident_and_assignment_appear_on_the_page(geo: Geo) -> None:
    case = open_case(geo)
    officer = member_in(geo.mission, Role.OFFICER)
    client = client_of(officer)
    assert client.post(_url(geo, case, "notes/"), {"note": "Called the chief"}).status_code == 302
    r = client.post(
        _url(geo, case, "incidents/"),
        {"source": "ACLED", "reference": "DRC12345", "description": "Clash reported"},
    )
    assert r.status_code == 302
    r = client.post(_url(geo, case, "assign/"), {"team": "", "assignee": str(officer.user_id)})
    assert r.status_code == 302
    body = client.get(_url(geo, case)).content.decode()
    assert "Called the chief" in body
    assert "DRC12345" in body
    assert "Clash reported" in body
    assert f"Assigned to {officer.user.get_username()}" in body


# --- Messages and opening a case by hand -----------------------------------------------------


def test_open_a_case_from_a_message_and_the_message_page_links_it(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission, name="SMS line")
    message = make_message(
        channel,
        "The water pump in Béni is broken",
        unit=geo.north_town,
        category=cats["need_water"],
        urgency="routine",
    )
    client = client_of(member_in(geo.mission, Role.LIAISON))
    page = client.get(f"/m/{geo.mission.slug}/messages/{message.public_id}/").content.decode()
    assert "Open a case" in page
    form = client.get(f"/m/{geo.mission.slug}/cases/new/?message={message.public_id}")
    assert "The water pump in Béni is broken" in form.content.decode()
    r = client.post(
        f"/m/{geo.mission.slug}/cases/new/",
        {"message": str(message.public_id), "case_type": "request", "title": "x"},
    )
    assert r.status_code == 302
    case = Case.objects.get(mission=geo.mission)
    assert r["Location"] == _url(geo, case)
    assert case.case_type == CaseType.REQUEST
    assert case.admin_unit == geo.north_town
    page = client.get(f"/m/{geo.mission.slug}/messages/{message.public_id}/").content.decode()
    assert "This message is in case" in page
    assert case.reference in page
    # the case page shows the message's body to someone who may see it
    assert "The water pump in Béni is broken" in client.get(_url(geo, case)).content.decode()


def test_open_a_case_by_hand_without_a_message(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.OFFICER))
    r = client.post(
        f"/m/{geo.mission.slug}/cases/new/",
        {"case_type": "feedback", "title": "Chief asks for a meeting", "place": "CD1001"},
    )
    assert r.status_code == 302
    case = Case.objects.get(mission=geo.mission)
    assert case.title == "Chief asks for a meeting"
    assert case.admin_unit == geo.north_town
    bad = client.post(f"/m/{geo.mission.slug}/cases/new/", {"case_type": "feedback"})
    assert bad.status_code == 400


def test_joined_restricted_message_body_hidden_from_officer(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    shown = make_message(channel, "Shooting heard at the market", unit=geo.north_town)
    hidden = make_message(
        channel, "A soldier abused a girl secretword", unit=geo.north_town, category=cats["gbv"]
    )
    case = open_case(geo, messages=[shown])
    # an attach through the model layer is what a manager would do; the case stays visible
    Message.objects.filter(pk=hidden.pk)  # (restricted message)
    services.case_attach_messages(case=case, messages=[hidden], actor="test")
    Case.objects.filter(pk=case.pk).update(is_restricted=False)
    officer_body = client_of(member_in(geo.mission, Role.OFFICER)).get(_url(geo, case))
    text = officer_body.content.decode()
    assert "Shooting heard at the market" in text
    assert "secretword" not in text
    assert "A message your role or area does not show." in text
    manager_text = (
        client_of(member_in(geo.mission, Role.MANAGER)).get(_url(geo, case)).content.decode()
    )
    assert "secretword" in manager_text
