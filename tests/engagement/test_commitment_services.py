"""Services of the commitments ledger: numbering, transitions, evidence, verification, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from palava.actors.models import RecordSensitivity
from palava.audit.models import AuditEvent
from palava.engagement.commitment_services import (
    TRANSITIONS,
    commitment_add_evidence,
    commitment_set_status,
    commitment_update,
    commitment_verify,
)
from palava.engagement.models import (
    Activity,
    ActivityType,
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentStatus,
    EvidenceKind,
    PartyKind,
    Verification,
)
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_commitments import make_commitment, unit_of
from tests.factories import ActorFactory, MissionFactory

pytestmark = pytest.mark.django_db
S = CommitmentStatus


def _activity(mission: Mission, when: dt.datetime, unit: Any = None) -> Activity:
    return Activity.objects.create(
        mission=mission,
        activity_type=ActivityType.TOWN_HALL,
        title="Town hall",
        admin_unit=unit or unit_of(mission),
        starts_at=when,
    )


def test_numbers_follow_per_mission(mission: Mission) -> None:
    first = make_commitment(mission)
    second = make_commitment(mission)
    other = make_commitment(MissionFactory())
    assert (first.reference, second.reference) == ("C-0001", "C-0002")
    assert other.number == 1


def test_creation_writes_an_event_and_an_audit_row_without_names(mission: Mission) -> None:
    c = make_commitment(mission, made_by_name="Colonel Secret")
    assert list(c.events.values_list("kind", flat=True)) == [CommitmentEventKind.CREATED]
    row = AuditEvent.objects.get(action="engagement.commitment.create")
    assert row.object_id == str(c.public_id)
    assert "Colonel Secret" not in str(row.changes)
    assert "borehole" not in str(row.changes)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (PartyKind.ARMED_GROUP, RecordSensitivity.CONFIDENTIAL),
        (PartyKind.MISSION, RecordSensitivity.INTERNAL),
        (PartyKind.COMMUNITY, RecordSensitivity.INTERNAL),
    ],
)
def test_default_sensitivity_by_party(mission: Mission, kind: str, expected: int) -> None:
    assert make_commitment(mission, made_by_kind=kind).sensitivity == expected


def test_explicit_sensitivity_wins(mission: Mission) -> None:
    c = make_commitment(
        mission, made_by_kind=PartyKind.ARMED_GROUP, sensitivity=int(RecordSensitivity.INTERNAL)
    )
    assert c.sensitivity == RecordSensitivity.INTERNAL


def test_links_must_belong_to_the_mission(mission: Mission) -> None:
    elsewhere = MissionFactory()
    with pytest.raises(ValidationError) as place:
        make_commitment(mission, admin_unit=unit_of(elsewhere))
    assert "admin_unit" in place.value.message_dict
    with pytest.raises(ValidationError) as actor:
        make_commitment(mission, made_to_actor=ActorFactory(mission=elsewhere))
    assert "made_to_actor" in actor.value.message_dict
    activity = _activity(elsewhere, timezone.now())
    with pytest.raises(ValidationError) as act:
        make_commitment(mission, activity=activity)
    assert "activity" in act.value.message_dict
    assert not Commitment.objects.filter(mission=mission).exists()


def test_owner_must_be_staff_of_the_mission(mission: Mission, member_of: Any) -> None:
    partner: Membership = member_of(Role.PARTNER)
    with pytest.raises(ValidationError) as exc:
        make_commitment(mission, owner=partner.user)
    assert "owner" in exc.value.message_dict


def test_a_member_cannot_record_above_their_clearance(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    with pytest.raises(ValidationError) as exc:
        make_commitment(
            mission,
            by=officer,
            membership=officer,
            sensitivity=int(RecordSensitivity.STRICTLY_CONFIDENTIAL),
        )
    assert "sensitivity" in exc.value.message_dict


ALL_MOVES = [(a, b) for a in S.values for b in S.values if a != b]


@pytest.mark.parametrize(("start", "target"), ALL_MOVES)
def test_transition_table(mission: Mission, start: str, target: str) -> None:
    c = make_commitment(mission)
    Commitment.objects.filter(pk=c.pk).update(status=start)
    c.refresh_from_db()
    allowed = target in TRANSITIONS[start]
    if allowed:
        moved = commitment_set_status(actor=None, commitment=c, status=target, note="because")
        assert moved.status == target
        assert moved.status_changed_at is not None
        event = c.events.get(kind=CommitmentEventKind.STATUS)
        assert (event.from_status, event.to_status, event.note) == (start, target, "because")
    else:
        with pytest.raises(ValidationError):
            commitment_set_status(actor=None, commitment=c, status=target, note="because")
        c.refresh_from_db()
        assert c.status == start


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.PENDING, S.BROKEN), (S.PENDING, S.CANCELLED), (S.DONE, S.IN_PROGRESS)],
)
def test_a_note_is_required(mission: Mission, start: str, target: str) -> None:
    c = make_commitment(mission)
    Commitment.objects.filter(pk=c.pk).update(status=start)
    c.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        commitment_set_status(actor=None, commitment=c, status=target, note="   ")
    assert "note" in exc.value.message_dict


def test_status_change_is_audited(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission)
    commitment_set_status(actor=officer.user, commitment=c, status=S.DONE)
    row = AuditEvent.objects.get(action="engagement.commitment.status")
    assert row.changes["status"] == "done"
    assert row.actor == officer.user


def test_unknown_status_is_refused(mission: Mission) -> None:
    c = make_commitment(mission)
    with pytest.raises(ValidationError):
        commitment_set_status(actor=None, commitment=c, status="kept-ish")


def test_edit_records_old_and_new_values(mission: Mission) -> None:
    c = make_commitment(mission)
    new_unit = unit_of(mission)
    c = commitment_update(
        actor=None, commitment=c, description="Repair two boreholes", admin_unit=new_unit
    )
    event = c.events.get(kind=CommitmentEventKind.EDITED)
    assert event.changes["description"] == [
        "Repair the borehole at the market",
        "Repair two boreholes",
    ]
    assert event.changes["admin_unit"][1] == new_unit.pcode
    row = AuditEvent.objects.get(action="engagement.commitment.update")
    assert row.changes == {"admin_unit": new_unit.pcode, "description": "changed"}


def test_edit_without_change_writes_nothing(mission: Mission) -> None:
    c = make_commitment(mission)
    commitment_update(actor=None, commitment=c, description=c.description)
    assert not c.events.filter(kind=CommitmentEventKind.EDITED).exists()


def test_edit_refuses_other_fields_and_bad_dates(mission: Mission) -> None:
    c = make_commitment(mission)
    with pytest.raises(ValidationError):
        commitment_update(actor=None, commitment=c, status=S.DONE)
    with pytest.raises(ValidationError) as exc:
        commitment_update(actor=None, commitment=c, due_date=dt.date(2026, 2, 1))
    assert "due_date" in exc.value.message_dict


def test_note_evidence(mission: Mission) -> None:
    c = make_commitment(mission)
    evidence = commitment_add_evidence(
        actor=None, commitment=c, kind=EvidenceKind.NOTE, note="Seen on patrol"
    )
    assert evidence.kind == EvidenceKind.NOTE
    assert c.events.get(kind=CommitmentEventKind.EVIDENCE).note == "Seen on patrol"
    with pytest.raises(ValidationError):
        commitment_add_evidence(actor=None, commitment=c, kind=EvidenceKind.NOTE, note="  ")
    with pytest.raises(ValidationError):
        commitment_add_evidence(actor=None, commitment=c, kind=EvidenceKind.NOTE, note="x" * 5000)


def test_activity_evidence_must_be_later_and_of_the_mission(mission: Mission) -> None:
    c = make_commitment(mission, made_on=dt.date(2026, 3, 1))
    later = _activity(mission, dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC))
    earlier = _activity(mission, dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC))
    foreign = _activity(MissionFactory(), dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC))
    ok = commitment_add_evidence(
        actor=None, commitment=c, kind=EvidenceKind.ACTIVITY, activity=later
    )
    assert ok.activity == later
    for bad in (earlier, foreign, None):
        with pytest.raises(ValidationError):
            commitment_add_evidence(
                actor=None, commitment=c, kind=EvidenceKind.ACTIVITY, activity=bad
            )
    assert c.evidence.count() == 1


def test_file_evidence_goes_through_documents(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission)
    upload = SimpleUploadedFile("minutes.txt", b"The road was reopened.\n", "text/plain")
    evidence = commitment_add_evidence(
        actor=officer.user, commitment=c, kind=EvidenceKind.FILE, upload=upload
    )
    assert evidence.document is not None
    assert evidence.document.commitment == c
    assert AuditEvent.objects.filter(action="engagement.document.add").count() == 1
    with pytest.raises(ValidationError):
        commitment_add_evidence(actor=None, commitment=c, kind=EvidenceKind.FILE, upload=None)
    with pytest.raises(ValidationError):
        commitment_add_evidence(
            actor=None,
            commitment=c,
            kind=EvidenceKind.FILE,
            upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00\x03", "application/octet-stream"),
        )
    with pytest.raises(ValidationError):
        commitment_add_evidence(actor=None, commitment=c, kind="rumour")
    assert c.evidence.count() == 1


def test_verification_keeps_its_note_out_of_history_and_audit(mission: Mission) -> None:
    c = make_commitment(mission)
    c = commitment_verify(
        actor=None, commitment=c, verification=Verification.PARTLY, note="Asked Mama Neema"
    )
    assert c.verified_at is not None
    assert c.verification_note == "Asked Mama Neema"
    event = c.events.get(kind=CommitmentEventKind.VERIFICATION)
    assert event.changes == {"verification": ["not_asked", "partly"]}
    assert "Neema" not in event.note
    row = AuditEvent.objects.get(action="engagement.commitment.verify")
    assert "Neema" not in str(row.changes)
    with pytest.raises(ValidationError):
        commitment_verify(actor=None, commitment=c, verification=Verification.KEPT, note="")
    with pytest.raises(ValidationError):
        commitment_verify(actor=None, commitment=c, verification="maybe", note="x")
    reset = commitment_verify(actor=None, commitment=c, verification=Verification.NOT_ASKED)
    assert reset.verified_at is None


def test_every_write_leaves_a_history_line(mission: Mission) -> None:
    c = make_commitment(mission)
    commitment_set_status(actor=None, commitment=c, status=S.IN_PROGRESS)
    commitment_add_evidence(actor=None, commitment=c, kind=EvidenceKind.NOTE, note="ok")
    commitment_verify(actor=None, commitment=c, verification=Verification.KEPT, note="asked")
    kinds = list(
        CommitmentEvent.objects.filter(commitment=c)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "status", "evidence", "verification"]


def test_audit_rows_name_only_known_fields(mission: Mission, member_of: Any) -> None:
    officer: Membership = member_of(Role.OFFICER)
    c = make_commitment(mission, by=officer)
    commitment_update(actor=officer.user, commitment=c, made_by_name="Someone else")
    commitment_set_status(actor=officer.user, commitment=c, status=S.IN_PROGRESS)
    commitment_add_evidence(actor=officer.user, commitment=c, kind=EvidenceKind.NOTE, note="ok")
    commitment_verify(
        actor=officer.user, commitment=c, verification=Verification.KEPT, note="Asked Neema"
    )
    rows = AuditEvent.objects.filter(action__startswith="engagement.commitment.")
    assert rows.count() == 5
    text = str(list(rows.values_list("changes", flat=True)))
    assert "[redacted]" not in text
    assert "Someone else" not in text
    assert "Neema" not in text
