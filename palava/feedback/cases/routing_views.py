"""The routing admin: teams (members, leads, duty officer), assignment rules in their order, and
SLA policies next to the built-in defaults they override. Writes go through the routing
services of :mod:`palava.feedback.cases.services`; every page needs ``routing.manage``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palava.feedback import selectors as message_selectors
from palava.feedback.cases import routing_services as services
from palava.feedback.cases.display import errors_into
from palava.feedback.cases.routing_forms import RuleForm, SlaForm, TeamForm
from palava.feedback.cases.sla import DEFAULT_SLA
from palava.feedback.cases.views import membership_of
from palava.feedback.forms import with_place_picker
from palava.feedback.models import AssignmentRule, CaseType, SlaPolicy, Team, Urgency
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view


def _index_url(membership: Membership) -> str:
    return reverse("routing:index", kwargs={"mission_slug": membership.mission.slug})


def _errors_into(form: Form, exc: ValidationError) -> None:
    errors_into(form, exc, {"admin_unit": "place"})


def _team(membership: Membership, team_id: uuid.UUID) -> Team:
    found = Team.objects.filter(mission_id=membership.mission_id, public_id=team_id).first()
    if found is None:
        raise Http404(_("No such team."))
    return found


def _rule(membership: Membership, rule_id: uuid.UUID) -> AssignmentRule:
    found = AssignmentRule.objects.filter(
        mission_id=membership.mission_id, public_id=rule_id
    ).first()
    if found is None:
        raise Http404(_("No such rule."))
    return found


def _sla(membership: Membership, sla_id: uuid.UUID) -> SlaPolicy:
    found = SlaPolicy.objects.filter(mission_id=membership.mission_id, public_id=sla_id).first()
    if found is None:
        raise Http404(_("No such SLA policy."))
    return found


def _minutes(value: int) -> dict[str, int]:
    hours, minutes = divmod(value, 60)
    days, hours = divmod(hours, 24)
    return {"days": days, "hours": hours, "minutes": minutes, "total": value}


def _defaults(policies: list[SlaPolicy]) -> list[dict[str, Any]]:
    types = dict(CaseType.choices)
    urgencies = dict(Urgency.choices)
    overridden = {(p.case_type, p.urgency) for p in policies}
    return [
        {
            "case_type": types.get(case_type, case_type),
            "urgency": urgencies.get(urgency, ""),
            "ack": _minutes(ack),
            "respond": _minutes(respond),
            "repeat": _minutes(repeat),
            # the mission's policy for the type and urgency, or for the type at any urgency,
            # wins over every default of that type (palava.feedback.cases.sla)
            "overridden": (case_type, urgency) in overridden or (case_type, "") in overridden,
        }
        for (case_type, urgency), (ack, respond, repeat) in DEFAULT_SLA.items()
    ]


@never_cache
@mission_view(Perm.ROUTING_MANAGE)
def routing_index(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    mission_id = membership.mission_id
    teams = list(
        Team.objects.filter(mission_id=mission_id)
        .select_related("duty_officer")
        .prefetch_related("members__user")
    )
    rules = list(
        AssignmentRule.objects.filter(mission_id=mission_id)
        .select_related("team", "admin_unit", "category", "assignee")
        .order_by("order", "id")
    )
    policies = list(SlaPolicy.objects.filter(mission_id=mission_id))
    return render(
        request,
        "feedback/routing/index.html",
        {
            "mission": membership.mission,
            "teams": teams,
            "rules": [
                {"rule": r, "category_label": message_selectors.label_of(r.category)} for r in rules
            ],
            "policies": [
                {
                    "policy": p,
                    "ack": _minutes(p.acknowledge_minutes),
                    "respond": _minutes(p.respond_minutes),
                    "repeat": _minutes(p.repeat_minutes),
                }
                for p in policies
            ],
            "defaults": _defaults(policies),
        },
    )


@transaction.atomic
def _members_sync(request: HttpRequest, team: Team, users: list[Any], lead_ids: set[int]) -> None:
    """Make the team's members exactly ``users`` (leads among them), in one transaction."""
    current = {row.user_id: row for row in team.members.select_related("user")}
    wanted = {u.pk: u for u in users}
    for user_id, row in current.items():
        if user_id not in wanted:
            services.team_member_remove(team=team, actor=request.user, user=row.user)
    for user_id, user in wanted.items():
        is_lead = user_id in lead_ids
        found = current.get(user_id)
        if found is None or found.is_lead != is_lead:
            services.team_member_set(team=team, actor=request.user, user=user, is_lead=is_lead)


def _team_page(
    request: HttpRequest, membership: Membership, team: Team | None, form: TeamForm, status: int
) -> HttpResponse:
    return render(
        request,
        "feedback/routing/team_form.html",
        {"mission": membership.mission, "team": team, "form": form},
        status=status,
    )


def _team_save(request: HttpRequest, team: Team | None) -> HttpResponse:
    membership = membership_of(request)
    if request.method != "POST":
        initial = TeamForm.initial_for(team) if team else {"is_active": True}
        form = TeamForm(initial=initial, membership=membership)
        return _team_page(request, membership, team, form, 200)
    form = TeamForm(request.POST, membership=membership)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                saved = services.team_save(
                    mission=membership.mission,
                    actor=request.user,
                    team=team,
                    name=data["name"],
                    duty_officer=data.get("duty_officer"),
                    email=data.get("email") or "",
                    is_active=bool(data.get("is_active")),
                )
                _members_sync(request, saved, data["member_users"], data["lead_ids"])
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            flash.success(request, _("Team “%(name)s” saved.") % {"name": saved.name})
            return redirect(_index_url(membership))
    return _team_page(request, membership, team, form, 400)


@never_cache
@mission_view(Perm.ROUTING_MANAGE)
def team_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    return _team_save(request, None)


@never_cache
@mission_view(Perm.ROUTING_MANAGE)
def team_edit(request: HttpRequest, mission_slug: str, team_id: uuid.UUID) -> HttpResponse:
    return _team_save(request, _team(membership_of(request), team_id))


def _rule_save(request: HttpRequest, rule: AssignmentRule | None) -> HttpResponse:
    membership = membership_of(request)
    status = 200
    if request.method == "POST":
        form = RuleForm(request.POST, membership=membership)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rule_save(
                    mission=membership.mission,
                    actor=request.user,
                    rule=rule,
                    name=data["name"],
                    order=data["order"],
                    admin_unit=data.get("place"),
                    category=data.get("category"),
                    case_type=data.get("case_type") or "",
                    min_urgency=data.get("min_urgency") or "",
                    team=data["team"],
                    assignee=data.get("assignee"),
                    is_active=bool(data.get("is_active")),
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                flash.success(request, _("Rule saved."))
                return redirect(_index_url(membership))
        status = 400
    elif rule is not None:
        form = RuleForm(
            initial={
                "name": rule.name,
                "order": rule.order,
                "place": rule.admin_unit.pcode if rule.admin_unit else "",
                "category": rule.category.code if rule.category else "",
                "case_type": rule.case_type,
                "min_urgency": rule.min_urgency,
                "team": str(rule.team.public_id),
                "assignee": str(rule.assignee_id or ""),
                "is_active": rule.is_active,
            },
            membership=membership,
        )
    else:
        form = RuleForm(initial={"order": 100, "is_active": True}, membership=membership)
    with_place_picker(
        form, reverse("messages:place_options", kwargs={"mission_slug": membership.mission.slug})
    )
    return render(
        request,
        "feedback/routing/rule_form.html",
        {"mission": membership.mission, "rule": rule, "form": form},
        status=status,
    )


@never_cache
@mission_view(Perm.ROUTING_MANAGE)
def rule_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    return _rule_save(request, None)


@never_cache
@mission_view(Perm.ROUTING_MANAGE)
def rule_edit(request: HttpRequest, mission_slug: str, rule_id: uuid.UUID) -> HttpResponse:
    return _rule_save(request, _rule(membership_of(request), rule_id))


@require_POST
@mission_view(Perm.ROUTING_MANAGE)
def rule_delete(request: HttpRequest, mission_slug: str, rule_id: uuid.UUID) -> HttpResponse:
    membership = membership_of(request)
    rule = _rule(membership, rule_id)
    services.rule_delete(rule=rule, actor=request.user)
    flash.success(request, _("Rule deleted."))
    return redirect(_index_url(membership))


def _sla_save(request: HttpRequest, policy: SlaPolicy | None) -> HttpResponse:
    membership = membership_of(request)
    status = 200
    if request.method == "POST":
        form = SlaForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.sla_policy_save(
                    mission=membership.mission,
                    actor=request.user,
                    policy=policy,
                    case_type=data["case_type"],
                    urgency=data.get("urgency") or "",
                    acknowledge_minutes=data["acknowledge_minutes"],
                    respond_minutes=data["respond_minutes"],
                    repeat_minutes=data["repeat_minutes"],
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                flash.success(request, _("SLA policy saved. Running clocks do not change."))
                return redirect(_index_url(membership))
        status = 400
    elif policy is not None:
        form = SlaForm(
            initial={
                "case_type": policy.case_type,
                "urgency": policy.urgency,
                "acknowledge_minutes": policy.acknowledge_minutes,
                "respond_minutes": policy.respond_minutes,
                "repeat_minutes": policy.repeat_minutes,
            }
        )
    else:
        form = SlaForm(initial=_sla_initial(request))
    return render(
        request,
        "feedback/routing/sla_form.html",
        {"mission": membership.mission, "policy": policy, "form": form},
        status=status,
    )


def _sla_initial(request: HttpRequest) -> dict[str, Any]:
    """A new policy starts from the default of the type (and urgency) asked for."""
    case_type = request.GET.get("case_type", CaseType.ALERT)
    urgency = request.GET.get("urgency", "")
    ack, respond, repeat = DEFAULT_SLA.get(
        (case_type, urgency), DEFAULT_SLA.get((case_type, ""), (15, 120, 15))
    )
    return {
        "case_type": case_type,
        "urgency": urgency,
        "acknowledge_minutes": ack,
        "respond_minutes": respond,
        "repeat_minutes": repeat,
    }


@never_cache
@mission_view(Perm.ROUTING_MANAGE)
def sla_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    return _sla_save(request, None)


@never_cache
@mission_view(Perm.ROUTING_MANAGE)
def sla_edit(request: HttpRequest, mission_slug: str, sla_id: uuid.UUID) -> HttpResponse:
    return _sla_save(request, _sla(membership_of(request), sla_id))


@require_POST
@mission_view(Perm.ROUTING_MANAGE)
def sla_delete(request: HttpRequest, mission_slug: str, sla_id: uuid.UUID) -> HttpResponse:
    """Remove a mission policy: the built-in default applies again to new cases."""
    membership = membership_of(request)
    services.sla_policy_delete(policy=_sla(membership, sla_id), actor=request.user)
    flash.success(request, _("SLA policy removed: the default applies to new cases."))
    return redirect(_index_url(membership))
