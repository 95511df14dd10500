"""Cases opened automatically from triaged messages (``cases_from_triage``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.feedback.cases import services
from palava.feedback.cases.auto import cases_from_triage
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    Message,
    MessageStatus,
    Notification,
    NotificationKind,
)
from palava.feedback.triage import _FIELDS as TRIAGE_FIELDS
from palava.missions.models import Role
from tests.feedback.helpers_inbox import make_cluster, member_in
from tests.feedback.test_cases_helpers import Env, make_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def env() -> Env:
    return make_env()


@pytest.mark.parametrize(
    ("category", "urgency", "case_type"),
    [
        ("security_threat", "routine", "alert"),
        ("violence_incident", "", "alert"),
        ("tension_dispute", "urgent", "alert"),
        ("need_water", "urgent", "request"),
        ("information_request", "life_threatening", "request"),
        ("conduct_complaint", "urgent", "complaint"),
        ("gbv", "life_threatening", "complaint"),
        ("rumour", "urgent", "rumour"),
        ("positive_feedback", "urgent", "feedback"),
        ("", "urgent", "feedback"),
    ],
)
def test_alerts_and_urgent_messages_open_a_case_of_the_right_type(
    env: Env, category: str, urgency: str, case_type: str
) -> None:
    message = env.message("Something happened", category=category, urgency=urgency)
    opened = cases_from_triage([message], now=timezone.now())
    assert [c.case_type for c in opened] == [case_type]
    case = Case.objects.get()
    assert case.status == CaseStatus.NEW
    assert case.urgency == urgency
    assert CaseMessage.objects.get().message == message


@pytest.mark.parametrize(
    ("category", "urgency"),
    [("need_food", "routine"), ("rumour", ""), ("positive_feedback", "routine"), ("", "")],
)
def test_routine_messages_do_not_open_a_case(env: Env, category: str, urgency: str) -> None:
    message = env.message("Please bring food", category=category, urgency=urgency)
    assert cases_from_triage([message], now=timezone.now()) == []
    assert not Case.objects.exists()


def test_spam_never_opens_a_case(env: Env) -> None:
    message = env.message("Win money now", status=MessageStatus.SPAM)
    assert cases_from_triage([message], now=timezone.now()) == []


def test_the_case_copies_the_message_labels_and_has_no_body_words(env: Env) -> None:
    message = env.message(
        "Armed men with guns at Kasindi market call me",
        phone="+243 990 555 444",
        reporter=True,
        language="fr",
    )
    [case] = cases_from_triage([message], now=timezone.now())
    case = Case.objects.get(pk=case.pk)
    assert case.title == "Security threat in Béni"
    assert case.category == env.cats["security_threat"]
    assert case.admin_unit == env.geo.north_town
    assert case.reporter_id == message.reporter_id
    assert case.reply_channel == env.channel
    assert case.language == "fr"
    assert case.team == env.team
    assert case.assignee == env.duty.user
    assert case.opened_at is not None
    assert case.next_escalation_at == case.acknowledge_due_at
    notice = Notification.objects.get(case=case)
    assert notice.kind == NotificationKind.NEW_CASE
    assert notice.recipient == env.duty.user
    assert notice.title == f"New Alert {case.reference} in Béni"
    for text in (
        case.title,
        notice.title,
        str(
            AuditEvent.objects.filter(object_id=str(case.public_id)).values_list(
                "changes", flat=True
            )[0]
        ),
    ):
        assert "Kasindi" not in text
        assert "555" not in text
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["created", "assigned", "message"]


def test_a_restricted_message_makes_a_restricted_case(env: Env) -> None:
    message = env.message("Abuse", category="sea", urgency="urgent")
    [case] = cases_from_triage([message], now=timezone.now())
    assert case.is_restricted is True


def test_messages_of_a_cluster_with_an_open_case_join_it(env: Env) -> None:
    cluster = make_cluster(env.mission, category=env.cats["security_threat"])
    first = env.message("Shots near the school", urgency="urgent", cluster=cluster)
    [case] = cases_from_triage([first], now=timezone.now())
    again = env.message("Still shooting", urgency="life_threatening", cluster=cluster)
    routine = env.message("I heard shots", urgency="routine", cluster=cluster)
    assert cases_from_triage([again, routine], now=timezone.now()) == []
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert case.case_messages.count() == 3
    assert case.urgency == "life_threatening"
    assert AuditEvent.objects.filter(action="case.attach", object_id=str(case.public_id)).exists()


def test_one_cluster_in_one_batch_makes_one_case(env: Env) -> None:
    cluster = make_cluster(env.mission, category=env.cats["security_threat"])
    messages = [env.message(f"Report {i}", cluster=cluster) for i in range(4)]
    opened = cases_from_triage(messages, now=timezone.now())
    assert len(opened) == 1
    assert CaseMessage.objects.filter(case=opened[0]).count() == 4
    assert Notification.objects.filter(kind="new_case").count() == 1


def test_a_closed_case_does_not_take_new_reports_of_its_cluster(env: Env) -> None:
    cluster = make_cluster(env.mission, category=env.cats["security_threat"])
    [old] = cases_from_triage([env.message(cluster=cluster)], now=timezone.now())
    for move in ("acknowledge", "unfound", "close"):
        if move == "acknowledge":
            services.case_acknowledge(case=old, actor=env.duty.user)
        elif move == "unfound":
            services.case_verify(case=old, actor=env.duty.user, verified=False)
        else:
            services.case_close(case=old, actor=env.duty.user)
    [new] = cases_from_triage([env.message(cluster=cluster)], now=timezone.now())
    assert new.pk != old.pk


def test_a_message_already_in_a_case_is_left_alone(env: Env) -> None:
    message = env.message()
    cases_from_triage([message], now=timezone.now())
    assert cases_from_triage([message], now=timezone.now()) == []
    assert Case.objects.count() == 1


def test_keyword_messages_never_open_a_case(env: Env) -> None:
    pytest.importorskip("palava.feedback.outbound.optout")
    message = env.message("STOP", urgency="urgent")
    assert cases_from_triage([message], now=timezone.now()) == []


def test_no_rule_sends_the_new_case_to_managers_in_scope(env: Env) -> None:
    south = member_in(env.mission, Role.MANAGER, env.geo.south)
    north = member_in(env.mission, Role.MANAGER, env.geo.north)
    officer = member_in(env.mission, Role.OFFICER)
    [case] = cases_from_triage([env.message(unit="south_town")], now=timezone.now())
    got = {n.recipient_id for n in Notification.objects.filter(case=case)}
    assert got == {env.manager.user_id, south.user_id}
    assert north.user_id not in got
    assert officer.user_id not in got


def test_a_batch_costs_a_bounded_number_of_queries(
    env: Env, django_assert_max_num_queries: Any
) -> None:
    clusters = [make_cluster(env.mission, category=env.cats["security_threat"]) for _ in range(5)]
    messages = [
        env.message(
            f"Report {i}",
            cluster=clusters[i % 5] if i % 2 else None,
            urgency="routine",
            category="need_food" if i % 3 else "security_threat",
        )
        for i in range(150)
    ]
    alerts = sum(1 for i in range(150) if i % 3 == 0)
    # loaded the way triage loads its batch: deferred fields would cost a query per message
    messages = list(Message.objects.filter(pk__in=[m.pk for m in messages]).only(*TRIAGE_FIELDS))
    with django_assert_max_num_queries(16 + 2 * alerts):  # measured: 16 + 2 per case (audit)
        opened = cases_from_triage(messages, now=timezone.now())
    assert 0 < len(opened) <= alerts
    assert CaseMessage.objects.count() >= len(opened)
