"""Selectors of the commitments ledger: scope, clearance, filters, counts, linked actors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from palava.actors.models import RecordSensitivity
from palava.engagement.commitment_selectors import (
    CommitmentFilters,
    commitment_detail,
    commitment_get,
    commitment_list,
    commitment_status_counts,
)
from palava.engagement.models import Commitment, CommitmentStatus, PartyKind, Verification
from palava.missions.models import Membership, Mission, Role
from palava.places.services import membership_scope_set
from tests.engagement.helpers_commitments import make_commitment, unit_of
from tests.factories import ActorFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _refs(found: Any) -> set[str]:
    return {c.reference for c in found}


def test_scope_limits_the_ledger(mission: Mission, member_of: Any) -> None:
    north, south = unit_of(mission, level=1), unit_of(mission, level=1)
    village = unit_of(mission, parent=north)
    in_north = make_commitment(mission, admin_unit=village)
    in_south = make_commitment(mission, admin_unit=south)
    make_commitment(MissionFactory())
    liaison: Membership = member_of(Role.LIAISON)
    membership_scope_set(actor=None, membership=liaison, units=[north])
    assert _refs(commitment_list(membership=liaison)) == {in_north.reference}
    assert commitment_get(membership=liaison, public_id=in_south.public_id) is None
    manager: Membership = member_of(Role.MANAGER)
    assert _refs(commitment_list(membership=manager)) == {in_north.reference, in_south.reference}


def test_clearance_hides_more_sensitive_commitments(mission: Mission, member_of: Any) -> None:
    armed = make_commitment(mission, made_by_kind=PartyKind.ARMED_GROUP)
    strict = make_commitment(mission, sensitivity=int(RecordSensitivity.STRICTLY_CONFIDENTIAL))
    officer: Membership = member_of(Role.OFFICER)
    manager: Membership = member_of(Role.MANAGER)
    partner: Membership = member_of(Role.PARTNER)
    assert armed.sensitivity == RecordSensitivity.CONFIDENTIAL
    assert _refs(commitment_list(membership=officer)) == {armed.reference}
    assert _refs(commitment_list(membership=manager)) == {armed.reference, strict.reference}
    assert _refs(commitment_list(membership=partner)) == set()  # internal clearance
    assert commitment_get(membership=officer, public_id=strict.public_id) is None


def test_inactive_members_see_nothing(mission: Mission, member_of: Any) -> None:
    make_commitment(mission)
    officer: Membership = member_of(Role.OFFICER, is_active=False)
    assert not commitment_list(membership=officer).exists()


def test_filters(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    activity_unit = unit_of(mission)
    from palava.engagement.models import Activity, ActivityType

    activity = Activity.objects.create(
        mission=mission,
        activity_type=ActivityType.DIALOGUE_FORUM,
        title="Forum",
        admin_unit=activity_unit,
        starts_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
    )
    early = make_commitment(mission, due_date=dt.date(2026, 3, 10), made_to_kind=PartyKind.PARTNER)
    late = make_commitment(mission, due_date=dt.date(2026, 6, 1), activity=activity)
    undated = make_commitment(mission, due_date=None, made_by_name="Chief of Kibati")
    Commitment.objects.filter(pk=late.pk).update(verification=Verification.KEPT)

    def refs(**kwargs: Any) -> set[str]:
        return _refs(commitment_list(membership=officer, filters=CommitmentFilters(**kwargs)))

    assert refs(due_from=dt.date(2026, 4, 1)) == {late.reference}
    assert refs(due_to=dt.date(2026, 4, 1)) == {early.reference}
    assert refs(party_kind=PartyKind.PARTNER) == {early.reference}
    assert refs(made_to_kind=PartyKind.PARTNER) == {early.reference}
    assert refs(query="kibati") == {undated.reference}
    assert refs(verification=Verification.KEPT) == {late.reference}
    assert refs(activity=str(activity.public_id)) == {late.reference}
    assert refs(activity="not-a-uuid") == set()
    assert refs(place="NO-SUCH-CODE") == set()
    assert refs(query="%' OR 1=1 --") == set()
    ordered = [c.reference for c in commitment_list(membership=officer)]
    assert ordered == [early.reference, late.reference, undated.reference]


def test_overdue_and_counts_follow_the_mission_day(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    due = make_commitment(mission, due_date=dt.date(2026, 3, 31))
    done = make_commitment(mission, due_date=dt.date(2026, 3, 1))
    Commitment.objects.filter(pk=done.pk).update(status=CommitmentStatus.DONE)
    # 23:30 UTC on 31 March is 1 April in Lubumbashi (UTC+2): overdue there
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        overdue = _refs(
            commitment_list(membership=officer, filters=CommitmentFilters(overdue=True))
        )
        counts = commitment_status_counts(membership=officer)
    assert overdue == {due.reference}
    assert counts["all"] == 2
    assert counts["pending"] == 1
    assert counts["done"] == 1
    assert counts["overdue"] == 1
    assert counts["broken"] == 0


def test_linked_actors_are_links_only_when_visible(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    secret = ActorFactory(
        mission=mission,
        name="Hidden commander",
        sensitivity=RecordSensitivity.STRICTLY_CONFIDENTIAL,
    )
    chief = ActorFactory(mission=mission, name="Chief")
    c = make_commitment(
        mission, made_by_actor=secret, made_by_name="Group representative", made_to_actor=chief
    )
    found = commitment_get(membership=officer, public_id=c.public_id)
    assert found is not None
    detail = commitment_detail(membership=officer, commitment=found)
    assert detail.made_by.actor_id is None
    assert detail.made_by.name == "Group representative"
    assert detail.made_to.actor_id == chief.public_id
    assert [e.kind_label for e in detail.events] == ["Recorded"]
    assert detail.verification_note_readable  # officers are cleared for confidential fields
