"""Knowledge entry services: create, edit with revisions, four-eyes review, retire, translate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from palava.audit.models import AuditEvent
from palava.context.knowledge_services import (
    clean_language,
    entry_create,
    entry_retire,
    entry_review,
    entry_submit,
    entry_update,
    translation_set,
)
from palava.context.models import (
    MAX_BODY_CHARS,
    EntryStatus,
    KnowledgeEntry,
    KnowledgeRevision,
    KnowledgeTranslation,
    Topic,
)
from palava.missions.models import Mission, Role
from tests.context.helpers_knowledge import entry_make, member, reviewed_make, world_make
from tests.factories import ActorFactory, AdminUnitFactory, MissionFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_create_writes_version_one_a_revision_and_an_audit_row(mission: Mission) -> None:
    # given a liaison assistant and a place
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    chief = ActorFactory(mission=mission, admin_unit=world.north, name="Mwami Kabila")
    # when they write an entry about the territory
    entry = entry_make(
        liaison,
        admin_unit=world.north,
        title="  Greetings in Kinande ",
        body="Say *wabukire*.",
        language="SW",
        actors=[chief],
        valid_until=dt.date(2027, 1, 1),
    )
    # then it is a draft at version 1, with its first revision, authored by them
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    assert entry.version == 1
    assert entry.title == "Greetings in Kinande"
    assert entry.language == "sw"
    assert entry.author == liaison.user
    assert list(entry.actors.all()) == [chief]
    revision = KnowledgeRevision.objects.get(entry=entry)
    assert (revision.version, revision.title) == (1, "Greetings in Kinande")
    # and the audit row names fields, never the text or the source
    event = AuditEvent.objects.get(action="context.entry.create", object_id=str(entry.public_id))
    assert event.changes["admin_unit"] == world.north.pcode
    assert event.changes["sensitivity"] == 1
    assert "wabukire" not in str(event.changes)
    assert "Liaison assistant" not in str(event.changes)


def test_create_with_submit_waits_for_review(mission: Mission) -> None:
    world = world_make(mission)
    entry = entry_make(member(mission, Role.LIAISON), site=world.site, submit=True)
    assert entry.status == EntryStatus.IN_REVIEW
    assert entry.site == world.site


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER, Role.VIEWER])
def test_roles_without_edit_rights_cannot_write(mission: Mission, role: str) -> None:
    world = world_make(mission)
    with pytest.raises(PermissionDenied):
        entry_make(member(mission, role), admin_unit=world.province)
    assert not KnowledgeEntry.objects.exists()


def test_create_refuses_two_places_or_none(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    with pytest.raises(ValidationError) as both:
        entry_make(liaison, admin_unit=world.north, site=world.site)
    assert "admin_unit" in both.value.message_dict
    with pytest.raises(ValidationError):
        entry_make(liaison)


def test_create_refuses_places_outside_scope_or_mission(mission: Mission) -> None:
    # given a liaison scoped to the north territory
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON, world.north)
    foreign = AdminUnitFactory(mission=MissionFactory(), level=1)
    foreign_site = SiteFactory(admin_unit=foreign)
    # when they write about the south, the province above them, or another mission's places
    for place in (
        {"admin_unit": world.south},
        {"admin_unit": world.province},
        {"admin_unit": foreign},
        {"site": foreign_site},
    ):
        with pytest.raises(ValidationError):
            entry_make(liaison, **place)
    # then nothing is written, but their own territory and its site are fine
    assert not KnowledgeEntry.objects.exists()
    entry_make(liaison, admin_unit=world.north)
    entry_make(liaison, site=world.site)


def test_sensitivity_is_capped_by_clearance(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)  # confidential clearance
    with pytest.raises(ValidationError) as raised:
        entry_make(liaison, admin_unit=world.north, sensitivity=3)
    assert "sensitivity" in raised.value.message_dict
    assert entry_make(liaison, admin_unit=world.north, sensitivity=2).sensitivity == 2
    manager = member(mission, Role.MANAGER)
    assert entry_make(manager, admin_unit=world.north, sensitivity=3).sensitivity == 3


def test_linked_actors_must_be_visible(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON, world.north)
    elsewhere = ActorFactory(mission=mission, admin_unit=world.south)
    secret = ActorFactory(mission=mission, admin_unit=world.north, sensitivity=3)
    other_mission = ActorFactory()
    for actor in (elsewhere, secret, other_mission):
        with pytest.raises(ValidationError) as raised:
            entry_make(liaison, admin_unit=world.north, actors=[actor])
        assert "actors" in raised.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "x" * 201),
        ("body", "   "),
        ("body", "x" * (MAX_BODY_CHARS + 1)),
        ("source", ""),
        ("source", "s" * 301),
        ("language", "french"),
        ("language", "<script>"),
        ("language", ""),
        ("topic", "gossip"),
        ("sensitivity", 7),
        ("sensitivity", "1"),
        ("sensitivity", True),
        ("valid_until", "2026-01-01"),
    ],
)
def test_hostile_values_are_refused_by_field(mission: Mission, field: str, value: object) -> None:
    world = world_make(mission)
    with pytest.raises(ValidationError) as raised:
        entry_make(member(mission, Role.MANAGER), admin_unit=world.north, **{field: value})
    assert field in raised.value.message_dict
    assert not KnowledgeEntry.objects.exists()


def test_bidi_overrides_and_control_characters_are_removed(mission: Mission) -> None:
    world = world_make(mission)
    entry = entry_make(
        member(mission, Role.LIAISON),
        admin_unit=world.north,
        title="Market\u202e tpircs\x00",
        body="Line one\r\nLine\x07 two\u2066 <script>alert(1)</script>",
        source="Elder\u202d\u200f council",
    )
    assert entry.title == "Market tpircs"
    assert entry.body == "Line one\nLine two <script>alert(1)</script>"  # escaped when shown
    assert entry.source == "Elder\u200f council"  # right-to-left marks are kept


@pytest.mark.parametrize(
    ("raw", "tag"), [("fr", "fr"), ("EN-gb", "en-GB"), ("kin", "kin"), ("zh-hant", "zh-Hant")]
)
def test_language_tags_are_normalised(raw: str, tag: str) -> None:
    assert clean_language(raw) == tag


def test_update_makes_a_new_version_and_sends_a_reviewed_entry_back_to_review(
    mission: Mission,
) -> None:
    # given a reviewed entry
    world = world_make(mission)
    author = member(mission, Role.LIAISON)
    entry = reviewed_make(author, member(mission, Role.OFFICER), admin_unit=world.north)
    assert entry.status == EntryStatus.REVIEWED
    # when another editor changes its text and moves it to the province
    editor = member(mission, Role.LIAISON)
    entry_update(
        actor=editor.user,
        membership=editor,
        entry=entry,
        note="More precise",
        body="Greet the eldest man first.",
        admin_unit=world.province,
    )
    # then it is version 2, waits for review, and both versions are kept
    entry.refresh_from_db()
    assert entry.version == 2
    assert entry.status == EntryStatus.IN_REVIEW
    assert entry.admin_unit == world.province
    assert entry.updated_by == editor.user
    versions = list(KnowledgeRevision.objects.filter(entry=entry).values_list("version", "note"))
    assert versions == [(2, "More precise"), (1, "")]
    event = AuditEvent.objects.get(action="context.entry.update")
    assert event.changes["body"] == "(changed)"
    assert event.changes["admin_unit"] == world.province.pcode


def test_update_moves_an_entry_from_a_unit_to_a_site(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north)
    entry_update(actor=liaison.user, membership=liaison, entry=entry, site=world.site)
    entry.refresh_from_db()
    assert (entry.admin_unit, entry.site) == (None, world.site)


def test_a_no_op_edit_makes_no_version(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north)
    before = AuditEvent.objects.count()
    entry_update(
        actor=liaison.user,
        membership=liaison,
        entry=entry,
        title=" Greetings ",
        language="en",
        admin_unit=world.north,
        site=None,
        actors=[],
    )
    entry.refresh_from_db()
    assert entry.version == 1
    assert KnowledgeRevision.objects.filter(entry=entry).count() == 1
    assert AuditEvent.objects.count() == before


def test_update_changing_linked_actors_is_a_new_version(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north)
    chief = ActorFactory(mission=mission, admin_unit=world.north)
    entry_update(actor=liaison.user, membership=liaison, entry=entry, actors=[chief])
    assert entry.version == 2
    assert list(entry.actors.all()) == [chief]


def test_update_refuses_hidden_entries_and_raising_the_class(mission: Mission) -> None:
    world = world_make(mission)
    manager = member(mission, Role.MANAGER)
    secret = entry_make(manager, admin_unit=world.north, sensitivity=3)
    south = entry_make(manager, admin_unit=world.south)
    liaison = member(mission, Role.LIAISON, world.north)
    with pytest.raises(PermissionDenied):
        entry_update(actor=liaison.user, membership=liaison, entry=secret, title="Mine now")
    with pytest.raises(PermissionDenied):
        entry_update(actor=liaison.user, membership=liaison, entry=south, title="Mine now")
    own = entry_make(liaison, admin_unit=world.north)
    with pytest.raises(ValidationError):
        entry_update(actor=liaison.user, membership=liaison, entry=own, sensitivity=3)
    with pytest.raises(TypeError):
        entry_update(actor=liaison.user, membership=liaison, entry=own, status="reviewed")


def test_review_needs_four_eyes(mission: Mission) -> None:
    # given an entry written by an officer and edited by a manager
    world = world_make(mission)
    officer = member(mission, Role.OFFICER)
    manager = member(mission, Role.MANAGER)
    entry = entry_make(officer, admin_unit=world.north, submit=True)
    entry_update(actor=manager.user, membership=manager, entry=entry, title="Greetings (v2)")
    # then neither the author nor the last editor may review it
    for who in (officer, manager):
        with pytest.raises(PermissionDenied, match="another colleague"):
            entry_review(actor=who.user, membership=who, entry=entry, approve=True)
    # and a liaison (no review right) may not either
    liaison = member(mission, Role.LIAISON)
    with pytest.raises(PermissionDenied):
        entry_review(actor=liaison.user, membership=liaison, entry=entry, approve=True)
    # but a third colleague may, and sets a validity
    admin = member(mission, Role.ADMIN)
    entry_review(
        actor=admin.user,
        membership=admin,
        entry=entry,
        approve=True,
        note="Checked with the chief's council",
        valid_until=dt.date(2027, 6, 30),
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVIEWED
    assert entry.reviewer == admin.user
    assert entry.reviewed_at is not None
    assert entry.valid_until == dt.date(2027, 6, 30)
    assert AuditEvent.objects.filter(action="context.entry.approve").count() == 1


def test_returning_an_entry_needs_a_note_and_makes_it_a_draft(mission: Mission) -> None:
    world = world_make(mission)
    entry = entry_make(member(mission, Role.LIAISON), admin_unit=world.north, submit=True)
    officer = member(mission, Role.OFFICER)
    with pytest.raises(ValidationError) as raised:
        entry_review(actor=officer.user, membership=officer, entry=entry, approve=False)
    assert "review_note" in raised.value.message_dict
    entry_review(
        actor=officer.user, membership=officer, entry=entry, approve=False, note="Name the source"
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    assert entry.review_note == "Name the source"
    assert entry.reviewer is None


def test_a_draft_must_be_submitted_before_review(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north)
    officer = member(mission, Role.OFFICER)
    with pytest.raises(ValidationError):
        entry_review(actor=officer.user, membership=officer, entry=entry, approve=True)
    entry_submit(actor=liaison.user, membership=liaison, entry=entry)
    assert entry.status == EntryStatus.IN_REVIEW
    entry_submit(actor=liaison.user, membership=liaison, entry=entry)  # already waiting: no-op
    assert AuditEvent.objects.filter(action="context.entry.submit").count() == 1
    entry_review(actor=officer.user, membership=officer, entry=entry, approve=True)
    assert entry.status == EntryStatus.REVIEWED


def test_a_stale_reviewed_entry_can_be_confirmed_again(mission: Mission) -> None:
    world = world_make(mission)
    officer = member(mission, Role.OFFICER)
    entry = reviewed_make(member(mission, Role.LIAISON), officer, admin_unit=world.north)
    assert entry.reviewed_at is not None
    later = entry.reviewed_at + dt.timedelta(days=400)
    admin = member(mission, Role.ADMIN)
    entry_review(actor=admin.user, membership=admin, entry=entry, approve=True, now=later)
    assert entry.reviewed_at == later
    assert entry.reviewer == admin.user


def test_retire_needs_a_reason_and_stops_edits(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north)
    with pytest.raises(ValidationError):
        entry_retire(actor=liaison.user, membership=liaison, entry=entry, note=" ")
    entry_retire(actor=liaison.user, membership=liaison, entry=entry, note="Chief replaced")
    assert entry.status == EntryStatus.RETIRED
    with pytest.raises(ValidationError):
        entry_retire(actor=liaison.user, membership=liaison, entry=entry, note="again")
    with pytest.raises(ValidationError):
        entry_update(actor=liaison.user, membership=liaison, entry=entry, title="Back")
    with pytest.raises(ValidationError):
        entry_submit(actor=liaison.user, membership=liaison, entry=entry)
    event = AuditEvent.objects.get(action="context.entry.retire")
    assert "Chief replaced" not in str(event.changes)


def test_translation_is_kept_per_language_and_goes_stale_on_edit(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north)
    # when it is translated to French twice
    first = translation_set(
        actor=liaison.user,
        membership=liaison,
        entry=entry,
        language="fr",
        title="Salutations",
        body="Saluez d'abord les anciens.",
    )
    again = translation_set(
        actor=liaison.user,
        membership=liaison,
        entry=entry,
        language="FR",
        title="Salutations",
        body="Saluez d'abord les aînés.",
    )
    # then there is one French translation, of version 1
    assert first.pk == again.pk
    assert KnowledgeTranslation.objects.filter(entry=entry).count() == 1
    assert again.source_version == 1
    assert again.body == "Saluez d'abord les aînés."
    # and after an edit of the entry it is older than the entry
    entry_update(actor=liaison.user, membership=liaison, entry=entry, body="New text.")
    again.refresh_from_db()
    assert again.source_version < entry.version


def test_translation_into_the_entry_language_or_garbage_is_refused(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    entry = entry_make(liaison, admin_unit=world.north, language="fr")
    for language in ("fr", "fr-CD", "xx-<b>", ""):
        with pytest.raises(ValidationError) as raised:
            translation_set(
                actor=liaison.user,
                membership=liaison,
                entry=entry,
                language=language,
                title="T",
                body="B",
            )
        assert "language" in raised.value.message_dict
    with pytest.raises(ValidationError):
        translation_set(
            actor=liaison.user, membership=liaison, entry=entry, language="ar", title="", body="B"
        )
    viewer = member(mission, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        translation_set(
            actor=viewer.user, membership=viewer, entry=entry, language="ar", title="T", body="B"
        )
    assert not KnowledgeTranslation.objects.exists()


def test_topics_cover_the_issue() -> None:
    assert len(Topic.values) == 10


def test_create_by_a_system_actor_records_no_author(mission: Mission) -> None:
    world = world_make(mission)
    manager = member(mission, Role.MANAGER)
    entry = entry_create(
        actor="system:demo",
        membership=manager,
        topic=Topic.CUSTOMS,
        title="Market etiquette",
        body="Ask before taking photos.",
        language="en",
        sensitivity=1,
        source="Demo",
        admin_unit=world.province,
    )
    assert entry.author is None
    # a system actor is never a reviewer
    with pytest.raises(PermissionDenied):
        entry_review(actor="system:demo", membership=manager, entry=entry, approve=True)


def test_an_inherited_entry_is_read_but_not_changed_by_a_scoped_member(mission: Mission) -> None:
    # given a province entry and an officer scoped to a territory below it
    world = world_make(mission)
    manager = member(mission, Role.MANAGER)
    entry = entry_make(manager, admin_unit=world.province, submit=True)
    officer = member(mission, Role.OFFICER, world.north)
    # then they may not edit, translate, retire or review it
    with pytest.raises(PermissionDenied):
        entry_update(actor=officer.user, membership=officer, entry=entry, title="Changed")
    with pytest.raises(PermissionDenied):
        entry_retire(actor=officer.user, membership=officer, entry=entry, note="Old")
    with pytest.raises(PermissionDenied):
        entry_review(actor=officer.user, membership=officer, entry=entry, approve=True)
    with pytest.raises(PermissionDenied):
        translation_set(
            actor=officer.user, membership=officer, entry=entry, language="fr", title="T", body="B"
        )
    entry.refresh_from_db()
    assert (entry.version, entry.status) == (1, EntryStatus.IN_REVIEW)


def test_more_hostile_inputs_on_every_write(mission: Mission) -> None:
    world = world_make(mission)
    liaison = member(mission, Role.LIAISON)
    chiefs = [ActorFactory(mission=mission, admin_unit=world.north) for _ in range(51)]
    with pytest.raises(ValidationError) as many:
        entry_make(liaison, admin_unit=world.north, actors=chiefs)
    assert "actors" in many.value.message_dict
    with pytest.raises(ValidationError):
        entry_make(liaison, admin_unit=world.north, actors=[str(chiefs[0].public_id)])
    entry = entry_make(liaison, admin_unit=world.north, submit=True)
    for bad in ({"note": "n" * 301}, {"actors": ["x"]}):
        with pytest.raises(ValidationError) as raised:
            entry_update(
                actor=liaison.user, membership=liaison, entry=entry, title="New title", **bad
            )
        assert set(bad) <= set(raised.value.message_dict)
    officer = member(mission, Role.OFFICER)
    with pytest.raises(ValidationError) as long_note:
        entry_review(
            actor=officer.user, membership=officer, entry=entry, approve=False, note="n" * 2001
        )
    assert "review_note" in long_note.value.message_dict
    with pytest.raises(ValidationError) as bad_date:
        entry_review(
            actor=officer.user,
            membership=officer,
            entry=entry,
            approve=True,
            valid_until="2027-01-01",  # type: ignore[arg-type]
        )
    assert "valid_until" in bad_date.value.message_dict
    entry.refresh_from_db()
    assert (entry.version, entry.status) == (1, EntryStatus.IN_REVIEW)
    entry_retire(actor=liaison.user, membership=liaison, entry=entry, note="Gone")
    with pytest.raises(ValidationError):
        translation_set(
            actor=liaison.user, membership=liaison, entry=entry, language="fr", title="T", body="B"
        )
