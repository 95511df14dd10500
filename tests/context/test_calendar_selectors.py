"""Reads of the cultural calendar: visibility, occurrences with Hijri dates, clashes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from palava.context.calendar_selectors import (
    activity_clashes,
    activity_event_clashes,
    event_get,
    event_list,
    format_hijri,
    occurrences_between,
    upcoming,
)
from palava.context.calendar_services import event_create, event_retire, holidays_install
from palava.context.models import CalendarEvent
from palava.missions.models import Mission, Role
from tests.context.calendar_helpers import make_geo, member_in, weekly
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db

LUBUMBASHI = ZoneInfo("Africa/Lubumbashi")  # UTC+2, the factory mission's zone


def test_event_list_follows_scope_with_inheritance(mission: Mission) -> None:
    geo = make_geo(mission)
    boss = member_in(mission)
    wide = weekly(boss, "Sunday service", (6,))
    country = weekly(boss, "National market", admin_unit=geo.country)
    town = weekly(boss, "Beni market", admin_unit=geo.north_town)
    south = weekly(boss, "Southern market", admin_unit=geo.south)
    retired = weekly(boss, "Old market", admin_unit=geo.north)
    event_retire(actor=boss.user, membership=boss, event=retired)
    north = member_in(mission, Role.VIEWER, geo.north)
    assert set(event_list(membership=north)) == {wide, country, town}
    assert set(event_list(membership=north, active=False)) == {wide, country, town, retired}
    assert event_get(membership=north, public_id=south.public_id) is None
    assert event_get(membership=north, public_id=str(town.public_id)) == town
    # place: what is observed there and what lies inside it
    assert set(event_list(membership=boss, place="CC10")) == {wide, country, town}
    assert set(event_list(membership=boss, place="CC20")) == {wide, country, south}
    assert list(event_list(membership=north, place="CC20")) == []  # outside their area
    assert list(event_list(membership=boss, place="NOPE")) == []
    assert list(event_list(membership=boss, category="islamic")) == []
    assert list(event_list(membership=boss, category="<script>")) == []


@pytest.mark.parametrize(
    "bad", ["", "not-a-uuid", None, 12, "00000000-0000-0000-0000-000000000000"]
)
def test_event_get_answers_none_for_bad_ids(mission: Mission, bad: object) -> None:
    assert event_get(membership=member_in(mission), public_id=bad) is None


def test_another_missions_events_are_invisible(mission: Mission) -> None:
    other = MissionFactory()
    foreign = weekly(member_in(other), "Foreign market")
    member = member_in(mission)
    assert event_get(membership=member, public_id=foreign.public_id) is None
    assert list(event_list(membership=member)) == []


def test_occurrences_carry_the_hijri_date_and_localised_titles(mission: Mission) -> None:
    officer = member_in(mission)
    holidays_install(actor=officer.user, membership=officer, which="islamic")
    found = occurrences_between(
        membership=officer, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), language="en"
    )
    eid = next(o for o in found if o.event.key == "eid_al_fitr")
    assert (eid.start, eid.end, eid.days) == (dt.date(2026, 3, 20), dt.date(2026, 3, 22), 3)
    assert eid.label == "Eid al-Fitr"
    assert eid.hijri == "1 Shawwal 1447"
    # Ramadan began before the range and is returned whole
    ramadan = next(o for o in found if o.event.key == "ramadan")
    assert ramadan.start == dt.date(2026, 2, 18)
    assert [o.start for o in found] == sorted(o.start for o in found)
    arabic = occurrences_between(
        membership=officer,
        start=dt.date(2026, 3, 20),
        end=dt.date(2026, 3, 20),
        language="ar",
        categories=("islamic",),
    )
    eid_ar = next(o for o in arabic if o.event.key == "eid_al_fitr")
    assert eid_ar.label == eid_ar.event.titles["ar"]
    assert "1447" in eid_ar.hijri
    assert (
        occurrences_between(
            membership=officer,
            start=dt.date(2026, 3, 20),
            end=dt.date(2026, 3, 20),
            categories=("market",),
        )
        == []
    )


def test_hijri_date_of_a_shifted_holiday_is_the_holiday(mission: Mission) -> None:
    # observed a day late (moon sighting): the occurrence still is "1 Shawwal"
    assert format_hijri(dt.date(2026, 3, 21), offset_days=1) == "1 Shawwal 1447"
    assert format_hijri(dt.date(2026, 3, 21)) == "2 Shawwal 1447"
    assert format_hijri(dt.date(2090, 1, 1)) == ""


def test_an_invalid_stored_rule_is_skipped(mission: Mission) -> None:
    officer = member_in(mission)
    good = weekly(officer)
    broken = weekly(officer, "Broken")
    CalendarEvent.objects.filter(pk=broken.pk).update(rule={"weekdays": "<script>"})
    CalendarEvent.objects.create(
        mission=mission, key="x", category="other", title="Unknown", rule_kind="lunar", rule={}
    )
    found = occurrences_between(
        membership=officer, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    assert {o.event for o in found} == {good}
    assert len(found) == 4  # Thursdays of March 2026


def test_occurrences_range_is_bounded(mission: Mission) -> None:
    officer = member_in(mission)
    with pytest.raises(ValueError, match="ends before"):
        occurrences_between(membership=officer, start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="longer"):
        occurrences_between(membership=officer, start=dt.date(2020, 1, 1), end=dt.date(2026, 1, 1))


def test_upcoming_at_a_unit(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission)
    weekly(officer, "Southern market", admin_unit=geo.south)
    town = weekly(officer, "Beni market", admin_unit=geo.north_town)
    found = upcoming(membership=officer, unit=geo.north_town, today=dt.date(2026, 3, 2), days=7)
    assert [(o.event, o.start) for o in found] == [(town, dt.date(2026, 3, 5))]
    assert upcoming(membership=officer, unit=geo.north, today=dt.date(2026, 3, 2), days=7) == []


def test_activity_clashes_with_eid_al_fitr(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission)
    holidays_install(actor=officer.user, membership=officer, which="islamic")
    starts = dt.datetime(2026, 3, 21, 9, tzinfo=LUBUMBASHI)
    found = activity_clashes(
        membership=officer,
        admin_unit=geo.north_town,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        language="en",
    )
    assert [c.reason for c in found] == ["Eid al-Fitr (20\u201322 March 2026)"]
    # 23:30 UTC on 19 March is already 20 March in the mission's time zone
    late = dt.datetime(2026, 3, 19, 23, 30, tzinfo=dt.UTC)
    reasons = [
        c.reason for c in activity_clashes(membership=officer, admin_unit=None, starts_at=late)
    ]
    assert reasons == ["Eid al-Fitr (20\u201322 March 2026)"]
    early = dt.datetime(2026, 3, 19, 21, 30, tzinfo=dt.UTC)  # 23:30 on 19 March locally
    reasons = [
        c.reason for c in activity_clashes(membership=officer, admin_unit=None, starts_at=early)
    ]
    assert reasons == ["Ramadan (18 February \u2013 19 March 2026)"]


def test_clash_reasons_in_french(mission: Mission) -> None:
    officer = member_in(mission)
    holidays_install(actor=officer.user, membership=officer, which="islamic")
    starts = dt.datetime(2026, 3, 21, 9, tzinfo=LUBUMBASHI)
    found = activity_clashes(membership=officer, admin_unit=None, starts_at=starts, language="fr")
    assert len(found) == 1
    assert found[0].reason.endswith("(20\u201322 mars 2026)")
    with translation.override("ar"):
        found = activity_clashes(membership=officer, admin_unit=None, starts_at=starts)
    assert "2026" in found[0].reason
    assert "March" not in found[0].reason


def test_only_warning_events_applying_there_clash(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission)
    thursday = dt.datetime(2026, 3, 5, 10, tzinfo=LUBUMBASHI)
    weekly(officer, "Quiet market", warn=False, admin_unit=geo.north)
    weekly(officer, "Southern market", admin_unit=geo.south)
    retired = weekly(officer, "Old market", admin_unit=geo.north)
    event_retire(actor=officer.user, membership=officer, event=retired)
    assert activity_clashes(membership=officer, admin_unit=geo.north_town, starts_at=thursday) == []
    market = weekly(officer, "Beni market", admin_unit=geo.north, note="Roads are crowded.")
    found = activity_event_clashes(
        membership=officer, admin_unit=geo.north_town, starts_at=thursday, language="en"
    )
    assert [(f.event, f.reason, f.note) for f in found] == [
        (market, "Beni market (5 March 2026)", "Roads are crowded.")
    ]
    # a scoped member who cannot see the event gets no clash from it
    south = member_in(mission, Role.OFFICER, geo.south)
    assert activity_clashes(membership=south, admin_unit=geo.south, starts_at=thursday) != []
    assert activity_clashes(membership=south, admin_unit=geo.north_town, starts_at=thursday) == []


def test_activity_clashes_tolerate_bad_spans(mission: Mission) -> None:
    officer = member_in(mission)
    weekly(officer)
    start = dt.datetime(2026, 3, 5, 10, tzinfo=LUBUMBASHI)
    assert (
        activity_clashes(
            membership=officer,
            admin_unit=None,
            starts_at=start,
            ends_at=start - dt.timedelta(days=1),
        )
        == []
    )
    naive = dt.datetime(2026, 3, 5, 10)  # noqa: DTZ001 - a naive datetime is refused
    assert activity_clashes(membership=officer, admin_unit=None, starts_at=naive) == []
    # a plain date works too
    assert len(activity_clashes(membership=officer, admin_unit=None, starts_at=start.date())) == 1


def test_event_create_with_once_rule_clashes(mission: Mission) -> None:
    officer = member_in(mission)
    event_create(
        actor=officer.user,
        membership=officer,
        category="ceremony",
        title="Enthronement of the mwami",
        rule_kind="once",
        rule={"start": "2026-07-04", "end": "2026-07-06"},
    )
    found = activity_clashes(
        membership=officer,
        admin_unit=None,
        starts_at=dt.date(2026, 7, 1),
        ends_at=dt.date(2026, 7, 4),
        language="en",
    )
    assert [c.reason for c in found] == ["Enthronement of the mwami (4\u20136 July 2026)"]
