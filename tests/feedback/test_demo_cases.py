"""The demo's cases: routing set up before triage, realistic histories for the cases triage
opened from six months of demo messages (consistent timelines, some late, some still open),
a few cases opened by hand, figures on the metrics page; idempotent."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Min
from django.utils import timezone

import palava.feedback.cases.demo  # noqa: F401 - registers the loaders (until feedback/demo.py does)
from palava.audit.models import AuditEvent
from palava.core.demo import demo_load, loaders
from palava.feedback.cases.metrics import case_metrics
from palava.feedback.cases.timeline import TRANSITIONS, URGENT_LEVELS
from palava.feedback.models import (
    AssignmentRule,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseResponse,
    CaseStatus,
    CaseType,
    Notification,
    NotificationKind,
    Rumour,
    RumourStatus,
    SlaPolicy,
    Team,
)
from palava.missions.models import Membership, Role

S = CaseStatus


def _counts(mission: Any) -> tuple[int, ...]:
    return (
        Case.objects.filter(mission=mission).count(),
        CaseEvent.objects.filter(case__mission=mission).count(),
        CaseResponse.objects.filter(case__mission=mission).count(),
        Notification.objects.filter(mission=mission).count(),
        AuditEvent.objects.count(),
    )


def test_case_loaders_run_around_the_feedback_demo() -> None:
    order = {name.rsplit(".", 1)[-1]: n for n, name in loaders()}
    assert order["load_case_routing"] < order["load_feedback"] < order["load_case_timelines"]
    assert order["load_case_timelines"] < order["load_rumours"]


@pytest.mark.django_db
def test_the_demo_has_cases_with_realistic_histories_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False):
        demo = demo_load(stdout=out)
    mission = demo.mission
    now = timezone.now()

    # routing was there before triage opened the cases, so they are assigned
    assert Team.objects.filter(mission=mission).count() == 3
    assert AssignmentRule.objects.filter(mission=mission).exists()
    assert SlaPolicy.objects.filter(mission=mission).exists()
    cases = list(
        Case.objects.filter(mission=mission).annotate(
            first_at=Min("case_messages__message__received_at")
        )
    )
    assert len(cases) >= 100
    assert sum(c.assignee_id is not None for c in cases) > 0.9 * len(cases)
    # every case triage opened did so within minutes of its first message, months ago for most
    for case in cases:
        if case.case_type != CaseType.ALERT and case.urgency not in URGENT_LEVELS:
            continue  # opened by hand, later
        assert timedelta(0) <= case.opened_at - case.first_at < timedelta(minutes=5), case
    assert min(c.opened_at for c in cases) < now - timedelta(days=120)
    types = Counter(c.case_type for c in cases)
    assert types[CaseType.ALERT] > 0.3 * len(cases)
    statuses = Counter(c.status for c in cases)
    assert statuses[S.CLOSED] > 0.4 * len(cases)
    assert statuses[S.UNFOUNDED] + statuses[S.REPORTER_INFORMED] + statuses[S.RESOLVED] > 0
    still_open = [
        c for c in cases if c.status != S.CLOSED and c.opened_at > now - timedelta(days=2)
    ]
    assert still_open, "the last days' cases are partly still open"
    # timestamps in the order of the chain, never in the future
    for case in cases:
        stamps = [case.opened_at, case.acknowledged_at, case.response_dispatched_at,
                  case.resolved_at, case.closed_at]  # fmt: skip
        present = [s for s in stamps if s is not None]
        assert present == sorted(present), case
        assert present[-1] <= now
    # each timeline follows the state machine to the case's status
    events: Counter[int] = Counter()
    for case in cases:
        status: str = S.NEW
        for event in CaseEvent.objects.filter(case=case, kind=CaseEventKind.STATUS).order_by(
            "at", "id"
        ):
            assert event.from_status == status, case
            assert event.to_status in TRANSITIONS[status], case
            status = event.to_status
        assert status == case.status, case
        events[case.pk] += 1
    # some were late, with escalation notices; responses recorded
    late = [c for c in cases if c.acknowledge_breached_at or c.respond_breached_at]
    assert 0.05 * len(cases) < len(late) < 0.6 * len(cases)
    assert Notification.objects.filter(mission=mission, kind=NotificationKind.ACK_OVERDUE).exists()
    assert CaseEvent.objects.filter(case__mission=mission, kind=CaseEventKind.ESCALATED).exists()
    assert CaseResponse.objects.filter(case__mission=mission).count() >= statuses[S.CLOSED] // 2
    # new-case notices date from the opening, not from the load
    notices = Notification.objects.filter(mission=mission, kind=NotificationKind.NEW_CASE)
    assert notices.filter(created_at__lt=now - timedelta(days=30)).exists()
    # a few opened by hand
    assert "opened by hand" in out.getvalue()
    # rumours from the demo's rumour messages, one of them countered
    rumours = Rumour.objects.filter(mission=mission)
    assert rumours.count() >= 2
    assert rumours.filter(status=RumourStatus.COUNTERED).count() == 1
    assert all(r.rumour_messages.exists() for r in rumours)
    # and the metrics page has believable figures
    manager = Membership.objects.get(mission=mission, user=demo.users[Role.MANAGER])
    totals = case_metrics(membership=manager).totals
    assert totals.ack_median is not None
    assert 60 < totals.ack_median < 30 * 60
    assert totals.respond_median is not None
    assert totals.ack_median < totals.respond_median
    assert totals.informed_share is not None
    assert 0.3 < totals.informed_share < 0.95
    assert totals.breached > 0

    # when it loads again, nothing is added
    before = _counts(mission)
    with django_capture_on_commit_callbacks(execute=False):
        demo_load(stdout=io.StringIO())
    assert _counts(mission) == before
