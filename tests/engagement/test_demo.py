"""The engagement demo: about forty activities, eighty commitments in every state with a history
that fits, ten partners and fifteen projects; valid, self-contained and loaded once."""

from __future__ import annotations

import builtins
import io
import os
import re
import sys
import zoneinfo
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from palava.actors.demo import load_actors
from palava.actors.models import ActorKind, ActorType
from palava.audit.models import AuditEvent
from palava.core.demo import loaders
from palava.core.sensitivity import Sensitivity
from palava.engagement.demo import load_engagement
from palava.engagement.demo_files import csv_file, pdf_file
from palava.engagement.models import (
    OPEN_STATUSES,
    Activity,
    ActivityIssue,
    ActivityStatus,
    ActivityType,
    Agreement,
    AttendanceCount,
    Commitment,
    CommitmentEvent,
    CommitmentEventKind,
    CommitmentEvidence,
    CommitmentStatus,
    Deliverable,
    DeliverableStatus,
    Document,
    EngagementSettings,
    Participant,
    Partner,
    PartyKind,
    Project,
    ProjectReach,
    Verification,
)
from palava.missions.demo import demo_base_load
from palava.missions.models import Mission
from palava.places.demo import load_places

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_loader_runs_after_places_actors_and_feedback() -> None:
    order = {name.rsplit(".", 1)[-1]: n for n, name in loaders()}
    assert order["load_engagement"] == 700
    assert order["load_engagement"] > max(
        order["load_places"], order["load_actors"], order["load_feedback"]
    )


def test_the_generated_pdf_has_a_sound_cross_reference_table() -> None:
    # when a PDF is generated (with characters PDF strings must escape)
    file = pdf_file("x.pdf", "Minutes (draft)", ["Line \\ one", "Ligne deux é"])
    content = file.content
    # then it starts with the PDF magic and every xref offset points at its object
    assert content.startswith(b"%PDF-1.4\n")
    assert content.rstrip().endswith(b"%%EOF")
    start = int(re.findall(rb"startxref\n(\d+)", content)[-1])
    assert content[start:].startswith(b"xref\n0 6\n")
    offsets = re.findall(rb"(\d{10}) 00000 n", content[start:])
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, start=1):
        assert content[int(offset) :].startswith(f"{number} 0 obj".encode())
    assert rb"Minutes \(draft\)" in content
    assert file.size == len(content)
    assert len(file.sha256) == 64
    # and the CSV sheet holds a header and one line per row
    sheet = csv_file("a.csv", ("sex", "count"), [("f", 3), ("m", 4)])
    assert sheet.content.decode() == "sex,count\nf,3\nm,4\n"


def _counts(mission: Mission) -> tuple[int, ...]:
    return (
        Activity.objects.filter(mission=mission).count(),
        Participant.objects.filter(activity__mission=mission).count(),
        AttendanceCount.objects.filter(activity__mission=mission).count(),
        ActivityIssue.objects.filter(activity__mission=mission).count(),
        Commitment.objects.filter(mission=mission).count(),
        CommitmentEvent.objects.filter(commitment__mission=mission).count(),
        CommitmentEvidence.objects.filter(commitment__mission=mission).count(),
        Partner.objects.filter(mission=mission).count(),
        Agreement.objects.filter(partner__mission=mission).count(),
        Project.objects.filter(mission=mission).count(),
        Deliverable.objects.filter(project__mission=mission).count(),
        Document.objects.filter(mission=mission).count(),
        AuditEvent.objects.count(),
    )


def _check_history(commitment: Commitment, reminder_days: int) -> None:
    """The events tell the commitment's story: created, status changes ending in its status,
    one reminder and one escalation exactly when stamped, verification and evidence."""
    now = timezone.now()
    zone = zoneinfo.ZoneInfo(commitment.mission.time_zone)
    today = timezone.localdate(timezone=zone)
    events = list(commitment.events.order_by("at", "id"))
    ref = commitment.reference
    assert events[0].kind == CommitmentEventKind.CREATED, ref
    assert events[0].to_status == CommitmentStatus.PENDING, ref
    assert all(e.at <= now for e in events), ref
    assert all(e.at.astimezone(zone).date() >= commitment.made_on for e in events), ref
    current: str = CommitmentStatus.PENDING
    for event in events:
        if event.kind == CommitmentEventKind.STATUS:
            assert event.from_status == current, ref
            assert event.to_status != current, ref
            current = event.to_status
    assert current == commitment.status, ref
    status_events = [e for e in events if e.kind == CommitmentEventKind.STATUS]
    assert commitment.status_changed_at == (status_events[-1].at if status_events else None), ref
    reminders = [e for e in events if e.kind == CommitmentEventKind.REMINDER]
    escalations = [e for e in events if e.kind == CommitmentEventKind.ESCALATION]
    assert [e.at for e in reminders] == (
        [commitment.reminder_sent_at] if commitment.reminder_sent_at else []
    ), ref
    assert [e.at for e in escalations] == (
        [commitment.escalated_at] if commitment.escalated_at else []
    ), ref
    assert all(e.by_id is None for e in reminders + escalations), ref
    closed = status_events[-1].at if commitment.status not in OPEN_STATUSES else None
    for event in reminders + escalations:
        assert closed is None or event.at < closed, ref
    if escalations:
        assert commitment.due_date is not None, ref
        assert escalations[0].at.astimezone(zone).date() > commitment.due_date, ref
        assert not reminders or reminders[0].at < escalations[0].at, ref
    if commitment.status in OPEN_STATUSES and commitment.due_date is not None:
        # the scheduler has nothing left to fire for the past
        if commitment.due_date < today - timedelta(days=1):
            assert commitment.escalated_at is not None, ref
        if commitment.due_date <= today + timedelta(days=reminder_days - 1):
            assert commitment.reminder_sent_at is not None, ref
    verifications = [e for e in events if e.kind == CommitmentEventKind.VERIFICATION]
    if commitment.verification == Verification.NOT_ASKED:
        assert not verifications, ref
        assert commitment.verified_at is None, ref
    else:
        assert commitment.status in (CommitmentStatus.DONE, CommitmentStatus.BROKEN), ref
        assert [e.changes["verification"] for e in verifications] == [
            [Verification.NOT_ASKED, commitment.verification]
        ]
        assert all(e.note == "" for e in verifications), ref  # the note is confidential
        assert commitment.verified_at == verifications[0].at, ref
    evidence = [e for e in events if e.kind == CommitmentEventKind.EVIDENCE]
    assert len(evidence) == commitment.evidence.count(), ref


@pytest.mark.django_db
def test_the_engagement_demo_loads_every_state_once_and_reads_no_outside_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the demo mission, geography and actors
    demo = demo_base_load(io.StringIO())
    mission = demo.mission
    load_places(mission, demo.users, io.StringIO())
    load_actors(mission, demo.users, io.StringIO())
    # and every file opening recorded
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | bytes | os.PathLike):
            opened.append(os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    def spy_os_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(os.fsdecode(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    # when the engagement demo loads
    out = io.StringIO()
    load_engagement(mission, demo.users, out)
    monkeypatch.undo()
    # then it read nothing outside the project and Python
    allowed = [PROJECT_ROOT, Path(sys.base_prefix), Path(sys.prefix)]
    allowed += [Path(p) for p in zoneinfo.TZPATH]
    resolved = [Path(p).resolve() for p in opened]
    assert [p for p in resolved if not any(p.is_relative_to(root) for root in allowed)] == []
    assert re.match(r"engagement: 4\d activities, 80 commitments, 10 partners", out.getvalue())
    settings = EngagementSettings.objects.get(mission=mission)

    # about forty activities of every type and status, past and future, in some places only
    activities = Activity.objects.filter(mission=mission)
    assert 38 <= activities.count() <= 44
    assert set(activities.values_list("activity_type", flat=True)) == set(ActivityType.values)
    statuses = Counter(activities.values_list("status", flat=True))
    assert set(statuses) == set(ActivityStatus.values)
    assert statuses[ActivityStatus.HELD] >= 25
    now = timezone.now()
    assert not activities.filter(status=ActivityStatus.HELD, starts_at__gt=now).exists()
    assert not activities.filter(status=ActivityStatus.PLANNED, starts_at__lt=now).exists()
    assert activities.filter(starts_at__lt=now - timedelta(days=150)).exists()
    assert activities.filter(starts_at__gt=now + timedelta(days=30)).exists()
    assert not activities.filter(starts_at__gt=now + timedelta(days=43)).exists()
    assert not activities.filter(starts_at__lt=now - timedelta(days=183)).exists()
    for activity in activities.exclude(status__in=[ActivityStatus.HELD, ActivityStatus.PLANNED]):
        assert activity.cancel_reason
    engaged = set(activities.values_list("admin_unit", flat=True))
    assert 18 <= len(engaged) <= 26
    assert activities.filter(follow_up_of__isnull=False).count() >= 6
    assert activities.filter(follow_up_of__follow_up_of__isnull=False).exists()
    assert activities.exclude(interpretation="").exists()
    held = activities.filter(status=ActivityStatus.HELD)
    assert not held.filter(minutes="").exists()
    assert not activities.exclude(status=ActivityStatus.HELD).exclude(minutes="").exists()
    assert all(a.facilitators.exists() for a in activities)
    # with linked actors, strictly confidential armed-group figures among them
    participants = Participant.objects.filter(activity__mission=mission)
    assert participants.count() >= 100
    armed = participants.filter(actor__actor_type=ActorType.ARMED_GROUP_FIGURE)
    assert armed.exists()
    assert {p.actor.sensitivity for p in armed} == {int(Sensitivity.STRICTLY_CONFIDENTIAL)}
    # anonymous attendance on held activities only, with women, minorities and the displaced
    cells = AttendanceCount.objects.filter(activity__mission=mission)
    assert set(cells.values_list("activity", flat=True)) == set(held.values_list("pk", flat=True))
    groups = set(cells.values_list("group", flat=True))
    assert {"general", "idp", "host", "minority", "womens_group", "youth_group"} <= groups
    low_women = 0
    for activity in held.exclude(title__contains="women"):
        people = Counter[str]()
        for cell in activity.attendance.all():
            cell.full_clean()
            people[cell.sex] += cell.count
        if people["f"] < 0.2 * sum(people.values()):
            low_women += 1
    assert low_women >= 3
    # issues raised classed with the feedback taxonomy
    issues = ActivityIssue.objects.filter(activity__mission=mission)
    assert issues.count() >= held.count()
    assert not issues.filter(category__isnull=True).exists()
    assert not issues.filter(category__is_restricted=True).exists()
    # and files whose size and checksum are right
    documents = Document.objects.filter(mission=mission)
    assert {d.content_type for d in documents} == {"application/pdf", "text/csv"}
    assert documents.filter(activity__isnull=False).count() == 3
    for document in documents:
        content = bytes(document.content)
        assert document.size == len(content)
        document.full_clean()
        assert content.startswith(b"%PDF-") or document.filename.endswith(".csv")

    # eighty commitments in every status, by every kind of party, most made at activities
    commitments = Commitment.objects.filter(mission=mission).select_related("mission")
    assert commitments.count() == 80
    assert set(commitments.values_list("status", flat=True)) == set(CommitmentStatus.values)
    assert set(commitments.values_list("made_by_kind", flat=True)) == set(PartyKind.values)
    assert sorted(commitments.values_list("number", flat=True)) == list(range(1, 81))
    assert commitments.filter(activity__isnull=False).count() >= 60
    for commitment in commitments.filter(activity__isnull=False).select_related("activity"):
        assert commitment.activity is not None
        assert commitment.admin_unit_id == commitment.activity.admin_unit_id
        assert commitment.made_on == commitment.activity.starts_at.date()
    armed_promises = commitments.filter(made_by_kind=PartyKind.ARMED_GROUP)
    assert all(c.sensitivity >= Sensitivity.CONFIDENTIAL for c in armed_promises)
    assert armed_promises.filter(made_by_actor__isnull=False).exists()
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(mission.time_zone))
    open_ones = commitments.filter(status__in=OPEN_STATUSES)
    assert open_ones.filter(due_date__lt=today, escalated_at__isnull=False).count() >= 5
    assert open_ones.filter(due_date__gte=today, reminder_sent_at__isnull=False).count() >= 5
    assert open_ones.filter(due_date__gt=today + timedelta(days=14)).count() >= 5
    verdicts = set(commitments.values_list("verification", flat=True))
    assert verdicts == set(Verification.values)
    kinds = set(CommitmentEvidence.objects.filter(commitment__mission=mission).values_list(
        "kind", flat=True))  # fmt: skip
    assert kinds == {"note", "activity", "file"}
    for commitment in commitments:
        commitment.full_clean()
        _check_history(commitment, settings.reminder_days)
    for event in CommitmentEvent.objects.filter(commitment__mission=mission):
        event.full_clean()

    # ten partner organisations, agreements (one expired, one expiring soon), fifteen projects
    partners = Partner.objects.filter(mission=mission).select_related("actor")
    assert partners.count() == 10
    assert {p.actor.kind for p in partners} == {ActorKind.ORGANISATION}
    assert len({p.partner_type for p in partners}) >= 5
    agreements = Agreement.objects.filter(partner__mission=mission)
    assert agreements.filter(ends_on__lt=today).exists()
    assert agreements.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=30)).exists()
    assert agreements.exclude(data_sharing="none").exclude(data_sharing_terms="").exists()
    projects = Project.objects.filter(mission=mission)
    assert projects.count() == 15
    assert {p.currency for p in projects} == {"USD", "CDF"}
    assert len({p.status for p in projects}) == 5
    assert len({p.sector for p in projects}) >= 8
    assert projects.filter(project_type="qip").count() >= 5
    for project in projects:
        project.full_clean()
    for reach in ProjectReach.objects.filter(project__mission=mission):
        reach.full_clean()
        assert reach.reached <= reach.targeted
    deliverables = Deliverable.objects.filter(project__mission=mission)
    assert deliverables.filter(status=DeliverableStatus.DELIVERED).exists()
    assert deliverables.filter(status=DeliverableStatus.PENDING, due_on__lt=today).exists()
    # handovers happened where the quick-impact projects are
    for handover in activities.filter(activity_type=ActivityType.PROJECT_HANDOVER):
        assert projects.filter(admin_unit=handover.admin_unit, project_type="qip").exists()

    # when it loads again (as every `palava demo` start does)
    before = _counts(mission)
    again = io.StringIO()
    load_engagement(mission, demo.users, again)
    # then nothing was added, not even an audit row
    assert _counts(mission) == before
    assert "0 activities, 0 commitments, 0 partners" in again.getvalue()
