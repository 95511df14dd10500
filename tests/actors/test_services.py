"""Writing actors: validation, defaults, audit rows, contact encryption, deactivation, links."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from palava.actors.models import Actor, ActorKind, ActorType, Consent, Relationship
from palava.actors.services import (
    actor_create,
    actor_deactivate,
    actor_move_links,
    actor_set_contact,
    actor_update,
)
from palava.audit.models import AuditEvent
from palava.core import crypto
from palava.core.sensitivity import Sensitivity
from palava.missions.models import Mission
from tests.actors.conftest import Geo
from tests.factories import (
    ActorFactory,
    ConsentFactory,
    MissionFactory,
    RelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_create_folds_names_for_search_and_writes_an_audit_row(mission: Mission) -> None:
    # given an officer
    user = UserFactory()
    # when they record a chief with an accented name and an alternate spelling
    chief = actor_create(
        actor=user,
        mission=mission,
        kind=ActorKind.PERSON,
        actor_type=ActorType.TRADITIONAL_AUTHORITY,
        name="  Mwami   Kabarè ",
        alt_names=["Kabare II", "Kabare II", ""],
    )
    # then names are tidied and folded, and the creation is audited
    assert chief.name == "Mwami Kabarè"
    assert chief.alt_names == ["Kabare II"]
    assert chief.search_text.splitlines() == ["mwami kabare", "kabare ii"]
    event = AuditEvent.objects.get(action="actor.create")
    assert event.actor_id == user.pk
    assert event.object_id == str(chief.public_id)


@pytest.mark.parametrize(
    ("actor_type", "expected"),
    [
        (ActorType.ARMED_GROUP_FIGURE, Sensitivity.STRICTLY_CONFIDENTIAL),
        (ActorType.RELIGIOUS_LEADER, Sensitivity.INTERNAL),
        (ActorType.WOMENS_GROUP, Sensitivity.INTERNAL),
    ],
)
def test_sensitivity_defaults_by_type(
    mission: Mission, actor_type: str, expected: Sensitivity
) -> None:
    actor = ActorFactory(mission=mission, actor_type=actor_type)

    assert actor.sensitivity == expected


def test_an_explicit_sensitivity_wins_over_the_default(mission: Mission) -> None:
    actor = ActorFactory(
        mission=mission,
        actor_type=ActorType.ARMED_GROUP_FIGURE,
        sensitivity=Sensitivity.CONFIDENTIAL,
    )

    assert actor.sensitivity == Sensitivity.CONFIDENTIAL


@pytest.mark.parametrize(
    ("field", "value"),
    [("influence", 6), ("influence", 0), ("stance_mission", 3), ("stance_peace_process", -3)],
)
def test_out_of_range_assessments_are_refused(mission: Mission, field: str, value: int) -> None:
    with pytest.raises(ValidationError):
        ActorFactory(mission=mission, **{field: value})

    assert not Actor.objects.exists()


def test_only_persons_have_a_gender(mission: Mission) -> None:
    with pytest.raises(ValidationError):
        ActorFactory(mission=mission, kind=ActorKind.GROUP, gender="female")


def test_a_place_of_another_mission_is_refused(geo: Geo) -> None:
    # given a mission other than the geography's
    other = MissionFactory()
    # when an actor of the other mission is placed in this geography / then refused
    with pytest.raises(ValidationError):
        ActorFactory(mission=other, admin_unit=geo.north)
    with pytest.raises(ValidationError):
        ActorFactory(mission=other, places=[geo.south])


def test_update_audits_only_the_fields_that_changed(geo: Geo) -> None:
    # given an actor
    actor = ActorFactory(mission=geo.mission, name="Mama Furaha", influence=2)
    # when the same influence, a new name and a new main place are sent
    updated = actor_update(
        actor=None,
        record=actor,
        data={"influence": 2, "name": "Maman Furaha", "admin_unit": geo.north_town},
    )
    # then the names are refolded and only the changed fields are in the audit row
    assert updated.search_text == "maman furaha"
    event = AuditEvent.objects.get(action="actor.update")
    assert event.changes == {"name": "Maman Furaha", "admin_unit": "CD1001"}


def test_update_with_nothing_new_writes_no_audit_row(mission: Mission) -> None:
    actor = ActorFactory(mission=mission, title="Pasteur")

    actor_update(actor=None, record=actor, data={"title": "Pasteur"})

    assert not AuditEvent.objects.filter(action="actor.update").exists()


def test_update_refuses_contact_and_unknown_fields(mission: Mission) -> None:
    actor = ActorFactory(mission=mission)

    with pytest.raises(ValueError, match="phone"):
        actor_update(actor=None, record=actor, data={"phone": "+243990000000"})


def test_update_of_notes_is_audited_without_the_text(mission: Mission) -> None:
    actor = ActorFactory(mission=mission)

    actor_update(actor=None, record=actor, data={"notes": "Related to the militia commander"})

    event = AuditEvent.objects.get(action="actor.update")
    assert event.changes == {"notes": "[redacted]"}


def test_places_of_influence_are_replaced(geo: Geo) -> None:
    actor = ActorFactory(mission=geo.mission, places=[geo.north])

    actor_update(actor=None, record=actor, data={"places": [geo.south, geo.south_town]})

    assert set(actor.places.values_list("pcode", flat=True)) == {"CD20", "CD2001"}
    assert AuditEvent.objects.get(action="actor.update").changes == {"places": "CD20,CD2001"}


def test_set_contact_encrypts_and_computes_pseudonyms(mission: Mission) -> None:
    # given an actor
    actor = ActorFactory(mission=mission)
    # when a phone and an e-mail are set
    actor_set_contact(
        actor=None, record=actor, phone="+243 (0)81-555.0199", email="Chief@Example.org"
    )
    # then they read back normalised, and pseudonyms match other spellings of the same values
    stored = Actor.objects.get(pk=actor.pk)
    assert stored.phone == "+2430815550199"
    assert stored.phone_pseudonym == crypto.pseudonym("00243 0815550199", kind="phone")
    assert stored.email_pseudonym == crypto.pseudonym("chief@example.org", kind="email")
    # and the audit row names the fields, never the values
    event = AuditEvent.objects.get(action="actor.contact_set")
    assert event.changes == {"email": "[redacted]", "phone": "[redacted]"}


def test_a_malformed_phone_is_refused_without_repeating_it(mission: Mission) -> None:
    actor = ActorFactory(mission=mission)

    with pytest.raises(ValidationError) as caught:
        actor_set_contact(actor=None, record=actor, phone="call 0815550199 after 5pm")

    assert "0815550199" not in str(caught.value)
    assert Actor.objects.get(pk=actor.pk).phone is None


def test_clearing_a_contact_removes_its_pseudonym(mission: Mission) -> None:
    actor = ActorFactory(mission=mission)
    actor_set_contact(actor=None, record=actor, phone="+243815550199")

    actor_set_contact(actor=None, record=actor, clear=["phone"])

    stored = Actor.objects.get(pk=actor.pk)
    assert stored.phone is None
    assert stored.phone_pseudonym == ""


def test_deactivate_as_a_merge_keeps_the_record(mission: Mission) -> None:
    # given two records of the same chief
    kept = ActorFactory(mission=mission, name="Mohamed Ali")
    duplicate = ActorFactory(mission=mission, name="Muhammad Ali")
    # when the duplicate is deactivated as merged into the other
    actor_deactivate(actor=None, record=duplicate, merged_into=kept)
    # then it stays, inactive, pointing at the survivor, and the merge is audited
    duplicate.refresh_from_db()
    assert not duplicate.is_active
    assert duplicate.merged_into_id == kept.pk
    assert list(kept.merged_from.all()) == [duplicate]
    assert AuditEvent.objects.filter(action="actor.merge").count() == 1


@pytest.mark.parametrize("case", ["itself", "other mission", "inactive"])
def test_merge_target_must_be_an_active_actor_of_the_mission(mission: Mission, case: str) -> None:
    duplicate = ActorFactory(mission=mission)
    if case == "itself":
        target = duplicate
    elif case == "other mission":
        target = ActorFactory()
    else:
        target = ActorFactory(mission=mission)
        actor_deactivate(actor=None, record=target)

    with pytest.raises(ValidationError):
        actor_deactivate(actor=None, record=duplicate, merged_into=target)

    duplicate.refresh_from_db()
    assert duplicate.is_active


def test_move_links_moves_relationships_consents_and_places(geo: Geo) -> None:
    # given a duplicate with a relationship, a consent and places, and a survivor
    survivor = ActorFactory(mission=geo.mission, admin_unit=geo.north)
    duplicate = ActorFactory(mission=geo.mission, admin_unit=geo.south, places=[geo.south_town])
    group = ActorFactory(mission=geo.mission, kind=ActorKind.GROUP, name="Youth")
    RelationshipFactory(source=duplicate, target=group, kind="leads")
    ConsentFactory(record=duplicate)
    # when links move to the survivor
    moved = actor_move_links(actor=None, source=duplicate, target=survivor)
    # then everything now hangs on the survivor
    assert moved.relationships_moved == 1
    assert moved.consents_moved == 1
    assert Relationship.objects.get().source_id == survivor.pk
    assert Consent.objects.get().actor_id == survivor.pk
    assert set(survivor.places.values_list("pcode", flat=True)) == {"CD20", "CD2001"}
    assert AuditEvent.objects.filter(action="actor.links_move").count() == 1


def test_move_links_keeps_what_would_be_a_self_link_or_a_duplicate(mission: Mission) -> None:
    # given a survivor and a duplicate that are allied, and both lead the same group
    survivor = ActorFactory(mission=mission)
    duplicate = ActorFactory(mission=mission)
    group = ActorFactory(mission=mission, kind=ActorKind.GROUP)
    RelationshipFactory(source=duplicate, target=survivor, kind="allied_with")
    RelationshipFactory(source=survivor, target=group, kind="leads")
    RelationshipFactory(source=duplicate, target=group, kind="leads")
    # when links move
    moved = actor_move_links(actor=None, source=duplicate, target=survivor)
    # then neither a self-link nor a duplicate is created; both stay on the duplicate
    assert moved.relationships_moved == 0
    assert moved.relationships_kept == 2
    assert Relationship.objects.filter(source=duplicate).count() == 1
    assert Relationship.objects.filter(source=survivor, target=group).count() == 1
