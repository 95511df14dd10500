"""Sample records for the role matrix test (tests/missions/test_matrix.py): a case every role
with case.view may see (no place, not restricted) and acknowledged, so that both a verification
and a response may follow; a team, a rule and an SLA policy of the mission."""

from __future__ import annotations

import uuid
from typing import Any

from palava.feedback.cases import services
from palava.feedback.models import Case, CaseType, SlaPolicy, Team


def sample_case(mission: Any) -> Case:
    case = services.case_open(
        mission=mission, actor="test", case_type=CaseType.FEEDBACK, title="Matrix case"
    )
    return services.case_acknowledge(case=case, actor="test")


def sample_team(mission: Any) -> Team:
    return services.team_save(mission=mission, actor="test", name=f"Matrix {uuid.uuid4().hex[:8]}")


def sample_rule(mission: Any) -> Any:
    return services.rule_save(
        mission=mission, actor="test", name="Matrix rule", team=sample_team(mission)
    )


def sample_sla(mission: Any) -> SlaPolicy:
    found = SlaPolicy.objects.filter(mission=mission).first()
    return found or services.sla_policy_save(
        mission=mission,
        actor="test",
        case_type=CaseType.REQUEST,
        acknowledge_minutes=60,
        respond_minutes=600,
        repeat_minutes=60,
    )
