"""``palava token create|list|revoke``."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from palava.accounts.models import ApiToken
from palava.accounts.tokens import token_authenticate, token_create
from palava.audit.models import AuditEvent
from palava.missions.models import Role
from tests.factories import MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def amani_in_kivu() -> None:
    MembershipFactory(
        user=UserFactory(username="amani"), mission=MissionFactory(slug="kivu"), role=Role.OFFICER
    )


@pytest.mark.usefixtures("amani_in_kivu")
def test_create_prints_only_the_raw_token() -> None:
    # when
    out, err = _run("create", "--user", "amani", "--mission", "kivu", "--name", "ci", "--days", "7")

    # then stdout is exactly one token, usable as TOKEN=$(palava token create ...)
    assert re.fullmatch(r"pvk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}\n", out)
    token = token_authenticate(out.strip())
    assert token is not None
    assert token.name == "ci"
    assert token.mission.slug == "kivu"
    assert out.strip() not in err
    event = AuditEvent.objects.get(action="token.create")
    assert event.actor_label == "command-line"


@pytest.mark.usefixtures("amani_in_kivu")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--mission", "kivu"], "no user named 'nobody'"),
        (["--user", "amani", "--mission", "nowhere"], "no mission with slug 'nowhere'"),
        (["--user", "amani", "--mission", "kivu", "--days", "0"], "between 1 and 365"),
        (["--user", "amani", "--mission", "kivu", "--days", "10000"], "between 1 and 365"),
        (["--user", "amani", "--mission", "kivu", "--days", "soon"], "whole number"),
        (["--user", "amani", "--mission", "kivu", "--name", " "], "1 to 100 characters"),
    ],
)
def test_create_refuses_with_a_clear_message(args: list[str], message: str) -> None:
    # when / then
    with pytest.raises(CommandError, match=message):
        _run("create", *args)
    assert not ApiToken.objects.exists()


@pytest.mark.usefixtures("amani_in_kivu")
def test_create_refuses_a_non_member() -> None:
    # given
    MissionFactory(slug="ituri")

    # when / then
    with pytest.raises(CommandError, match="not an active member of mission 'ituri'"):
        _run("create", "--user", "amani", "--mission", "ituri")


@pytest.mark.usefixtures("amani_in_kivu")
def test_list_shows_prefixes_and_states_never_secrets() -> None:
    # given
    raw = _run("create", "--user", "amani", "--mission", "kivu", "--name", "ci")[0].strip()
    prefix = raw.split("_")[1]

    # when
    out, _err = _run("list", "--user", "amani")

    # then
    assert f"pvk_{prefix}\tkivu\tci\t" in out
    assert "active" in out
    assert raw not in out


@pytest.mark.usefixtures("amani_in_kivu")
def test_revoke_by_prefix() -> None:
    # given
    raw = _run("create", "--user", "amani", "--mission", "kivu")[0].strip()
    prefix = raw.split("_")[1]

    # when
    out, _err = _run("revoke", "--prefix", f"pvk_{prefix}")

    # then
    assert "revoked" in out
    assert token_authenticate(raw) is None
    assert "revoked" in _run("list", "--user", "amani")[0]
    assert "already revoked" in _run("revoke", "--prefix", prefix)[0]


def test_revoke_an_unknown_prefix_fails_clearly() -> None:
    # when / then
    with pytest.raises(CommandError, match="no token with prefix pvk_00000000"):
        _run("revoke", "--prefix", "00000000")


def test_revoke_refuses_an_ambiguous_prefix() -> None:
    # given two tokens sharing a prefix (astronomically unlikely, but possible)
    a = MembershipFactory(role=Role.OFFICER)
    first = token_create(actor=None, user=a.user, mission=a.mission, name="one")
    second = token_create(actor=None, user=a.user, mission=a.mission, name="two")
    ApiToken.objects.filter(pk=second.token.pk).update(prefix=first.token.prefix)

    # when / then
    with pytest.raises(CommandError, match="2 tokens share the prefix"):
        _run("revoke", "--prefix", first.token.prefix)
    assert token_authenticate(first.raw) is not None
