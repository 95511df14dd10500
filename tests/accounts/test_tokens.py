"""The token services: who and what ``token_authenticate`` refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from palava.accounts.models import ApiToken, User
from palava.accounts.tokens import (
    TokenError,
    token_authenticate,
    token_create,
    token_revoke,
    tokens_for_user,
)
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Role
from palava.missions.services import membership_set
from tests.factories import MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> Membership:
    return MembershipFactory(role=Role.OFFICER)


def test_a_fresh_token_authenticates_and_records_its_use(member: Membership) -> None:
    # given
    new = token_create(actor=member.user, user=member.user, mission=member.mission, name="t")

    # when
    token = token_authenticate(new.raw)

    # then
    assert token is not None
    assert token.pk == new.token.pk
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action="token.create").count() == 1


def test_a_revoked_token_is_refused(member: Membership) -> None:
    # given
    new = token_create(actor=member.user, user=member.user, mission=member.mission, name="t")

    # when
    token_revoke(actor=member.user, token=new.token)

    # then
    assert token_authenticate(new.raw) is None
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_an_expired_token_is_refused(member: Membership) -> None:
    # given a token whose expiry has just passed (time travel on the stored expiry)
    new = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    )
    ApiToken.objects.filter(pk=new.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    # then
    assert token_authenticate(new.raw) is None


@pytest.mark.parametrize("days", [0, -5, 366, 10_000])
def test_impossible_lifetimes_are_refused(member: Membership, days: int) -> None:
    # when / then
    with pytest.raises(TokenError):
        token_create(
            actor=member.user, user=member.user, mission=member.mission, name="t", days=days
        )
    assert not ApiToken.objects.exists()


def test_a_non_member_cannot_get_a_token(member: Membership) -> None:
    # when / then
    with pytest.raises(TokenError):
        token_create(actor=None, user=member.user, mission=MissionFactory(), name="t")


def test_a_suspended_membership_or_disabled_account_refuses_the_token(member: Membership) -> None:
    # given
    new = token_create(actor=member.user, user=member.user, mission=member.mission, name="t")

    # when the membership is suspended
    membership_set(
        actor=None, user=member.user, mission=member.mission, role=member.role, is_active=False
    )

    # then
    assert token_authenticate(new.raw) is None

    # when the membership is back but the account is disabled
    membership_set(
        actor=None, user=member.user, mission=member.mission, role=member.role, is_active=True
    )
    assert token_authenticate(new.raw) is not None
    User.objects.filter(pk=member.user.pk).update(is_active=False)

    # then
    assert token_authenticate(new.raw) is None


def test_a_token_of_mission_a_carries_mission_a_only(member: Membership) -> None:
    # given the same user in missions A and B, with a token for A
    mission_b = MissionFactory()
    MembershipFactory(user=member.user, mission=mission_b, role=Role.OFFICER)
    new = token_create(actor=member.user, user=member.user, mission=member.mission, name="t")

    # when
    token = token_authenticate(new.raw)

    # then token_authenticate returns the token with ITS mission; the API layer must compare
    # token.mission with the mission a request is about and refuse B
    assert token is not None
    assert token.mission == member.mission
    assert token.mission != mission_b
    assert not tokens_for_user(user=member.user, mission=mission_b).exists()


@pytest.mark.parametrize(
    "raw",
    ["", "pvk_", "Bearer pvk_x", "pvk_" + "a" * 500, "not-a-token", "pvk_deadbeef_guess"],
)
def test_garbage_is_refused(member: Membership, raw: str) -> None:
    # given a real token exists
    token_create(actor=member.user, user=member.user, mission=member.mission, name="t")

    # then
    assert token_authenticate(raw) is None
