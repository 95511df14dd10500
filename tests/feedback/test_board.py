"""The duty officer's board (overdue first, countdowns, quick acknowledge, htmx polling with a
highlighted new notice and the sound cue's hook), and the member's notifications (list, mark
read, the bell's count)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from palava.feedback.cases import services
from palava.feedback.cases.notify import notify
from palava.feedback.models import Case, CaseStatus, CaseType, Notification, NotificationKind
from palava.missions.models import Membership, Mission, Role
from tests.feedback.helpers_inbox import Geo, client_of, make_geo, member_in, no_two_factor

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def geo(mission: Mission) -> Geo:
    no_two_factor(mission)
    return make_geo(mission)


def open_case(geo: Geo, title: str, case_type: str = CaseType.ALERT) -> Case:
    return services.case_open(
        mission=geo.mission,
        actor="test",
        case_type=case_type,
        title=title,
        admin_unit=geo.north_town,
    )


def notice(member: Membership, key: str, title: str = "New alert C-00001") -> Notification:
    return notify(
        mission=member.mission,
        recipients=[member.user],
        kind=NotificationKind.NEW_CASE,
        title=title,
        dedupe_key=key,
    )[0]


def _board(geo: Geo) -> str:
    return f"/m/{geo.mission.slug}/cases/board/"


def test_board_puts_overdue_cases_first_with_countdowns(geo: Geo) -> None:
    with time_machine.travel(T0, tick=False):
        late = open_case(geo, "Late alert")
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        fresh = open_case(geo, "Fresh alert")
        working = open_case(geo, "Acknowledged request", CaseType.REQUEST)
        services.case_acknowledge(case=working, actor="test")
        body = client_of(member_in(geo.mission, Role.OFFICER)).get(_board(geo)).content.decode()
    overdue_column = body.index('id="column-overdue"')
    new_column = body.index('id="column-new"')
    assert overdue_column < body.index("Late alert") < new_column < body.index("Fresh alert")
    assert body.index('id="column-working"') < body.index("Acknowledged request")
    assert "Overdue by 10 min" in body
    assert "Due in 15 min" in body  # the fresh alert's acknowledgement
    assert f"/cases/{late.public_id}/acknowledge/" in body
    assert f"/cases/{fresh.public_id}/acknowledge/" in body
    assert f"/cases/{working.public_id}/acknowledge/" not in body


def test_board_is_a_plain_page_that_htmx_polls_every_10_seconds(geo: Geo) -> None:
    response = client_of(member_in(geo.mission, Role.OFFICER)).get(_board(geo))
    body = response.content.decode()
    assert 'hx-trigger="every 10s"' in body
    assert "/static/js/board.js" in body
    assert "<script>" not in body  # no inline script (CSP)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert 'href="/m/' in body
    assert "Refresh" in body
    assert "No open case." in body


def test_poll_highlights_only_notices_newer_than_the_page(geo: Geo) -> None:
    officer = member_in(geo.mission, Role.OFFICER)
    client = client_of(officer)
    old = notice(officer, "k1", "Old notice")
    page = client.get(_board(geo)).content.decode()
    poll_url = re.search(r'id="board-live"[^>]*hx-get="([^"]+)"', page)
    assert poll_url is not None
    url = poll_url.group(1).replace("&amp;", "&")
    assert url.endswith(f"after={old.pk}")
    assert 'data-new-count="0"' in page  # the page itself never beeps
    # when nothing new arrived / then the poll carries no cue
    quiet = client.get(url).content.decode()
    assert 'data-new-count="0"' in quiet
    assert "is-new" not in quiet
    # when a notice arrives / then the next poll marks it new (highlight + sound hook)
    notice(officer, "k2", "Fresh notice")
    loud = client.get(url).content.decode()
    assert 'data-new-count="1"' in loud
    fresh_item = loud[loud.index("Fresh notice") - 600 : loud.index("Fresh notice")]
    assert "is-new" in fresh_item
    old_item = loud[loud.index("Old notice") - 400 : loud.index("Old notice")]
    assert "is-new" not in old_item
    assert "1 new notification." in loud
    # and the next poll asks only for what came after it
    assert re.search(r'board/live/\?after=(\d+)"', loud).group(1) == str(  # type: ignore[union-attr]
        Notification.objects.get(dedupe_key="k2").pk
    )


def test_notices_of_others_are_not_shown(geo: Geo) -> None:
    officer = member_in(geo.mission, Role.OFFICER)
    other = member_in(geo.mission, Role.OFFICER)
    notice(other, "theirs", "Someone else's notice")
    body = client_of(officer).get(_board(geo)).content.decode()
    assert "Someone else&#x27;s notice" not in body
    assert "Someone else's notice" not in body


def test_acknowledge_from_the_board(geo: Geo) -> None:
    case = open_case(geo, "Alert to acknowledge")
    client = client_of(member_in(geo.mission, Role.LIAISON))
    r = client.post(f"/m/{geo.mission.slug}/cases/{case.public_id}/acknowledge/")
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED


def test_board_needs_case_manage(geo: Geo) -> None:
    assert client_of(member_in(geo.mission, Role.ANALYST)).get(_board(geo)).status_code == 403


# --- Notifications ---------------------------------------------------------------------------


def test_notifications_list_mark_read_and_bell(geo: Geo) -> None:
    officer = member_in(geo.mission, Role.OFFICER)
    client = client_of(officer)
    slug = geo.mission.slug
    first = notice(officer, "n1", "First notice")
    notice(officer, "n2", "Second notice")
    bell = client.get(f"/m/{slug}/notifications/count/").content.decode()
    assert ">2<" in bell
    page = client.get(f"/m/{slug}/notifications/").content.decode()
    assert "First notice" in page
    assert "Second notice" in page
    r = client.post(
        f"/m/{slug}/notifications/read/", {"id": str(first.pk), "next": f"/m/{slug}/notifications/"}
    )
    assert r.status_code == 302
    assert r["Location"] == f"/m/{slug}/notifications/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert ">1<" in client.get(f"/m/{slug}/notifications/count/").content.decode()
    client.post(f"/m/{slug}/notifications/read/", {"all": "1", "next": "https://evil.example/"})
    assert not Notification.objects.filter(recipient=officer.user, read_at__isnull=True).exists()
    assert "bell-count" not in client.get(f"/m/{slug}/notifications/count/").content.decode()


def test_cannot_mark_someone_elses_notice_read(geo: Geo) -> None:
    officer = member_in(geo.mission, Role.OFFICER)
    other = member_in(geo.mission, Role.OFFICER)
    theirs = notice(other, "x", "Theirs")
    client_of(officer).post(f"/m/{geo.mission.slug}/notifications/read/", {"id": str(theirs.pk)})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_nav_has_the_chain_links_and_the_bell(geo: Geo) -> None:
    body = client_of(member_in(geo.mission, Role.MANAGER)).get(_board(geo)).content.decode()
    slug = geo.mission.slug
    for href in (
        f"/m/{slug}/cases/",
        f"/m/{slug}/cases/board/",
        f"/m/{slug}/routing/",
        f"/m/{slug}/notifications/count/",
    ):
        assert href in body
    analyst = client_of(member_in(geo.mission, Role.ANALYST)).get(f"/m/{slug}/cases/")
    text = analyst.content.decode()
    assert f"/m/{slug}/cases/board/" not in text.split("</nav>")[0]
    assert f"/m/{slug}/routing/" not in text
