"""What a dossier says for its reader: sections by permission, scope, small counts, translations,
routes, the calendar, commitments, cases, hostile text, progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from palava.actors.models import RecordSensitivity
from palava.context.dossier.content import (
    BulletList,
    DossierContent,
    EventList,
    KeyValueTable,
    MapBlock,
    MapCategory,
    Paragraph,
    Section,
    Table,
)
from palava.context.dossier.gather import dossier_content
from palava.context.dossier.gather_places import md_escape
from palava.context.dossier.render import render_html
from palava.context.models import CalendarEvent, EventCategory, KnowledgeTranslation, Topic
from palava.engagement.models import Commitment
from palava.engagement.models.commitments import CommitmentStatus
from palava.feedback.models import CaseStatus, Urgency
from palava.missions.models import Role
from palava.missions.services import membership_set
from palava.places.models import AdminUnit
from tests.context.test_dossier_clearance import (
    NOW,
    VISIBLE_MARKERS,
    World,
    _commitment,
    _entry,
    build_world,
)
from tests.factories import ActorFactory, AdminUnitFactory, MissionFactory, SiteFactory
from tests.feedback.helpers_cases import make_case
from tests.feedback.helpers_inbox import categories, make_channel, make_message, member_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _gather(
    world: World,
    role: str = Role.MANAGER,
    *,
    places: list[object] | None = None,
    kind: str = "place",
    language: str = "en",
    scope: tuple[AdminUnit, ...] = (),
) -> DossierContent:
    member = member_in(world.mission, role, *scope)
    return dossier_content(
        membership=member,
        places=places or [world.territory],  # type: ignore[arg-type]
        kind=kind,
        language=language,
        now=NOW,
    )


def _section(content: DossierContent, heading: str) -> Section:
    found = [s for s in content.sections if s.heading.startswith(heading)]
    assert found, [s.heading for s in content.sections]
    return found[0]


def _headings(content: DossierContent) -> list[str]:
    return [s.heading for s in content.sections]


def _tables(section: Section) -> list[Table]:
    return [b for b in section.blocks if isinstance(b, Table)]


def _markdown(section: Section) -> str:
    return "\n".join(b.markdown for b in section.blocks if isinstance(b, Paragraph))


# --- sections by permission -------------------------------------------------------------------


def test_manager_gets_every_section(world: World) -> None:
    content = _gather(world)
    assert _headings(content) == [
        "Summary",
        "Map",
        "Context: Nyira Test",
        "Key actors",
        "Feedback themes",
        "Alerts and cases",
        "Open commitments",
        "Upcoming calendar (next 60 days)",
        "Access status",
    ]
    assert content.title == "Briefing: Nyira Test"
    assert content.classification == f"Strictly confidential — for {content.reader}"


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_sections_a_role_may_not_read_are_left_out_and_named(world: World, role: str) -> None:
    content = _gather(world, role)
    headings = _headings(content)
    for left_out in ("Feedback themes", "Alerts and cases", "Open commitments"):
        assert left_out not in headings
    assert "Key actors" in headings
    assert "Access status" in headings
    summary = _markdown(_section(content, "Summary"))
    assert "Feedback themes, Alerts and cases, Open commitments" in summary
    assert content.classification.startswith("Internal — for ")


def test_analyst_reads_messages_cases_and_commitments(world: World) -> None:
    headings = _headings(_gather(world, Role.ANALYST))
    assert {"Feedback themes", "Alerts and cases", "Open commitments"} <= set(headings)


def test_summary_names_reader_clearance_and_places(world: World) -> None:
    content = _gather(world, Role.OFFICER)
    table = next(b for b in _section(content, "Summary").blocks if isinstance(b, KeyValueTable))
    rows = dict(table.rows)
    assert rows["Places covered"] == "Nyira Test (CDW101)"
    assert rows["Clearance"] == "Confidential"
    assert rows["Prepared for"] == content.reader
    assert rows["Language"] == "English"


# --- guards -----------------------------------------------------------------------------------


def test_bad_kind_no_place_inactive_member(world: World) -> None:
    member = member_in(world.mission, Role.MANAGER)
    with pytest.raises(ValueError, match="kind"):
        dossier_content(
            membership=member, places=[world.territory], kind="tour", language="en", now=NOW
        )
    with pytest.raises(ValueError, match="place"):
        dossier_content(membership=member, places=[], kind="place", language="en", now=NOW)
    inactive = membership_set(
        actor=None, user=member.user, mission=world.mission, role=Role.MANAGER, is_active=False
    )
    with pytest.raises(PermissionDenied):
        dossier_content(
            membership=inactive, places=[world.territory], kind="place", language="en", now=NOW
        )


def test_place_outside_scope_or_mission_is_refused(world: World) -> None:
    sibling = AdminUnitFactory(parent=world.province, pcode="CDW102", name="Sibling")
    with pytest.raises(PermissionDenied):
        _gather(world, Role.OFFICER, places=[world.territory], scope=(sibling,))
    with pytest.raises(PermissionDenied):
        _gather(world, Role.OFFICER, places=[world.site], scope=(sibling,))
    foreign = AdminUnitFactory(mission=MissionFactory(), pcode="CDW101")
    with pytest.raises(PermissionDenied):
        _gather(world, Role.MANAGER, places=[foreign])


def test_scoped_reader_sees_only_their_area(world: World) -> None:
    sibling = AdminUnitFactory(parent=world.province, pcode="CDW102", name="Sibling")
    ActorFactory(mission=world.mission, name="Sibling chief", admin_unit=sibling, influence=5)
    _entry(world, "Sibling custom", unit=sibling)
    content = _gather(world, Role.OFFICER, scope=(world.territory,))
    html = render_html(content).decode()
    assert "Sibling chief" not in html
    assert "Sibling custom" not in html
    assert VISIBLE_MARKERS["entry_internal"] in html  # inherited from the province above


def test_progress_is_reported_in_order(world: World) -> None:
    calls: list[tuple[int, str]] = []
    member = member_in(world.mission, Role.MANAGER)
    dossier_content(
        membership=member,
        places=[world.territory],
        kind="place",
        language="en",
        now=NOW,
        progress=lambda percent, message: calls.append((percent, message)),
    )
    percents = [p for p, _m in calls]
    assert len(calls) >= 8
    assert percents == sorted(percents)
    assert percents[0] > 0
    assert percents[-1] < 100
    assert all(message for _p, message in calls)


# --- context entries --------------------------------------------------------------------------


def test_entries_grouped_by_topic_inherited_noted_drafts_left_out(world: World) -> None:
    section = _section(_gather(world), "Context")
    text = _markdown(section)
    assert text.index("Languages and greetings") < text.index("Customs and etiquette")
    assert text.index("Customs and etiquette") < text.index("Security notes")
    assert "from Kivu Test" in text
    assert "QXDRAFTQX" not in text
    assert "Site greeting" not in text  # an entry about a site does not apply to its unit


def test_site_dossier_has_site_and_unit_entries(world: World) -> None:
    text = _markdown(_section(_gather(world, places=[world.site]), "Context"))
    assert "Site greeting" in text
    assert "Market etiquette" in text
    assert "from Nyira Test" in text


def test_translation_preferred_and_stale_translation_noted(world: World) -> None:
    entry = _entry(world, "Greeting the chief", topic=Topic.LANGUAGES, body="Bow and wait.")
    KnowledgeTranslation.objects.create(
        entry=entry, language="fr", title="Saluer le chef", body="Saluez.", source_version=1
    )
    text = _markdown(_section(_gather(world, language="fr"), "Context"))
    assert "Saluer le chef" in text
    assert "Bow and wait." not in text
    entry.version = 2
    entry.save(update_fields=["version"])
    text = _markdown(_section(_gather(world, language="fr"), "Context"))
    assert "Saluer le chef" in text
    with translation.override("fr"):
        note = _("translated from an earlier version")
    assert note in text


def test_source_only_with_confidential_clearance(world: World) -> None:
    officer = _markdown(_section(_gather(world, Role.OFFICER), "Context"))
    partner = _markdown(_section(_gather(world, Role.PARTNER), "Context"))
    assert "QXSOURCEQX" in officer
    assert "QXSOURCEQX" not in partner
    assert "Source:" not in partner


def test_hostile_entry_text_is_inert(world: World) -> None:
    _entry(
        world,
        "<script>alert(1)</script> [click](javascript:alert(2)) \u202egnp.exe",
        body="<img src=x onerror=alert(3)> [bad](javascript:alert(4)) **ok**",
    )
    html = render_html(_gather(world)).decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert "<strong>ok</strong>" in html


def test_md_escape_neutralises_markdown() -> None:
    assert md_escape("# [a](b) *c* <d>") == r"\# \[a\]\(b\) \*c\* \<d\>"
    assert md_escape("two\nlines") == "two lines"


# --- route ------------------------------------------------------------------------------------


def test_route_has_ordered_stops_and_shared_entries_once(world: World) -> None:
    second = AdminUnitFactory(
        parent=world.province,
        pcode="CDW103",
        name="Rugari Test",
        centroid_lat=-1.3,
        centroid_lon=29.3,
    )
    content = _gather(world, places=[world.territory, world.site, second], kind="route")
    assert content.title == "Route briefing: Nyira Test to Rugari Test"
    assert content.subtitle == "Nyira Test → Kibu Test → Rugari Test"
    block = _section(content, "Map").blocks[0]
    assert isinstance(block, MapBlock)
    assert [s.label for s in block.map.route] == ["Nyira Test", "Kibu Test", "Rugari Test"]
    contexts = [s for s in content.sections if s.heading.startswith("Context")]
    assert [s.heading for s in contexts] == [
        "Context: Nyira Test",
        "Context: Kibu Test",
        "Context: Rugari Test",
    ]
    later = contexts[2]
    bullets = [b for b in later.blocks if isinstance(b, BulletList)]
    assert bullets
    assert any("(see Nyira Test)" in item for item in bullets[0].items)
    assert VISIBLE_MARKERS["entry_internal"] not in _markdown(later)


def test_map_colours_units_by_access(world: World) -> None:
    block = _section(_gather(world, Role.PARTNER), "Map").blocks[0]
    assert isinstance(block, MapBlock)
    by_label = {f.label: f.category for f in block.map.features}
    assert by_label["Nyira Test"] == MapCategory.RESTRICTED
    assert by_label["Kibu Test"] == MapCategory.SITE
    province = _section(_gather(world, places=[world.province]), "Map").blocks[0]
    assert isinstance(province, MapBlock)
    labels = {f.label: f.category for f in province.map.features}
    assert labels["Kivu Test"] == MapCategory.UNKNOWN  # not assessed
    assert labels["Nyira Test"] == MapCategory.RESTRICTED  # a child unit


# --- records ----------------------------------------------------------------------------------


def test_feedback_small_counts_and_trend(world: World) -> None:
    labels = categories(world.mission)
    channel = make_channel(world.mission)
    plain = [c for c in labels.values() if not c.is_restricted and c.parent is None]
    other = plain[1]
    for n in range(3):
        make_message(
            channel,
            "x",
            unit=world.territory,
            category=other,
            received_at=NOW - dt.timedelta(days=2 + n),
        )
    for n in range(8):  # the previous window of the first category (6 recent in the world)
        make_message(
            channel,
            "y",
            unit=world.territory,
            category=plain[0],
            received_at=NOW - dt.timedelta(days=100 + n),
        )
    table = _tables(_section(_gather(world, Role.ANALYST), "Feedback themes"))[0]
    rows = {row[0]: row[1:] for row in table.rows}
    assert len(rows) == 3
    first = [r for name, r in rows.items() if r[0] == "6"]
    assert first
    assert first[0][1] == "8"
    assert first[0][2] == "down 25%"
    small = [r for name, r in rows.items() if r[0] == "fewer than 5"]
    assert small
    assert small[0][2] == "not enough reports"
    assert rows["All messages"][0] == "9"


def test_restricted_messages_not_counted_without_the_queue(world: World) -> None:
    labels = categories(world.mission)
    restricted = next(c for c in labels.values() if c.is_restricted)
    channel = make_channel(world.mission)
    for n in range(5):
        make_message(
            channel,
            "z",
            unit=world.territory,
            category=restricted,
            received_at=NOW - dt.timedelta(days=1 + n),
        )
    officer = _tables(_section(_gather(world, Role.OFFICER), "Feedback themes"))[0]
    manager = _tables(_section(_gather(world, Role.MANAGER), "Feedback themes"))[0]
    assert {r[0]: r[1] for r in officer.rows}["All messages"] == "6"
    assert {r[0]: r[1] for r in manager.rows}["All messages"] == "11"


def test_cases_counts_without_text(world: World) -> None:
    make_case(
        world.mission,
        opened_at=NOW - dt.timedelta(days=40),
        unit=world.territory,
        urgency=Urgency.URGENT,
    )
    make_case(
        world.mission,
        opened_at=NOW - dt.timedelta(days=50),
        unit=world.territory,
        status=CaseStatus.CLOSED,
    )
    make_case(world.mission, opened_at=NOW - dt.timedelta(days=2), unit=world.province)
    section = _section(_gather(world, Role.OFFICER), "Alerts and cases")
    summary = dict(next(b for b in section.blocks if isinstance(b, KeyValueTable)).rows)
    assert summary["Open cases"] == "2"
    assert summary["Urgent or life-threatening"] == "1"
    assert summary["Oldest open case"] == "opened 40 days ago"
    assert "Test case" not in render_html(_gather(world, Role.OFFICER)).decode()


def test_open_commitments_only_with_overdue_flag(world: World) -> None:
    late = _commitment(world, 3, "Repair the well", RecordSensitivity.INTERNAL)
    late.due_date = NOW.date() - dt.timedelta(days=2)
    late.save(update_fields=["due_date"])
    done = _commitment(world, 4, "Built the school", RecordSensitivity.INTERNAL)
    Commitment.objects.filter(pk=done.pk).update(status=CommitmentStatus.DONE)
    table = _tables(_section(_gather(world, Role.ANALYST), "Open commitments"))[0]
    descriptions = [row[1] for row in table.rows]
    assert descriptions[0] == "Repair the well"  # soonest due first
    assert "Built the school" not in descriptions
    assert table.rows[0][5] == "Pending (overdue)"
    assert "QXCONFPROMISEQX" in descriptions
    assert "QXSTRICTPROMISEQX" not in descriptions


def test_actors_top_by_influence_readable_fields_only(world: World) -> None:
    for n in range(20):
        ActorFactory(
            mission=world.mission,
            name=f"Elder {n:02d}",
            admin_unit=world.territory,
            influence=1 + n % 4,
        )
    section = _section(_gather(world, Role.PARTNER), "Key actors")
    cards = [b for b in section.blocks if isinstance(b, KeyValueTable)]
    assert len(cards) == 15
    assert cards[0].caption == VISIBLE_MARKERS["actor_internal"]  # influence 5
    keys = {k for card in cards for k, _v in card.rows}
    assert "Notes" not in keys
    assert "Phone" not in keys


# --- calendar ---------------------------------------------------------------------------------


def test_calendar_next_60_days_capped_and_invalid_rules_skipped(world: World) -> None:
    CalendarEvent.objects.create(
        mission=world.mission,
        key="independence",
        category=EventCategory.NATIONAL,
        title="Independence Day",
        titles={"fr": "Fête de l'indépendance"},
        rule_kind="once",
        rule={"start": "2026-03-20", "end": "2026-03-20"},
        note="Parades in town.",
    )
    CalendarEvent.objects.create(
        mission=world.mission,
        admin_unit=world.territory,
        key="broken",
        category=EventCategory.OTHER,
        title="Broken",
        rule_kind="weekly",
        rule={"weekdays": "x"},
    )
    CalendarEvent.objects.create(
        mission=world.mission,
        key="later",
        category=EventCategory.OTHER,
        title="Too late",
        rule_kind="once",
        rule={"start": "2026-06-20", "end": "2026-06-20"},
    )
    events = _section(_gather(world, language="fr"), "Calendrier à venir").blocks[0]
    assert isinstance(events, EventList)
    titles = [e.title for e in events.events]
    assert titles.count(VISIBLE_MARKERS["event"]) == 3
    assert "Fête de l'indépendance" in titles
    assert "Broken" not in titles
    assert "Too late" not in titles
    independence = next(e for e in events.events if e.title.startswith("Fête"))
    assert independence.note == "Parades in town."
    assert independence.place
    assert [e.start for e in events.events] == sorted(e.start for e in events.events)


def test_arabic_dossier_is_right_to_left(world: World) -> None:
    content = _gather(world, Role.PARTNER, language="ar")
    assert content.language == "ar"
    assert content.text_direction == "rtl"
    assert b'dir="rtl"' in render_html(content)


def test_access_table_reason_and_child_units(world: World) -> None:
    table = _tables(_section(_gather(world, places=[world.province]), "Access status"))[0]
    assert table.headers[-1] == "Reason"
    assert table.rows[0][:2] == ["Kivu Test (CDW1)", "Not assessed"]
    assert table.rows[1][0] == "Kivu Test / Nyira Test"
    assert table.rows[1][1:] == ["Restricted", table.rows[1][2], "Road cut at the bridge"]


def test_site_in_another_mission_is_refused(world: World) -> None:
    site = SiteFactory(admin_unit=AdminUnitFactory(mission=MissionFactory()))
    with pytest.raises(PermissionDenied):
        _gather(world, places=[site])


def test_a_province_dossier_lists_the_events_of_places_inside_it(world: World) -> None:
    # given a market day at a site of the territory and a ceremony in a sibling territory
    CalendarEvent.objects.create(
        mission=world.mission,
        site=world.site,
        key="site-market",
        category=EventCategory.MARKET,
        title="Site market day",
        rule_kind="weekly",
        rule={"weekdays": [0, 1, 2, 3, 4, 5, 6]},
    )
    sibling = AdminUnitFactory(parent=world.province, pcode="CDW109", name="Elsewhere")
    CalendarEvent.objects.create(
        mission=world.mission,
        admin_unit=sibling,
        key="sibling-ceremony",
        category=EventCategory.CEREMONY,
        title="Sibling ceremony",
        rule_kind="weekly",
        rule={"weekdays": [0, 1, 2, 3, 4, 5, 6]},
    )
    # when dossiers are made for the province and for the territory
    province = _section(_gather(world, places=[world.province]), "Upcoming").blocks[0]
    territory = _section(_gather(world, places=[world.territory]), "Upcoming").blocks[0]
    assert isinstance(province, EventList)
    assert isinstance(territory, EventList)
    # then the province lists both, the territory only its own site's market
    assert {"Site market day", "Sibling ceremony"} <= {e.title for e in province.events}
    titles = {e.title for e in territory.events}
    assert "Site market day" in titles
    assert "Sibling ceremony" not in titles
