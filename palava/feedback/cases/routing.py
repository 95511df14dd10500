"""Routing: which team and officer a new case goes to, and who is notified when nobody is.

Rules (:class:`~palava.feedback.models.AssignmentRule`) are tried by ``order``; the first active
rule whose criteria all match wins. A place criterion matches its unit and every unit inside it
(``AdminUnit.path``); a category criterion matches the category and its sub-categories; a
minimum urgency matches that urgency and anything more urgent; empty criteria match all. The
assignee is the rule's named officer, else the team's duty officer. No match: no team and no
assignee, and the new-case notice goes to the mission's managers and administrators whose
geographic scope covers the case's place (:func:`managers_in_scope`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from palava.feedback.cases.timeline import URGENCY_RANK
from palava.feedback.models import AssignmentRule, Case, Category, Team, TeamMember
from palava.missions.models import Membership, Role
from palava.places.models import AdminUnit, MembershipScope

MANAGER_ROLES: tuple[str, ...] = (Role.ADMIN, Role.MANAGER)


@dataclass(frozen=True)
class CaseFacts:
    """What routing needs to know about a case, without loading related rows."""

    case_type: str
    urgency: str
    category_id: int | None
    category_parent_id: int | None
    unit_path: str  # "" when the case has no place


def rules_for(mission_id: int) -> list[AssignmentRule]:
    """The mission's active rules in order, with their team, area and assignee (one query)."""
    return list(
        AssignmentRule.objects.filter(mission_id=mission_id, is_active=True, team__is_active=True)
        .select_related("team", "team__duty_officer", "admin_unit", "assignee")
        .order_by("order", "id")
    )


def rule_matches(rule: AssignmentRule, facts: CaseFacts) -> bool:
    if rule.case_type and rule.case_type != facts.case_type:
        return False
    if rule.category_id is not None and rule.category_id not in (
        facts.category_id,
        facts.category_parent_id,
    ):
        return False
    if rule.min_urgency and URGENCY_RANK.get(facts.urgency, 0) < URGENCY_RANK[rule.min_urgency]:
        return False
    if rule.admin_unit_id is not None:
        unit = rule.admin_unit
        if not facts.unit_path or unit is None or not facts.unit_path.startswith(unit.path):
            return False
    return True


def route_with(rules: Sequence[AssignmentRule], facts: CaseFacts) -> tuple[Team | None, Any]:
    """The first matching rule's ``(team, assignee)``; ``(None, None)`` when none matches."""
    for rule in rules:
        if rule_matches(rule, facts):
            return rule.team, rule.assignee or rule.team.duty_officer
    return None, None


def facts_of(case: Case) -> CaseFacts:
    parent_id = None
    if case.category_id is not None:
        parent_id = (
            Category.objects.filter(pk=case.category_id).values_list("parent_id", flat=True).first()
        )
    path = ""
    if case.admin_unit_id is not None:
        path = (
            AdminUnit.objects.filter(pk=case.admin_unit_id).values_list("path", flat=True).first()
            or ""
        )
    return CaseFacts(case.case_type, case.urgency, case.category_id, parent_id, path)


def route(case: Case) -> tuple[Team | None, Any]:
    """``(team, assignee)`` for ``case`` by the mission's rules; ``(None, None)`` if none."""
    return route_with(rules_for(case.mission_id), facts_of(case))


def managers_in_scope(mission_id: int, unit_path: str) -> list[Any]:
    """Active administrators and managers of the mission whose scope covers ``unit_path``
    (a case with no place, ``""``: only those whose scope is the whole mission)."""
    memberships = list(
        Membership.objects.filter(
            mission_id=mission_id, is_active=True, role__in=MANAGER_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("id")
    )
    scopes: dict[int, list[str]] = {}
    for membership_id, path in MembershipScope.objects.filter(
        membership_id__in=[m.pk for m in memberships]
    ).values_list("membership_id", "admin_unit__path"):
        scopes.setdefault(membership_id, []).append(path)
    found = []
    for membership in memberships:
        paths = scopes.get(membership.pk)
        if paths is None or (unit_path and any(unit_path.startswith(p) for p in paths)):
            found.append(membership.user)
    return found


def team_people(team_id: int, *, leads_only: bool = False) -> list[Any]:
    """The active users of a team (only its leads when asked)."""
    rows = TeamMember.objects.filter(team_id=team_id, user__is_active=True).select_related("user")
    if leads_only:
        rows = rows.filter(is_lead=True)
    return [row.user for row in rows.order_by("id")]


def unit_path_of(case: Case) -> str:
    if case.admin_unit_id is None:
        return ""
    unit = case.admin_unit
    return unit.path if unit is not None else ""


def new_case_recipients(case: Case, team: Team | None, assignee: Any) -> list[Any]:
    """Who hears of a new case: the assignee, else the team's people, else managers in scope."""
    if assignee is not None:
        return [assignee]
    if team is not None:
        people = team_people(team.pk)
        if people:
            return people
    return managers_in_scope(case.mission_id, unit_path_of(case))
