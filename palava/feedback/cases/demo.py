"""Demo data of the alert-to-response chain: teams and duty officers, assignment rules, SLA
policies and reply templates (before the demo messages are triaged, so the cases triage opens
are routed like live ones), then realistic timelines for those cases, a few cases opened by
hand, and some cases still open or overdue today.

Two loaders (registered when ``palava.feedback.demo`` imports this module):

- ``load_case_routing`` (order 390, before the feedback demo's triage at 400): teams, members,
  rules and SLA policies through the routing services, reply templates through
  ``outbound.replies.reply_templates_ensure``. Found again by name: idempotent.
- ``load_case_timelines`` (order 500): triage opens a case for every alert and urgent message
  of the six months of demo messages, but *now* (it runs at load time). This loader moves each
  such case back to when its first message arrived and plays its history forward with
  realistic delays (:mod:`palava.feedback.cases.demo_timeline`): acknowledged, verified or found
  unfounded, a response recorded, resolved, the reporter informed, closed; about one in five
  acknowledged late and some answered late (with their escalation events and notices); the last
  two days' cases partly still open. Thousands of historical steps are written in bulk (the
  case rows, their timeline events, responses and notices, kept consistent with each other)
  with one ``case.demo_timeline`` audit row, as the feedback demo does for old statuses; the
  few cases opened by hand go through ``case_open_from_message``, audited like any other.

A third loader (``demo_rumours``, order 510) turns the biggest clusters of rumour messages into
rumour log entries through the rumour services.

Idempotent: only new cases opened over five minutes after their first message are re-timed (a
second run finds none), and hand-opened cases are added only when the demo has none yet.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from palava.accounts.models import User
from palava.core.demo import Output, demo_loader
from palava.feedback.cases import demo_rumours  # noqa: F401 - registers the rumour loader
from palava.feedback.cases.demo_timeline import DEMO_ACTOR, SEED, retime_cases
from palava.feedback.models import (
    AssignmentRule,
    Case,
    CaseType,
    Message,
    MessageStatus,
    SlaPolicy,
    Team,
    TeamMember,
    Urgency,
)
from palava.missions.models import Mission, Role
from palava.places.models import AdminUnit

JOC = "Joint Operations Centre"
PROTECTION = "Protection team"
FIELD = "Civil Affairs field office"
# (type, urgency, acknowledge, respond, repeat) minutes; alerts keep the defaults (15 / 120 / 15)
SLA_POLICIES: tuple[tuple[str, str, int, int, int], ...] = (
    (CaseType.ALERT, "", 15, 120, 15),
    (CaseType.ALERT, Urgency.LIFE_THREATENING, 10, 60, 10),
    (CaseType.COMPLAINT, "", 24 * 60, 7 * 24 * 60, 4 * 60),
    (CaseType.REQUEST, Urgency.URGENT, 2 * 60, 24 * 60, 60),
)
MANUAL_CASES = 12
MANUAL_DAYS = 14


def _user(users: dict[str, User], role: str) -> User | None:
    return users.get(role)


def _team(mission: Mission, name: str, duty: User | None, members: list[tuple[User, bool]]) -> Team:
    from palava.feedback.cases.services import team_member_set, team_save

    team = Team.objects.filter(mission=mission, name=name).first()
    if team is None:
        team = team_save(mission=mission, actor=DEMO_ACTOR, name=name, duty_officer=duty)
    current = set(TeamMember.objects.filter(team=team).values_list("user_id", "is_lead"))
    for user, lead in members:
        if (user.pk, lead) not in current:
            team_member_set(team=team, actor=DEMO_ACTOR, user=user, is_lead=lead)
    return team


def routing_ensure(mission: Mission, users: dict[str, User]) -> dict[str, Team]:
    """Teams, members, rules and SLA policies of the demo (idempotent)."""
    from palava.feedback.cases.services import rule_save, sla_policy_save
    from palava.feedback.triage import categories_ensure

    officer, liaison, manager = (
        _user(users, Role.OFFICER),
        _user(users, Role.LIAISON),
        _user(users, Role.MANAGER),
    )
    if officer is None or liaison is None or manager is None:
        return {}
    categories = categories_ensure(mission)
    teams = {
        JOC: _team(mission, JOC, officer, [(officer, False), (manager, True)]),
        PROTECTION: _team(mission, PROTECTION, manager, [(manager, True)]),
        FIELD: _team(mission, FIELD, liaison, [(liaison, False), (officer, True)]),
    }
    if not AssignmentRule.objects.filter(mission=mission).exists():
        order = 10
        for code in ("sea", "gbv", "child_protection"):
            if code in categories:
                rule_save(
                    mission=mission,
                    actor=DEMO_ACTOR,
                    name=f"Protection: {code}",
                    team=teams[PROTECTION],
                    order=order,
                    category=categories[code],
                )
                order += 10
        rule_save(
            mission=mission,
            actor=DEMO_ACTOR,
            name="Alerts",
            team=teams[JOC],
            order=50,
            case_type=CaseType.ALERT,
        )
        rule_save(
            mission=mission,
            actor=DEMO_ACTOR,
            name="Urgent needs",
            team=teams[JOC],
            order=60,
            min_urgency=Urgency.URGENT,
        )
        rule_save(
            mission=mission, actor=DEMO_ACTOR, name="Everything else", team=teams[FIELD], order=100
        )
    existing = set(SlaPolicy.objects.filter(mission=mission).values_list("case_type", "urgency"))
    for case_type, urgency, ack, respond, repeat in SLA_POLICIES:
        if (case_type, urgency) not in existing:
            sla_policy_save(
                mission=mission,
                actor=DEMO_ACTOR,
                case_type=case_type,
                urgency=urgency,
                acknowledge_minutes=ack,
                respond_minutes=respond,
                repeat_minutes=repeat,
            )
    return teams


def _reply_templates(mission: Mission) -> int:
    try:
        from palava.feedback.outbound.replies import reply_templates_ensure
    except ImportError:  # outbound not installed yet
        return 0
    return reply_templates_ensure(mission, actor=DEMO_ACTOR)


@demo_loader(order=390)
def load_case_routing(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    """Teams, duty officers, rules, SLA policies and reply templates, before triage."""
    teams = routing_ensure(mission, users)
    templates = _reply_templates(mission)
    stdout.write(f"cases: {len(teams)} teams, {templates} reply templates created\n")


def manual_cases(mission: Mission, users: dict[str, User]) -> int:
    """A few requests and feedback opened by hand from recent messages (once)."""
    from palava.feedback.cases.services import case_open_from_message

    liaison = _user(users, Role.LIAISON)
    if (
        liaison is None
        or Case.objects.filter(
            mission=mission, case_type__in=[CaseType.REQUEST, CaseType.FEEDBACK], urgency="routine"
        ).exists()
    ):
        return 0
    since = timezone.now() - timedelta(days=MANUAL_DAYS)
    candidates = list(
        Message.objects.filter(
            mission=mission,
            received_at__gte=since,
            urgency=Urgency.ROUTINE,
            is_restricted=False,
            case_link__isnull=True,
            status=MessageStatus.OPEN,
        )
        .filter(
            Q(category__code__startswith="need")
            | Q(category__parent__code__startswith="need")
            | Q(category__code__in=["information_request", "positive_feedback"])
        )
        .order_by("id")
        .defer("sender_phone", "sender_name")[:200]
    )
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not secrets
    opened = 0
    for message in rng.sample(candidates, min(MANUAL_CASES, len(candidates))):
        try:
            case_open_from_message(message=message, actor=liaison)
        except ValidationError:
            continue
        opened += 1
    return opened


@demo_loader(order=500)
def load_case_timelines(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    """Histories for the cases triage opened from the demo messages, and a few by hand."""
    if not AdminUnit.objects.filter(mission=mission).exists():
        stdout.write("cases: no demo places, no case histories\n")
        return
    done = retime_cases(mission, users, now=timezone.now())
    opened = manual_cases(mission, users)
    stdout.write(
        f"cases: {done.cases} case histories ({done.open} still in progress, {done.late} late), "
        f"{opened} opened by hand\n"
    )
