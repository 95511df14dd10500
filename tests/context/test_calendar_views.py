"""The cultural calendar pages: month grid, events and their rules in words, the event form
(one form, per-kind fieldsets), retiring, standard holidays and "is this date good?"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from palava.audit.models import AuditEvent
from palava.context.calendar_services import event_create, holidays_install
from palava.context.calendar_text import describe_rule
from palava.context.models import CalendarEvent, EventCategory
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set
from tests.factories import AdminUnitFactory, MissionFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _url(mission: Mission, name: str, **kwargs: Any) -> str:
    return reverse(f"cultural_calendar:{name}", kwargs={"mission_slug": mission.slug, **kwargs})


@pytest.fixture
def places(mission: Mission) -> dict[str, AdminUnit]:
    country = AdminUnitFactory(mission=mission, level=0, pcode="CD", name="Country")
    north = AdminUnitFactory(parent=country, pcode="CD10", name="Nord")
    town = AdminUnitFactory(parent=north, pcode="CD1001", name="Goma")
    south = AdminUnitFactory(parent=country, pcode="CD20", name="Sud")
    return {"country": country, "north": north, "town": town, "south": south}


@pytest.fixture
def admin(member_of: Any) -> Membership:
    membership: Membership = member_of(Role.ADMIN)
    return membership


def _event(membership: Membership, **kwargs: Any) -> CalendarEvent:
    values: dict[str, Any] = {
        "category": EventCategory.MARKET,
        "title": "Kibati market",
        "rule_kind": "weekly",
        "rule": {"weekdays": [3]},
    }
    values.update(kwargs)
    return event_create(actor=membership.user, membership=membership, **values)


def _scoped(membership: Membership, unit: AdminUnit) -> Membership:
    membership_scope_set(actor=None, membership=membership, units=[unit])
    if hasattr(membership, "_palava_scope"):
        del membership._palava_scope
    return membership


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Goma market",
        "category": "market",
        "place": "CD1001",
        "note": "Markets close at noon.",
        "warn": "on",
        "rule_kind": "weekly",
        "weekdays": ["3"],
        "interval_weeks": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- describe_rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        ("weekly", {"weekdays": [3]}, "Every Thursday"),
        ("weekly", {"weekdays": [0, 3]}, "Every Monday and Thursday"),
        (
            "weekly",
            {"weekdays": [5], "interval_weeks": 2, "anchor": "2026-01-03"},
            "Every 2 weeks on Saturday",
        ),
        ("monthly_nth_weekday", {"weekday": 4, "n": 1}, "The first Friday of every month"),
        ("monthly_nth_weekday", {"weekday": 4, "n": -1}, "The last Friday of every month"),
        ("fixed_annual", {"month": 6, "day": 30}, "30 June every year"),
        (
            "fixed_christian",
            {"month": 12, "day": 25, "duration_days": 2},
            "25 December every year (2 days)",
        ),
        (
            "hijri_annual",
            {"hijri_month": 10, "hijri_day": 1, "duration_days": 3},
            "1 Shawwal (3 days), Hijri calendar",
        ),
        (
            "hijri_annual",
            {"hijri_month": 9, "hijri_day": 1, "duration_days": None, "offset_days": 1},
            "1 Ramadan to the end of the month, Hijri calendar; shifted by +1 day for local moon "
            "sighting",
        ),
        ("easter_relative", {"offset_days": -2}, "2 days before Easter"),
        ("easter_relative", {"offset_days": 0}, "Easter Sunday"),
        (
            "easter_relative",
            {"offset_days": 39, "tradition": "orthodox"},
            "39 days after Easter, Orthodox calendar",
        ),
        (
            "season",
            {"start_month": 8, "start_day": 1, "end_month": 9, "end_day": 30},
            "1 August \u2013 30 September every year",
        ),
        (
            "season",
            {"start_month": 11, "start_day": 15, "end_month": 3, "end_day": 15},
            "15 November \u2013 15 March every year (across the new year)",
        ),
        ("once", {"start": "2026-07-04", "end": "2026-07-04"}, "Once: July 4, 2026"),
        ("weekly", {"weekdays": "thursday"}, "Invalid rule"),
        ("lunar", {}, "Invalid rule"),
        (
            "season",
            {"start_month": 13, "start_day": 1, "end_month": 1, "end_day": 1},
            "Invalid rule",
        ),
    ],
)
def test_describe_rule_in_words(kind: str, params: Any, expected: str) -> None:
    assert describe_rule(kind, params) == expected


def test_describe_rule_follows_the_active_language() -> None:
    with translation.override("fr"):
        text = describe_rule("fixed_annual", {"month": 6, "day": 30})
    assert "juin" in text


# --- Month grid ---------------------------------------------------------------------------


def test_home_grid_shows_occurrences_with_hijri_dates_and_legend(
    mission: Mission, places: dict[str, AdminUnit], admin: Membership, client_for: Any
) -> None:
    _event(admin, admin_unit=places["town"])
    holidays_install(actor=admin.user, membership=admin, which="islamic")
    response = client_for(admin.user).get(_url(mission, "home"), {"month": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kibati market" in html  # Thursdays of March 2026
    assert "Eid al-Fitr" in html  # 20-22 March 2026 (Umm al-Qura)
    assert "1 Shawwal 1447" in html
    assert "cc-cat-islamic" in html
    assert "cc-cat-market" in html
    assert "Islamic holiday" in html  # the legend
    assert "Add an event" in html


def test_home_filters_by_category_and_place(
    mission: Mission, places: dict[str, AdminUnit], admin: Membership, client_for: Any
) -> None:
    _event(admin, admin_unit=places["town"])
    _event(admin, title="Uvira market", admin_unit=places["south"])
    _event(
        admin,
        title="Independence Day",
        category="national",
        rule_kind="fixed_annual",
        rule={"month": 3, "day": 5},
    )
    client = client_for(admin.user)
    # A place shows what is observed there: mission-wide events and those of the place or above.
    html = client.get(_url(mission, "home"), {"month": "2026-03", "place": "CD1001"}).content
    assert b"Kibati market" in html
    assert b"Independence Day" in html
    assert b"Uvira market" not in html
    html = client.get(_url(mission, "home"), {"month": "2026-03", "place": "CD20"}).content
    assert b"Uvira market" in html
    assert b"Kibati market" not in html
    html = client.get(_url(mission, "home"), {"month": "2026-03", "category": "national"}).content
    assert b"Independence Day" in html
    assert b"Kibati market" not in html
    response = client.get(_url(mission, "home"), {"place": "NOWHERE"})
    assert response.status_code == 400
    assert b"No place with this P-code in your area." in response.content


def test_home_empty_state_tells_editors_how_to_start(
    mission: Mission, admin: Membership, member_of: Any, client_for: Any
) -> None:
    html = client_for(admin.user).get(_url(mission, "home")).content.decode()
    assert "The calendar is empty" in html
    assert _url(mission, "holidays") in html
    viewer = member_of(Role.VIEWER)
    html = client_for(viewer.user).get(_url(mission, "home")).content.decode()
    assert "The calendar is empty" in html
    assert _url(mission, "holidays") not in html


def test_home_ignores_hostile_month_and_category(
    mission: Mission, admin: Membership, client_for: Any
) -> None:
    _event(admin)
    client = client_for(admin.user)
    for params in ({"month": "9999-12"}, {"month": "<script>"}, {"category": "x" * 5000}):
        response = client.get(_url(mission, "home"), params)
        assert response.status_code == 200
        assert b"<script>" not in response.content.split(b"</head>")[1]


def test_home_in_arabic_is_right_to_left(
    mission: Mission, admin: Membership, client_for: Any
) -> None:
    _event(admin, titles={"ar": "سوق كيباتي"})
    client = client_for(admin.user)
    html = client.get(_url(mission, "home"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html
    assert "سوق كيباتي" in html


# --- Events list and detail -----------------------------------------------------------------


def test_events_table_describes_rules_and_respects_scope(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    member_of: Any,
    client_for: Any,
) -> None:
    _event(admin, admin_unit=places["town"])
    _event(admin, title="Uvira market", admin_unit=places["south"], rule={"weekdays": [0, 4]})
    html = client_for(admin.user).get(_url(mission, "events")).content.decode()
    assert "Every Thursday" in html
    assert "Every Monday and Friday" in html
    liaison = _scoped(member_of(Role.LIAISON), places["north"])
    html = client_for(liaison.user).get(_url(mission, "events")).content.decode()
    assert "Kibati market" in html
    assert "Uvira market" not in html


def test_event_page_lists_next_occurrences_and_hides_actions_from_readers(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    member_of: Any,
    client_for: Any,
) -> None:
    event = _event(
        admin,
        title="Eid al-Fitr",
        category="islamic",
        rule_kind="hijri_annual",
        rule={"hijri_month": 10, "hijri_day": 1, "duration_days": 3},
        note="Offices closed.",
    )
    response = client_for(admin.user).get(_url(mission, "event", event_id=event.public_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 Shawwal (3 days), Hijri calendar" in html
    assert "Offices closed." in html
    assert html.count("1 Shawwal 14") == 2  # two years ahead: two Eids
    assert _url(mission, "event_edit", event_id=event.public_id) in html
    viewer = member_of(Role.VIEWER)
    html = client_for(viewer.user).get(_url(mission, "event", event_id=event.public_id)).content
    assert _url(mission, "event_edit", event_id=event.public_id).encode() not in html


def test_event_of_another_mission_or_outside_scope_is_404(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    member_of: Any,
    client_for: Any,
) -> None:
    other = MissionFactory()
    from tests.factories import MembershipFactory

    other_admin = MembershipFactory(mission=other, role=Role.ADMIN)
    foreign = _event(other_admin, title="Foreign")
    response = client_for(admin.user).get(_url(mission, "event", event_id=foreign.public_id))
    assert response.status_code == 404
    south = _event(admin, title="Uvira market", admin_unit=places["south"])
    liaison = _scoped(member_of(Role.LIAISON), places["north"])
    client = client_for(liaison.user)
    for name in ("event", "event_edit"):
        assert client.get(_url(mission, name, event_id=south.public_id)).status_code == 404
    retire = client.post(_url(mission, "event_retire", event_id=south.public_id))
    assert retire.status_code == 404


# --- Event form -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "kind", "rule"),
    [
        ({}, "weekly", {"weekdays": [3], "interval_weeks": 1}),
        (
            {"rule_kind": "monthly_nth_weekday", "nth": "-1", "nth_weekday": "4"},
            "monthly_nth_weekday",
            {"weekday": 4, "n": -1},
        ),
        (
            {"rule_kind": "fixed_annual", "month": "6", "day": "30", "duration_days": "1"},
            "fixed_annual",
            {"month": 6, "day": 30, "duration_days": 1},
        ),
        (
            {
                "rule_kind": "hijri_annual",
                "hijri_month": "9",
                "hijri_day": "1",
                "hijri_to_month_end": "on",
                "hijri_offset": "1",
            },
            "hijri_annual",
            {"hijri_month": 9, "hijri_day": 1, "duration_days": None, "offset_days": 1},
        ),
        (
            {"rule_kind": "easter_relative", "easter_offset": "-2", "tradition": "orthodox"},
            "easter_relative",
            {"offset_days": -2, "tradition": "orthodox"},
        ),
        (
            {
                "rule_kind": "season",
                "start_month": "11",
                "start_day": "15",
                "end_month": "3",
                "end_day": "15",
            },
            "season",
            {"start_month": 11, "start_day": 15, "end_month": 3, "end_day": 15},
        ),
        (
            {"rule_kind": "once", "once_start": "2026-07-04", "once_end": "2026-07-06"},
            "once",
            {"start": "2026-07-04", "end": "2026-07-06"},
        ),
    ],
)
def test_event_create_reads_only_the_chosen_kind(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    client_for: Any,
    overrides: dict[str, Any],
    kind: str,
    rule: dict[str, Any],
) -> None:
    # Fields of other kinds are filled in too (as when the script is off): they are ignored.
    data = _form(**{"month": "13", "start_day": "99", "hijri_day": "", **overrides})
    response = client_for(admin.user).post(_url(mission, "event_create"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    event = CalendarEvent.objects.get(mission=mission, title="Goma market")
    assert event.rule_kind == kind
    assert event.rule == rule
    assert event.admin_unit == places["town"]
    assert response["Location"] == _url(mission, "event", event_id=event.public_id)
    assert AuditEvent.objects.filter(action="context.event.create").exists()


def test_event_create_form_shows_per_kind_fieldsets_and_script(
    mission: Mission, admin: Membership, client_for: Any
) -> None:
    html = client_for(admin.user).get(_url(mission, "event_create")).content.decode()
    assert 'data-rule-kinds="weekly"' in html
    assert 'data-rule-kinds="fixed_annual fixed_christian"' in html
    assert "js/cultural-calendar-form.js" in html
    assert "Shawwal" in html  # Hijri month names
    assert "Title in Arabic" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weekdays": None}, "Required for this kind of recurrence."),
        ({"rule_kind": "fixed_annual", "month": "2", "day": "31"}, "The recurrence is not valid"),
        ({"rule_kind": "once", "once_start": "2026-07-06", "once_end": "2026-07-04"}, "before"),
        ({"rule_kind": "lunar"}, "Select a valid choice"),
        ({"weekdays": ["9"]}, "Select a valid choice"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"note": "n" * 2001}, "at most 2000 characters"),
        ({"title": "Market \u202eevil"}, "invisible control characters"),
        ({"place": "NOWHERE"}, "No place with this code in your area."),
        ({"category": "<script>"}, "Select a valid choice"),
        ({"interval_weeks": "2"}, "anchor"),
    ],
)
def test_event_create_refuses_bad_input(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    client_for: Any,
    overrides: dict[str, Any],
    message: str,
) -> None:
    response = client_for(admin.user).post(_url(mission, "event_create"), _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CalendarEvent.objects.filter(mission=mission).exists()


def test_event_create_escapes_script_and_refuses_foreign_places(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    member_of: Any,
    client_for: Any,
) -> None:
    client = client_for(admin.user)
    response = client.post(_url(mission, "event_create"), _form(title="<script>alert(1)</script>"))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    foreign = AdminUnitFactory(mission=MissionFactory(), level=0, pcode="ZZ")
    response = client.post(_url(mission, "event_create"), _form(place=foreign.pcode))
    assert response.status_code == 400
    # A scoped liaison cannot add mission-wide events or events outside their area.
    liaison = _scoped(member_of(Role.LIAISON), places["north"])
    client = client_for(liaison.user)
    response = client.post(_url(mission, "event_create"), _form(place=""))
    assert response.status_code == 400
    assert "whole mission" in response.content.decode()
    response = client.post(_url(mission, "event_create"), _form(place="CD20"))
    assert response.status_code == 400
    assert CalendarEvent.objects.filter(mission=mission).count() == 1


def test_event_create_with_a_site_and_titles(
    mission: Mission, places: dict[str, AdminUnit], admin: Membership, client_for: Any
) -> None:
    site = SiteFactory(mission=mission, admin_unit=places["town"], code="CD1001S1")
    data = _form(place=site.code, title_fr="Marché de Goma", title_ar="سوق غوما")
    response = client_for(admin.user).post(_url(mission, "event_create"), data)
    assert response.status_code == 302
    event = CalendarEvent.objects.get(mission=mission)
    assert event.site == site
    assert event.admin_unit is None
    assert event.titles == {"fr": "Marché de Goma", "ar": "سوق غوما"}


def test_event_edit_prefills_and_changes_the_rule(
    mission: Mission, places: dict[str, AdminUnit], admin: Membership, client_for: Any
) -> None:
    event = _event(
        admin,
        title="Ramadan",
        category="islamic",
        rule_kind="hijri_annual",
        rule={"hijri_month": 9, "hijri_day": 1, "duration_days": None, "offset_days": 1},
        admin_unit=places["town"],
    )
    client = client_for(admin.user)
    url = _url(mission, "event_edit", event_id=event.public_id)
    html = client.get(url).content.decode()
    assert 'value="Ramadan"' in html
    assert 'name="hijri_to_month_end" checked' in html or "checked" in html
    data = _form(
        title="Harvest",
        category="season",
        rule_kind="season",
        start_month="2",
        start_day="1",
        end_month="3",
        end_day="31",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.rule_kind) == ("Harvest", "season")
    assert event.rule == {"start_month": 2, "start_day": 1, "end_month": 3, "end_day": 31}


def test_readers_cannot_open_the_forms(
    mission: Mission, admin: Membership, member_of: Any, client_for: Any
) -> None:
    event = _event(admin)
    client = client_for(member_of(Role.VIEWER).user)
    assert client.get(_url(mission, "event_create")).status_code == 403
    assert client.get(_url(mission, "event_edit", event_id=event.public_id)).status_code == 403
    assert client.get(_url(mission, "holidays")).status_code == 403
    assert client.post(_url(mission, "event_retire", event_id=event.public_id)).status_code == 403


def test_event_retire_is_post_only_and_hides_the_event(
    mission: Mission, admin: Membership, client_for: Any
) -> None:
    event = _event(admin)
    client = client_for(admin.user)
    url = _url(mission, "event_retire", event_id=event.public_id)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    event.refresh_from_db()
    assert not event.is_active
    assert AuditEvent.objects.filter(action="context.event.retire").exists()
    html = client.get(_url(mission, "events")).content.decode()
    assert "Kibati market" not in html
    html = client.get(_url(mission, "events"), {"retired": "1"}).content.decode()
    assert "Kibati market" in html
    assert "Retired" in html


# --- Standard holidays ----------------------------------------------------------------------


def test_holidays_page_previews_and_installs_once(
    mission: Mission, places: dict[str, AdminUnit], admin: Membership, client_for: Any
) -> None:
    client = client_for(admin.user)
    html = client.get(_url(mission, "holidays")).content.decode()
    assert "Eid al-Fitr" in html
    assert "Christmas" in html
    assert "moon" in html
    response = client.post(_url(mission, "holidays"), {"which": "islamic", "offset_days": "1"})
    assert response.status_code == 302
    installed = CalendarEvent.objects.filter(mission=mission, category="islamic")
    assert installed.count() >= 8
    assert all(event.rule["offset_days"] == 1 for event in installed)
    count = installed.count()
    client.post(_url(mission, "holidays"), {"which": "islamic", "offset_days": "1"})
    assert CalendarEvent.objects.filter(mission=mission, category="islamic").count() == count
    # The offset applies to Islamic holidays only: ignored for the Christian ones.
    response = client.post(
        _url(mission, "holidays"), {"which": "christian", "offset_days": "2", "place": "CD10"}
    )
    assert response.status_code == 302
    assert CalendarEvent.objects.filter(admin_unit=places["north"], category="christian").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"which": "buddhist"},
        {"which": "islamic", "offset_days": "3"},
        {"which": "islamic", "place": "NOWHERE"},
        {"which": "islamic", "place": "\u202eCD10"},
    ],
)
def test_holidays_refuses_bad_input(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    client_for: Any,
    data: dict[str, str],
) -> None:
    response = client_for(admin.user).post(_url(mission, "holidays"), data)
    assert response.status_code == 400
    assert not CalendarEvent.objects.filter(mission=mission).exists()


# --- Date check -------------------------------------------------------------------------------


def test_check_warns_with_the_reason_on_eid(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    member_of: Any,
    client_for: Any,
) -> None:
    holidays_install(actor=admin.user, membership=admin, which="islamic")
    _event(admin, admin_unit=places["town"], warn=False, note="Busy roads.")
    client = client_for(member_of(Role.VIEWER).user)
    response = client.get(
        _url(mission, "check"), {"pcode": "CD1001", "date": "2026-03-19", "until": "2026-03-20"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Eid al-Fitr (20\u201322 March 2026)" in html
    assert "clash" in html
    assert "Kibati market" in html  # a Thursday, shown without a warning
    html = client.get(_url(mission, "check"), {"pcode": "CD1001", "date": "2026-05-05"}).content
    assert b"No event that warns falls on these dates here." in html


def test_check_over_several_days(
    mission: Mission, places: dict[str, AdminUnit], admin: Membership, client_for: Any
) -> None:
    holidays_install(actor=admin.user, membership=admin, which="christian")
    response = client_for(admin.user).get(
        _url(mission, "check"), {"pcode": "CD10", "date": "2026-12-20", "until": "2026-12-27"}
    )
    assert response.status_code == 200
    assert "Christmas" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"pcode": "NOWHERE", "date": "2026-03-20"},
        {"pcode": "CD10", "date": "not-a-date"},
        {"pcode": "CD10", "date": "2026-03-20", "until": "2026-03-01"},
        {"pcode": "CD10", "date": "2026-01-01", "until": "2026-12-31"},
        {"pcode": "x" * 500, "date": "2026-03-20"},
        {"pcode": "CD10"},
    ],
)
def test_check_refuses_bad_input(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    client_for: Any,
    params: dict[str, str],
) -> None:
    response = client_for(admin.user).get(_url(mission, "check"), params)
    assert response.status_code == 400


def test_check_of_a_place_outside_scope_is_unknown(
    mission: Mission, places: dict[str, AdminUnit], member_of: Any, client_for: Any
) -> None:
    liaison = _scoped(member_of(Role.LIAISON), places["north"])
    response = client_for(liaison.user).get(
        _url(mission, "check"), {"pcode": "CD20", "date": "2026-03-20"}
    )
    assert response.status_code == 400
    assert b"No place with this P-code in your area." in response.content


def test_pages_answer_every_reading_role(
    mission: Mission,
    places: dict[str, AdminUnit],
    admin: Membership,
    member_of: Any,
) -> None:
    event = _event(admin)
    for role in Role.values:
        client = Client()
        client.force_login(member_of(role).user)
        for name, kwargs in (
            ("home", {}),
            ("events", {}),
            ("event", {"event_id": event.public_id}),
            ("check", {}),
        ):
            assert client.get(_url(mission, name, **kwargs)).status_code == 200, (role, name)


def test_today_is_marked(mission: Mission, admin: Membership, client_for: Any) -> None:
    _event(admin, rule={"weekdays": [0, 1, 2, 3, 4, 5, 6]})
    html = client_for(admin.user).get(_url(mission, "home")).content.decode()
    assert 'aria-current="date"' in html
    assert "under way" in html
