"""Relationship rules: no self-links, no cross-mission pairs, no duplicates in either direction
for symmetric kinds, dated ends."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from palava.actors.models import Relationship, RelationshipKind
from palava.actors.services import actor_deactivate, relationship_create, relationship_end
from palava.audit.models import AuditEvent
from palava.missions.models import Mission
from tests.factories import ActorFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def test_a_relationship_is_recorded_and_audited(mission: Mission) -> None:
    chief = ActorFactory(mission=mission)
    council = ActorFactory(mission=mission, kind="group")

    rel = relationship_create(
        actor=None,
        source=chief,
        target=council,
        kind=RelationshipKind.LEADS,
        start_date=date(2019, 5, 1),
        information_source="Interview with the council secretary",
        confidence="high",
    )

    assert (rel.source, rel.target, rel.kind) == (chief, council, "leads")
    event = AuditEvent.objects.get(action="relationship.create")
    assert event.changes["kind"] == "leads"
    assert "information_source" not in event.changes


def test_an_actor_cannot_relate_to_itself(mission: Mission) -> None:
    chief = ActorFactory(mission=mission)

    with pytest.raises(ValidationError):
        relationship_create(actor=None, source=chief, target=chief, kind="related_to")

    assert not Relationship.objects.exists()


def test_the_database_refuses_a_self_relationship_too(mission: Mission) -> None:
    rel = RelationshipFactory(source=ActorFactory(mission=mission))

    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.filter(pk=rel.pk).update(target=rel.source)


def test_actors_of_two_missions_cannot_be_related(mission: Mission) -> None:
    ours = ActorFactory(mission=mission)
    theirs = ActorFactory()

    with pytest.raises(ValidationError):
        relationship_create(actor=None, source=ours, target=theirs, kind="allied_with")


def test_an_inactive_actor_cannot_be_related(mission: Mission) -> None:
    chief = ActorFactory(mission=mission)
    gone = actor_deactivate(actor=None, record=ActorFactory(mission=mission))

    with pytest.raises(ValidationError):
        relationship_create(actor=None, source=chief, target=gone, kind="allied_with")


@pytest.mark.parametrize("kind", ["allied_with", "in_dispute_with", "related_to"])
def test_a_symmetric_relationship_is_not_recorded_in_both_directions(
    mission: Mission, kind: str
) -> None:
    # given A kind B
    a = ActorFactory(mission=mission)
    b = ActorFactory(mission=mission)
    relationship_create(actor=None, source=a, target=b, kind=kind)
    # when B kind A is recorded / then it is refused as already recorded
    with pytest.raises(ValidationError, match="already recorded"):
        relationship_create(actor=None, source=b, target=a, kind=kind)
    assert Relationship.objects.count() == 1


@pytest.mark.parametrize("kind", ["allied_with", "related_to"])
def test_symmetric_relationships_are_stored_in_one_direction_the_database_enforces(
    mission: Mission, kind: str
) -> None:
    # given B kind A recorded with the later actor named first
    a = ActorFactory(mission=mission)
    b = ActorFactory(mission=mission)
    rel = relationship_create(actor=None, source=b, target=a, kind=kind)
    # then it is stored in one canonical direction (lower id first)
    assert (rel.source_id, rel.target_id) == (a.pk, b.pk)
    # and the database refuses a second open one of the same kind for the pair
    other = relationship_create(actor=None, source=a, target=b, kind="in_dispute_with")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.filter(pk=other.pk).update(kind=kind)


@pytest.mark.parametrize("kind", ["member_of", "leads", "represents", "mediates_between"])
def test_a_directed_relationship_may_exist_both_ways_but_not_twice(
    mission: Mission, kind: str
) -> None:
    a = ActorFactory(mission=mission)
    b = ActorFactory(mission=mission)
    relationship_create(actor=None, source=a, target=b, kind=kind)

    relationship_create(actor=None, source=b, target=a, kind=kind)
    with pytest.raises(ValidationError):
        relationship_create(actor=None, source=a, target=b, kind=kind)

    assert Relationship.objects.count() == 2


def test_an_ended_relationship_can_be_recorded_again(mission: Mission) -> None:
    # given an alliance that ended
    a = ActorFactory(mission=mission)
    b = ActorFactory(mission=mission)
    old = relationship_create(actor=None, source=a, target=b, kind="allied_with")
    relationship_end(actor=None, relationship=old, end_date=date(2024, 1, 31))
    # when they ally again / then a second, open record is kept beside the history
    relationship_create(actor=None, source=b, target=a, kind="allied_with")
    assert Relationship.objects.filter(end_date__isnull=True).count() == 1
    assert Relationship.objects.count() == 2


def test_ending_twice_or_before_the_start_is_refused(mission: Mission) -> None:
    rel = RelationshipFactory(source=ActorFactory(mission=mission), start_date=date(2020, 1, 1))

    with pytest.raises(ValidationError):
        relationship_end(actor=None, relationship=rel, end_date=date(2019, 12, 31))
    relationship_end(actor=None, relationship=rel, end_date=date(2021, 1, 1))
    with pytest.raises(ValidationError):
        relationship_end(actor=None, relationship=rel)

    rel.refresh_from_db()
    assert rel.end_date == date(2021, 1, 1)
    assert AuditEvent.objects.filter(action="relationship.end").count() == 1
