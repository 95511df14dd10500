"""Knowledge selectors: lists, localisation, what holds at a place, stale entries, the queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from palava.context.knowledge_selectors import (
    EntryFilters,
    entry_get,
    entry_list,
    entry_revisions,
    localised,
    place_entries,
    review_queue,
    stale_entries,
    stale_reason,
    topic_counts,
)
from palava.context.knowledge_services import (
    entry_retire,
    entry_review,
    entry_update,
    translation_set,
)
from palava.context.models import EntryStatus, KnowledgeEntry, Topic
from palava.missions.models import Mission, Role
from tests.context.helpers_knowledge import entry_make, member, reviewed_make, world_make
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db


def _titles(found: Any) -> list[str]:
    return [entry.title for entry in found]


def test_entry_list_respects_scope_with_inheritance_and_clearance(mission: Mission) -> None:
    # given entries at the province, each territory and the site, one strictly confidential
    world = world_make(mission)
    manager = member(mission, Role.MANAGER)
    admin = member(mission, Role.ADMIN)
    reviewed_make(manager, admin, admin_unit=world.province, title="A province")
    reviewed_make(manager, admin, admin_unit=world.north, title="B north")
    reviewed_make(manager, admin, admin_unit=world.south, title="C south")
    reviewed_make(manager, admin, site=world.site, title="D site")
    reviewed_make(manager, admin, admin_unit=world.north, title="E secret", sensitivity=3)
    # when an officer scoped to the north lists them
    officer = member(mission, Role.OFFICER, world.north)
    # then they see the province above, the north and its site, not the south nor the secret
    assert _titles(entry_list(membership=officer)) == ["A province", "B north", "D site"]
    assert _titles(entry_list(membership=manager)) == [
        "A province",
        "B north",
        "C south",
        "D site",
        "E secret",
    ]


def test_readers_who_cannot_edit_see_reviewed_entries_only(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry_make(liaison, admin_unit=world.north, title="Draft")
    entry_make(liaison, admin_unit=world.north, title="Waiting", submit=True)
    reviewed_make(liaison, member(mission, Role.OFFICER), admin_unit=world.north, title="Done")
    viewer = member(mission, Role.VIEWER)
    assert _titles(entry_list(membership=viewer)) == ["Done"]
    assert _titles(entry_list(membership=liaison)) == ["Done", "Draft", "Waiting"]


def test_entry_list_filters(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry_make(liaison, admin_unit=world.province, title="Province", body="cattle routes")
    entry_make(liaison, site=world.site, title="Site", topic=Topic.CUSTOMS)
    gone = entry_make(liaison, admin_unit=world.south, title="Gone")
    entry_retire(actor=liaison.user, membership=liaison, entry=gone, note="obsolete")

    def titles(**kwargs: Any) -> list[str]:
        return sorted(_titles(entry_list(membership=liaison, filters=EntryFilters(**kwargs))))

    assert titles() == ["Province", "Site"]
    assert titles(place=world.north.pcode) == ["Site"]
    assert titles(place=world.site.code) == ["Site"]
    assert titles(place="UNKNOWN") == []
    assert titles(topic="customs") == ["Site"]
    assert titles(topic="nonsense") == []
    assert titles(status="retired") == ["Gone"]
    assert titles(status="nonsense") == []
    assert titles(q="CATTLE routes") == ["Province"]
    assert titles(q="cattle zebra") == []
    assert titles(stale=True) == ["Province", "Site"]  # drafts are never reviewed


def test_entry_get_and_revisions_hide_what_the_member_may_not_see(mission: Mission) -> None:
    world = world_make(mission)
    manager = member(mission, Role.MANAGER)
    secret = entry_make(manager, admin_unit=world.north, sensitivity=3)
    entry_update(actor=manager.user, membership=manager, entry=secret, body="v2")
    officer = member(mission, Role.OFFICER)
    assert entry_get(membership=officer, public_id=secret.public_id) is None
    assert entry_get(membership=officer, public_id="not-a-uuid") is None
    assert list(entry_revisions(membership=officer, entry=secret)) == []
    assert entry_get(membership=manager, public_id=str(secret.public_id)) == secret
    versions = [r.version for r in entry_revisions(membership=manager, entry=secret)]
    assert versions == [2, 1]
    other = member(MissionFactory(), Role.ADMIN)
    assert entry_get(membership=other, public_id=secret.public_id) is None


def test_localised_prefers_a_translation_and_says_when_it_is_out_of_date(
    mission: Mission,
) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north, title="Greetings", language="en")
    translation_set(
        actor=liaison.user,
        membership=liaison,
        entry=entry,
        language="fr",
        title="Salutations",
        body="Saluez.",
    )
    entry = entry_get(membership=liaison, public_id=entry.public_id)  # type: ignore[assignment]
    # in French: the translation, up to date
    french = localised(entry, "fr-CD")
    assert (french.title, french.language, french.is_translation) == ("Salutations", "fr", True)
    assert french.translation_stale is False
    # in English (the original language) and Arabic (no translation): the original
    assert localised(entry, "en-GB").is_translation is False
    arabic = localised(entry, "ar", inherited_from="Kivu Province")
    assert (arabic.title, arabic.language, arabic.is_translation) == ("Greetings", "en", False)
    assert arabic.inherited_from == "Kivu Province"
    assert arabic.is_stale is True  # a draft was never reviewed
    # after an edit the French translation is out of date
    entry_update(actor=liaison.user, membership=liaison, entry=entry, body="Greet the elders.")
    entry = entry_get(membership=liaison, public_id=entry.public_id)  # type: ignore[assignment]
    assert localised(entry, "fr").translation_stale is True


def test_place_entries_groups_by_topic_and_marks_inherited_ones(
    mission: Mission, django_assert_max_num_queries: Any
) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    officer = member(mission, Role.OFFICER)
    reviewed_make(
        liaison, officer, admin_unit=world.province, title="Province custom", topic="customs"
    )
    reviewed_make(liaison, officer, admin_unit=world.north, title="North custom", topic="customs")
    reviewed_make(liaison, officer, site=world.site, title="Site custom", topic="customs")
    reviewed_make(liaison, officer, admin_unit=world.north, title="North greeting")
    reviewed_make(liaison, officer, admin_unit=world.south, title="South only")
    gone = reviewed_make(liaison, officer, admin_unit=world.north, title="Gone", topic="security")
    entry_retire(actor=liaison.user, membership=liaison, entry=gone, note="old")
    viewer = member(mission, Role.VIEWER)
    # at the site: its own entry first, then the territory's, then the province's
    with django_assert_max_num_queries(6):
        grouped = place_entries(membership=viewer, language="en", site=world.site)
    assert [topic for topic, _items in grouped] == [Topic.LANGUAGES, Topic.CUSTOMS]
    customs = dict(grouped)[Topic.CUSTOMS]
    assert [(item.title, item.inherited_from) for item in customs] == [
        ("Site custom", ""),
        ("North custom", "North Territory"),
        ("Province custom", "Kivu Province"),
    ]
    # at the territory: the site's entry is not included (it is about a place below)
    at_north = dict(place_entries(membership=viewer, language="en", unit=world.north))
    assert [item.title for item in at_north[Topic.CUSTOMS]] == ["North custom", "Province custom"]
    with pytest.raises(ValueError, match="exactly one"):
        place_entries(membership=viewer, language="en")


def test_stale_entries_and_why(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    officer = member(mission, Role.OFFICER)
    now = timezone.now()
    fresh = reviewed_make(liaison, officer, admin_unit=world.north, title="Fresh")
    expired = reviewed_make(
        liaison, officer, admin_unit=world.north, title="Expired", valid_until=dt.date(2020, 5, 1)
    )
    old = entry_make(liaison, admin_unit=world.north, title="Old", submit=True)
    entry_review(
        actor=officer.user,
        membership=officer,
        entry=old,
        approve=True,
        now=now - dt.timedelta(days=400),
    )
    draft = entry_make(liaison, admin_unit=world.north, title="Draft")
    waiting = entry_make(liaison, admin_unit=world.north, title="Waiting", submit=True)
    found = set(_titles(stale_entries(membership=liaison)))
    assert found == {"Expired", "Old", "Draft", "Waiting"}
    with translation.override("en"):
        assert stale_reason(fresh) == ""
        assert stale_reason(expired).startswith("Validity ended on")
        assert "2020" in stale_reason(expired)
        assert stale_reason(old).startswith("Not reviewed for over a year")
        assert stale_reason(draft) == "Draft: never reviewed."
        assert stale_reason(waiting) == "Waiting for review."
    never = KnowledgeEntry(status=EntryStatus.REVIEWED, reviewed_at=None)
    with translation.override("en"):
        assert stale_reason(never) == "Never reviewed."
        assert stale_reason(KnowledgeEntry(status=EntryStatus.RETIRED)) == ""


def test_review_queue_leaves_out_own_work_and_non_reviewers(mission: Mission) -> None:
    world = world_make(mission)
    officer = member(mission, Role.OFFICER)
    manager = member(mission, Role.MANAGER)
    liaison = member(mission, Role.LIAISON)
    entry_make(officer, admin_unit=world.north, title="By the officer", submit=True)
    edited = entry_make(liaison, admin_unit=world.north, title="Edited by the officer")
    entry_update(actor=officer.user, membership=officer, entry=edited, body="Officer's words")
    entry_make(liaison, admin_unit=world.north, title="By the liaison", submit=True)
    entry_make(liaison, admin_unit=world.north, title="A draft")
    assert _titles(review_queue(membership=officer)) == ["By the liaison"]
    assert set(_titles(review_queue(membership=manager))) == {"By the officer", "By the liaison"}
    assert list(review_queue(membership=liaison)) == []
    assert list(review_queue(membership=member(mission, Role.VIEWER))) == []


def test_topic_counts_include_places_inside(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry_make(liaison, admin_unit=world.province)
    entry_make(liaison, admin_unit=world.north, topic=Topic.SECURITY)
    entry_make(liaison, site=world.site, topic=Topic.SECURITY)
    gone = entry_make(liaison, admin_unit=world.south, topic=Topic.SECURITY)
    entry_retire(actor=liaison.user, membership=liaison, entry=gone, note="x")
    counts = topic_counts(membership=liaison, unit=world.province)
    assert list(counts) == list(Topic.values)
    assert counts["languages"] == 1
    assert counts["security"] == 2
    assert topic_counts(membership=liaison, unit=world.south)["security"] == 0
    # a viewer sees none of these drafts
    assert (
        sum(topic_counts(membership=member(mission, Role.VIEWER), unit=world.province).values())
        == 0
    )


def test_history_never_shows_a_version_above_the_readers_clearance(mission: Mission) -> None:
    # given a security note written as confidential, then cut down and downgraded to internal
    world = world_make(mission)
    officer = member(mission, Role.OFFICER)
    manager = member(mission, Role.MANAGER)
    note = reviewed_make(
        officer,
        manager,
        admin_unit=world.north,
        topic=Topic.SECURITY,
        title="Checkpoint",
        body="Informant KX-7 says the checkpoint moves at night.",
        sensitivity=2,
    )
    entry_update(
        actor=manager.user,
        membership=manager,
        entry=note,
        body="Travel in daylight only.",
        sensitivity=1,
    )
    admin = member(mission, Role.ADMIN)
    entry_review(actor=admin.user, membership=admin, entry=note, approve=True)
    # when a partner (internal clearance) reads its history, through the selector, page and API
    partner = member(mission, Role.PARTNER)
    from django.test import Client

    from palava.accounts.tokens import token_create

    page = Client()
    page.force_login(partner.user)
    html = page.get(f"/m/{mission.slug}/context/entries/{note.public_id}/history/").content.decode()
    raw = token_create(actor=partner.user, user=partner.user, mission=mission, name="t", days=1).raw
    api = Client(headers={"Authorization": f"Bearer {raw}"}).get(
        f"/api/v1/missions/{mission.slug}/context/entries/{note.public_id}/revisions"
    )
    # then only the internal version is there; the confidential first version never is
    assert [r.version for r in entry_revisions(membership=partner, entry=note)] == [2]
    assert "Version 2" in html
    assert "Version 1" not in html
    assert "KX-7" not in html
    assert api.status_code == 200
    assert "KX-7" not in api.content.decode()
    # and the officer, cleared for confidential, still sees both
    assert [r.version for r in entry_revisions(membership=officer, entry=note)] == [2, 1]
