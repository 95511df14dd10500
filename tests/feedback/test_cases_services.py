"""The case state machine: every move stamps the time, the actor, a timeline event and an audit
row; illegal moves are refused; responses, replies, joins and assignment behave as staff expect."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from palava.audit.models import AuditEvent
from palava.feedback.cases import services
from palava.feedback.cases.services import CaseTransitionError
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseMessage,
    CaseStatus,
    Notification,
    NotificationKind,
    ResponderType,
    ResponseOutcome,
)
from palava.missions.models import Role
from tests.factories import MissionFactory
from tests.feedback.helpers_inbox import member_in
from tests.feedback.test_cases_helpers import T0, Env, make_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def env() -> Env:
    return make_env()


def _minutes(n: float) -> time_machine.travel:
    return time_machine.travel(T0 + timedelta(minutes=n), tick=False)


def _audits(case: Case, action: str) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(case.public_id)).count()


def test_the_whole_chain_stamps_each_state_with_time_actor_event_and_audit(env: Env) -> None:
    officer = env.duty.user
    with _minutes(0):
        case = env.alert()
    with _minutes(4):
        services.case_acknowledge(case=case, actor=officer, note="On it")
    with _minutes(20):
        services.case_verify(
            case=case, actor=officer, verified=True, source_reliability="B", credibility="2"
        )
    with _minutes(50):
        services.case_response_record(
            case=case,
            actor=officer,
            responder_type=ResponderType.MISSION_FORCE,
            responder_name="Company B",
            action="Patrol deployed to the market",
            responded_at=T0 + timedelta(minutes=45),
        )
    with _minutes(200):
        services.case_resolve(case=case, actor=officer)
    with _minutes(230):
        services.case_reporter_informed(case=case, actor=officer)
    with _minutes(240):
        services.case_close(case=case, actor=officer)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.acknowledged_at == T0 + timedelta(minutes=4)
    assert case.verified_at == T0 + timedelta(minutes=20)
    assert case.response_dispatched_at == T0 + timedelta(minutes=45)  # when it happened
    assert case.resolved_at == T0 + timedelta(minutes=200)
    assert case.reporter_informed_at == T0 + timedelta(minutes=230)
    assert case.closed_at == T0 + timedelta(minutes=240)
    assert (case.source_reliability, case.credibility) == ("B", "2")
    moves = list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.STATUS).values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert moves == [
        ("new", "acknowledged", officer.pk),
        ("acknowledged", "verified", officer.pk),
        ("verified", "response_dispatched", officer.pk),
        ("response_dispatched", "resolved", officer.pk),
        ("resolved", "reporter_informed", officer.pk),
        ("reporter_informed", "closed", officer.pk),
    ]
    assert CaseEvent.objects.get(case=case, to_status="acknowledged").note == "On it"
    on_case = list(
        AuditEvent.objects.filter(object_id=str(case.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert on_case == [
        "case.open",
        "case.acknowledge",
        "case.verify",
        "case.respond",
        "case.resolve",
        "case.reporter_informed",
        "case.close",
    ]
    assert AuditEvent.objects.filter(action="case.response_record").count() == 1
    assert _audits(case, "case.acknowledge") == 1


@pytest.mark.parametrize(
    ("moves", "illegal"),
    [
        ([], "resolve"),
        ([], "close"),
        ([], "verify"),
        (["acknowledge"], "acknowledge"),
        (["acknowledge"], "close"),
        (["acknowledge"], "resolve"),
        (["acknowledge", "unfound"], "verify"),
        (["acknowledge", "verify"], "unfound"),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(
    env: Env, moves: list[str], illegal: str
) -> None:
    case = env.alert()
    actor = env.duty.user
    do = {
        "acknowledge": lambda: services.case_acknowledge(case=case, actor=actor),
        "verify": lambda: services.case_verify(case=case, actor=actor, verified=True),
        "unfound": lambda: services.case_verify(case=case, actor=actor, verified=False),
        "resolve": lambda: services.case_resolve(case=case, actor=actor),
        "close": lambda: services.case_close(case=case, actor=actor),
    }
    for move in moves:
        do[move]()
    before = Case.objects.get(pk=case.pk).status
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(CaseTransitionError) as caught:
        do[illegal]()
    assert isinstance(caught.value, ValidationError)
    assert "cannot become" in caught.value.messages[0]
    assert Case.objects.get(pk=case.pk).status == before
    assert CaseEvent.objects.filter(case=case).count() == events


def test_responding_before_verifying_is_allowed(env: Env) -> None:
    case = env.alert()
    services.case_acknowledge(case=case, actor=env.duty.user)
    services.case_response_record(
        case=case, actor=env.duty.user, responder_type=ResponderType.PARTNER, action="Referred"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESPONSE_DISPATCHED


def test_a_response_is_refused_before_acknowledgement_in_the_future_or_before_opening(
    env: Env,
) -> None:
    with _minutes(0):
        case = env.alert()
    with _minutes(5), pytest.raises(CaseTransitionError):
        services.case_response_record(
            case=case, actor=env.duty.user, responder_type="nobody", action="x"
        )
    with _minutes(6):
        services.case_acknowledge(case=case, actor=env.duty.user)
    for when in (T0 + timedelta(minutes=30), T0 - timedelta(minutes=1)):
        with _minutes(10), pytest.raises(ValidationError) as caught:
            services.case_response_record(
                case=case,
                actor=env.duty.user,
                responder_type="nobody",
                action="x",
                responded_at=when,
            )
        assert "responded_at" in caught.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED
    assert not case.responses.exists()


def test_later_responses_are_recorded_without_moving_the_first_response_time(env: Env) -> None:
    with _minutes(0):
        case = env.alert()
    with _minutes(5):
        services.case_acknowledge(case=case, actor=env.duty.user)
    with _minutes(30):
        services.case_response_record(
            case=case, actor=env.duty.user, responder_type="mission_force", action="Patrol"
        )
    with _minutes(90):
        services.case_response_record(
            case=case,
            actor=env.duty.user,
            responder_type="local_authority",
            action="Chief mediated",
            outcome=ResponseOutcome.EFFECTIVE,
        )
    case.refresh_from_db()
    assert case.response_dispatched_at == T0 + timedelta(minutes=30)
    assert case.responses.count() == 2


def test_closing_without_informing_the_reporter_is_allowed(env: Env) -> None:
    case = env.alert()
    services.case_acknowledge(case=case, actor=env.duty.user)
    services.case_verify(case=case, actor=env.duty.user, verified=False)
    services.case_close(case=case, actor=env.duty.user)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.reporter_informed_at is None


def test_a_delivered_reply_stamps_informed_early_without_changing_status(env: Env) -> None:
    with _minutes(0):
        case = env.alert()
    with _minutes(3):
        services.case_acknowledge(case=case, actor=env.duty.user)
    with _minutes(10):
        services.case_reporter_informed(case=case, actor="system:outbound")
    with _minutes(20):
        services.case_reporter_informed(case=case, actor="system:outbound")  # idempotent
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED
    assert case.reporter_informed_at == T0 + timedelta(minutes=10)
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.REPLY).count() == 1
    assert _audits(case, "case.reporter_informed") == 1
    # resolving later does not inform on its own; informing of the outcome moves the status
    with _minutes(30):
        services.case_response_record(
            case=case, actor=env.duty.user, responder_type="nobody", action="Checked"
        )
        services.case_resolve(case=case, actor=env.duty.user)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    with _minutes(40):
        services.case_reporter_informed(case=case, actor=env.duty.user)
        services.case_reporter_informed(case=case, actor=env.duty.user)
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTER_INFORMED
    assert case.reporter_informed_at == T0 + timedelta(minutes=40)
    assert CaseEvent.objects.filter(case=case, to_status="reporter_informed").count() == 1


def test_opening_from_a_message_copies_its_labels_and_never_its_words(env: Env) -> None:
    message = env.message(
        "Les miliciens brûlent des maisons à côté de l'école",
        category="need_water",
        urgency="routine",
        phone="+243 990 000 111",
        reporter=True,
        language="fr",
    )
    case = services.case_open_from_message(message=message, actor=env.member.user)
    assert case.case_type == "request"  # a sub-category uses its parent's type
    assert case.title == "Water in Béni"
    assert "miliciens" not in case.title
    assert "990" not in case.title
    assert case.reporter_id == message.reporter_id
    assert case.reply_channel_id == message.channel_id
    assert case.language == "fr"
    assert case.admin_unit == env.geo.north_town
    assert CaseMessage.objects.get(message=message).case == case
    assert case.team == env.team
    assert case.assignee == env.duty.user
    with pytest.raises(ValidationError, match="already part of case"):
        services.case_open_from_message(message=message, actor=env.member.user)
    audit = AuditEvent.objects.get(action="case.open", object_id=str(case.public_id))
    assert "miliciens" not in str(audit.changes)


def test_numbers_follow_on_per_mission(env: Env) -> None:
    first = env.alert()
    second = env.alert()
    other = make_env(MissionFactory()).alert()
    assert (first.reference, second.reference, other.reference) == (
        "C-00001",
        "C-00002",
        "C-00001",
    )


def test_attaching_raises_urgency_restricts_and_refuses_a_message_of_another_case(
    env: Env,
) -> None:
    case = env.alert(urgency="urgent")
    worse = env.message("Shots now", urgency="life_threatening")
    secret = env.message("Abuse report", category="sea", urgency="routine")
    services.case_attach_messages(case=case, messages=[worse, secret], actor=env.duty.user)
    services.case_attach_messages(case=case, messages=[worse], actor=env.duty.user)  # no-op
    case.refresh_from_db()
    assert case.urgency == "life_threatening"
    assert case.is_restricted is True
    assert case.case_messages.count() == 3
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.MESSAGE).count() == 3
    other = env.alert(unit="north")
    with pytest.raises(ValidationError, match="another case"):
        services.case_attach_messages(case=other, messages=[worse], actor=env.duty.user)
    foreign = make_env(MissionFactory()).message()
    with pytest.raises(ValidationError, match="another mission"):
        services.case_attach_messages(case=other, messages=[foreign], actor=env.duty.user)


def test_assigning_notifies_the_new_assignee_only(env: Env) -> None:
    case = env.alert()
    services.case_assign(case=case, actor=env.manager.user, assignee=env.member.user)
    services.case_assign(case=case, actor=env.manager.user, assignee=env.member.user)  # same
    notes = Notification.objects.filter(case=case, kind=NotificationKind.ASSIGNED)
    assert [n.recipient for n in notes] == [env.member.user]
    assert "assigned to you" in notes[0].title
    outsider = MissionFactory()
    stranger = member_in(outsider, Role.OFFICER)
    with pytest.raises(ValidationError):
        services.case_assign(case=case, actor=env.manager.user, assignee=stranger.user)
    case.refresh_from_db()
    assert case.assignee == env.member.user
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNED).count() == 2


def test_grading_linking_incidents_and_notes_go_on_the_timeline(env: Env) -> None:
    case = env.alert()
    services.case_grade(case=case, actor=env.duty.user, source_reliability="C", credibility="3")
    with pytest.raises(ValidationError):
        services.case_grade(case=case, actor=env.duty.user, source_reliability="Z", credibility="9")
    incident = services.case_incident_link(
        case=case,
        actor=env.duty.user,
        source="ACLED",
        reference="DRC12345",
        description="Clash reported",
    )
    services.case_comment(case=case, actor=env.duty.user, note="Called the chief")
    with pytest.raises(ValidationError):
        services.case_comment(case=case, actor=env.duty.user, note="   ")
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-3:] == [CaseEventKind.VERIFICATION, CaseEventKind.INCIDENT, CaseEventKind.COMMENT]
    case.refresh_from_db()
    assert (case.source_reliability, case.credibility) == ("C", "3")
    assert incident.case == case


def test_manual_open_validates_its_inputs(env: Env) -> None:
    other = make_env(MissionFactory())
    with pytest.raises(ValidationError):
        services.case_open(mission=env.mission, actor=None, case_type="weird", title="x")
    with pytest.raises(ValidationError):
        services.case_open(
            mission=env.mission,
            actor=None,
            case_type="feedback",
            title="x",
            admin_unit=other.geo.north,
        )
    case = services.case_open(
        mission=env.mission,
        actor=env.member.user,
        case_type="feedback",
        title="  Thanks   for the well ",
        admin_unit=env.geo.south,
    )
    assert case.title == "Thanks for the well"
    assert case.team is None  # no rule for the south
    assert Notification.objects.filter(case=case, kind="new_case").count() == 1  # the manager
