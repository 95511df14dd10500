"""Less travelled paths of the case chain: who is left to notify, failed e-mails, odd filters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from palava.audit.models import AuditEvent
from palava.feedback.cases import notify as notify_module
from palava.feedback.cases import selectors, services
from palava.feedback.cases.escalation import cases_escalate_due
from palava.feedback.cases.notify import notifications_deliver, notify
from palava.feedback.cases.selectors import CaseFilters
from palava.feedback.cases.services import CaseTransitionError
from palava.feedback.models import CaseEvent, CaseEventKind, Notification, NotificationKind
from palava.missions.models import Role
from tests.factories import MissionFactory, SiteFactory
from tests.feedback.helpers_inbox import member_in
from tests.feedback.test_cases_helpers import T0, Env, make_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def env() -> Env:
    return make_env()


def _at(minutes: float) -> Any:
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


def test_level_1_is_the_team_duty_officer_named_after_the_case_opened(env: Env) -> None:
    services.team_save(mission=env.mission, actor=None, team=env.team, name=env.team.name)
    with _at(0):
        case = env.alert()
    assert case.assignee is None
    services.team_save(
        mission=env.mission,
        actor=None,
        team=env.team,
        name=env.team.name,
        duty_officer=env.lead.user,
    )
    with _at(15):
        assert cases_escalate_due() == 1
    notice = Notification.objects.get(case=case, kind=NotificationKind.ACK_OVERDUE)
    assert notice.recipient == env.lead.user


def test_an_escalation_with_nobody_to_tell_is_still_on_the_timeline() -> None:
    mission = MissionFactory()
    officer = member_in(mission, Role.OFFICER)
    with _at(0):
        case = services.case_open(mission=mission, actor=officer.user, case_type="alert", title="x")
    assert not Notification.objects.filter(case=case).exists()
    with _at(15):
        assert cases_escalate_due() == 0
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.ESCALATED)
    assert event.data["recipients"] == 0
    case.refresh_from_db()
    assert case.escalation_level == 1


def test_notify_refuses_unknown_kinds_and_ignores_empty_recipients(env: Env) -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(mission=env.mission, recipients=[env.duty.user], kind="x", title="t", dedupe_key="k")
    assert (
        notify(mission=env.mission, recipients=[None], kind="new_case", title="t", dedupe_key="k")
        == []
    )


def test_a_failing_mail_server_marks_the_notice_failed_and_a_missing_address_skipped(
    env: Env, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.PALAVA_PUBLIC_URL = "https://palava.example.org"
    notify(
        mission=env.mission,
        recipients=[env.duty.user],
        kind="new_case",
        title="ok",
        url="/m/x/cases/1/",
        dedupe_key="a",
        email=True,
    )
    notifications_deliver(None)
    assert "https://palava.example.org/m/x/cases/1/" in mail.outbox[0].body

    def broken(**kwargs: Any) -> int:
        raise OSError("mail server down")

    monkeypatch.setattr(notify_module, "send_mail", broken)
    env.lead.user.email = ""
    env.lead.user.save(update_fields=["email"])
    rows = notify(
        mission=env.mission,
        recipients=[env.duty.user, env.lead.user],
        kind="new_case",
        title="t",
        dedupe_key="b",
        email=True,
    )
    notifications_deliver([r.pk for r in rows])
    status = dict(
        Notification.objects.filter(dedupe_key="b").values_list("recipient_id", "email_status")
    )
    assert status == {env.duty.user.pk: "failed", env.lead.user.pk: "skipped"}


def test_more_list_filters_and_lookups(env: Env) -> None:
    a = env.alert()
    b = env.alert(unit="south_town")
    services.case_assign(case=b, actor=None, assignee=env.member.user)
    lst = selectors.case_list

    def refs(membership: Any = env.duty, **kw: Any) -> list[str]:
        return [c.reference for c in lst(membership=membership, filters=CaseFilters(**kw))]

    assert refs(assignee="me") == [a.reference]
    assert refs(assignee=str(env.member.user.pk)) == [b.reference]
    assert refs(assignee="nobody") == []
    assert refs(team="not-a-uuid") == []
    assert refs(place="NOWHERE") == []
    assert refs(case_type="complaint") == []
    assert refs(sort="due") == [a.reference, b.reference]
    message = a.case_messages.get().message
    assert selectors.case_for_message(membership=env.duty, message_id=message.pk) == a
    assert [m.pk for m in selectors.case_messages(membership=env.duty, case=a)] == [message.pk]
    stamp = selectors.board_stamp(membership=env.duty)
    with _at(60 * 24 * 400):
        services.case_acknowledge(case=a, actor=env.duty.user)
    assert selectors.board_stamp(membership=env.duty) != stamp


def test_more_refusals(env: Env) -> None:
    case = env.alert()
    with pytest.raises(ValidationError):
        services.case_open(
            mission=env.mission,
            actor=None,
            case_type="alert",
            title="x",
            opened_at=datetime(2999, 1, 1, tzinfo=T0.tzinfo),
        )
    with pytest.raises(ValidationError):
        services.case_attach_messages(case=case, messages=[], actor=None, role="witness")
    services.case_acknowledge(case=case, actor=None)
    services.case_verify(case=case, actor=None, verified=False)
    services.case_close(case=case, actor=None)
    with pytest.raises(CaseTransitionError):
        services.case_grade(case=case, actor=None, source_reliability="A", credibility="1")
    with pytest.raises(CaseTransitionError):
        services.case_attach_messages(case=case, messages=[env.message()], actor=None)
    with pytest.raises(CaseTransitionError):
        services.case_assign(case=case, actor=None, team=env.team)
    with pytest.raises(CaseTransitionError):
        services.case_response_record(case=case, actor=None, responder_type="nobody", action="x")


def test_a_site_gives_the_case_its_area(env: Env) -> None:
    site = SiteFactory(admin_unit=env.geo.north_town, mission=env.mission, name="Camp Mavivi")
    case = services.case_open(
        mission=env.mission, actor=None, case_type="request", title="Camp Mavivi", site=site
    )
    assert case.admin_unit == env.geo.north_town
    assert case.team == env.team  # routed by the site's area


@dataclass
class _Delivered:
    public_id: uuid.UUID
    delivered_at: datetime


def test_a_delivered_reply_informs_at_its_delivery_time(env: Env) -> None:
    with _at(0):
        case = env.alert()
        services.case_acknowledge(case=case, actor=None)
        services.case_verify(case=case, actor=None, verified=False)
    with _at(30):
        services.case_reporter_informed(
            case=case,
            actor="system:outbound",
            outbound=_Delivered(uuid.uuid4(), T0 + timedelta(minutes=25)),
        )
    case.refresh_from_db()
    assert case.status == "reporter_informed"
    assert case.reporter_informed_at == T0 + timedelta(minutes=25)


def test_deleting_an_sla_policy_is_audited_and_restores_the_default(env: Env) -> None:
    from palava.feedback.cases.sla import sla_for

    policy = services.sla_policy_save(
        mission=env.mission,
        actor=None,
        case_type="alert",
        acknowledge_minutes=5,
        respond_minutes=50,
        repeat_minutes=5,
    )
    assert sla_for(env.mission, "alert", "urgent") == (5, 50, 5)
    services.sla_policy_delete(policy=policy, actor=env.manager.user)
    assert sla_for(env.mission, "alert", "urgent") == (15, 120, 15)
    assert AuditEvent.objects.filter(action="sla.delete").count() == 1


def test_notice_titles_without_a_place(env: Env) -> None:
    case = services.case_open(mission=env.mission, actor=None, case_type="alert", title="x")
    notice = Notification.objects.get(case=case)
    assert notice.title == f"New Alert {case.reference}"
    with _at(60 * 24 * 400):
        cases_escalate_due()
    late = Notification.objects.get(case=case, kind=NotificationKind.ACK_OVERDUE)
    assert (
        late.title == f"{case.reference} (Alert, place unknown) not acknowledged in time (level 1)"
    )
