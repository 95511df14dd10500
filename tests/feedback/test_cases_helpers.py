"""Helpers for the case tests (no tests here): a mission with places, categories, a channel, a
team with a duty officer and a lead, and messages labelled as triage labels them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from palava.feedback.cases.auto import cases_from_triage
from palava.feedback.cases.services import rule_save, team_member_set, team_save
from palava.feedback.models import Case, Category, Channel, Message, Team
from palava.missions.models import Membership, Mission, Role
from tests.factories import MissionFactory
from tests.feedback.helpers_inbox import (
    Geo,
    categories,
    make_channel,
    make_geo,
    make_message,
    member_in,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class Env:
    mission: Mission
    geo: Geo
    cats: dict[str, Category]
    channel: Channel
    duty: Membership  # the team's duty officer
    lead: Membership  # the team's lead
    member: Membership  # a plain team member
    manager: Membership  # whole-mission manager
    team: Team

    def message(
        self,
        body: str = "Armed men near the market",
        *,
        category: str = "security_threat",
        urgency: str = "urgent",
        unit: Any = "north_town",
        **kwargs: Any,
    ) -> Message:
        place = getattr(self.geo, unit) if isinstance(unit, str) else unit
        return make_message(
            self.channel,
            body,
            category=self.cats[category] if category else None,
            urgency=urgency,
            unit=place,
            **kwargs,
        )

    def alert(self, **kwargs: Any) -> Case:
        """An alert case opened the automatic way (as triage opens it)."""
        message = self.message(**kwargs)
        from django.utils import timezone

        cases_from_triage([message], now=timezone.now())
        # (with real commits, triage itself may have opened or joined it already)
        return Case.objects.get(case_messages__message=message)


def make_env(mission: Mission | None = None, *, with_rule: bool = True) -> Env:
    mission = mission or MissionFactory()
    geo = make_geo(mission)
    duty = member_in(mission, Role.OFFICER)
    lead = member_in(mission, Role.OFFICER)
    member = member_in(mission, Role.LIAISON)
    manager = member_in(mission, Role.MANAGER)
    team = team_save(mission=mission, actor=None, name="North office", duty_officer=duty.user)
    team_member_set(team=team, actor=None, user=duty.user)
    team_member_set(team=team, actor=None, user=lead.user, is_lead=True)
    team_member_set(team=team, actor=None, user=member.user)
    if with_rule:
        rule_save(mission=mission, actor=None, name="North", team=team, admin_unit=geo.north)
    return Env(
        mission=mission,
        geo=geo,
        cats=categories(mission),
        channel=make_channel(mission),
        duty=duty,
        lead=lead,
        member=member,
        manager=manager,
        team=team,
    )
