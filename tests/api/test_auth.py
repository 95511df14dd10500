"""Bearer-token authentication of the JSON API: every failure is a 401 with a Bearer challenge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from palava.accounts.models import ApiToken, User
from palava.accounts.tokens import token_revoke
from palava.missions.models import Membership, Role
from palava.missions.services import membership_set

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def _assert_401(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["WWW-Authenticate"].startswith("Bearer")  # type: ignore[index]
    assert set(response.json()) == {"detail"}  # type: ignore[attr-defined]


def test_valid_token_identifies_user_mission_and_role(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    # given a manager's token
    member = member_of(Role.MANAGER)
    # when they ask who they are
    response = api_client(token_for(member)).get(ME)
    # then the token's user, mission and role are returned
    assert response.status_code == 200
    assert response.json() == {
        "username": member.user.username,
        "name": "",
        "preferred_language": "",
        "mission": member.mission.slug,
        "role": "manager",
    }
    assert response["Cache-Control"] == "private, no-store"


def test_missing_token_is_refused(api_client: Callable[[str | None], Client]) -> None:
    response = api_client(None).get(ME)
    _assert_401(response)
    assert response["WWW-Authenticate"] == 'Bearer realm="palava"'


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer not-a-palava-token",
        "Bearer pvk_00000000_unknownunknownunknownunknownunknown",
        "pvk_00000000_no-scheme",
        "Bearer pvk_\x00",
    ],
    ids=["basic", "scheme-only", "empty", "foreign", "unknown", "no-scheme", "nul"],
)
def test_malformed_or_unknown_token_is_refused(header: str) -> None:
    response = Client(headers={"Authorization": header}).get(ME)
    _assert_401(response)


def test_huge_authorization_header_is_refused_not_crashed(
    member_of: Callable[..., Membership], token_for: Callable[..., str]
) -> None:
    # given a valid token padded to 10 kB
    raw = token_for(member_of())
    header = f"Bearer {raw}" + "A" * 10_000
    # when it is sent / then 401, not 500
    response = Client(headers={"Authorization": header}).get(ME)
    _assert_401(response)


def test_revoked_token_is_refused(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    member = member_of()
    raw = token_for(member)
    client = api_client(raw)
    assert client.get(ME).status_code == 200
    token_revoke(actor=member.user, token=ApiToken.objects.get(user=member.user))
    _assert_401(client.get(ME))


def test_expired_token_is_refused(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    member = member_of()
    raw = token_for(member, days=1)
    ApiToken.objects.filter(user=member.user).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    _assert_401(api_client(raw).get(ME))


def test_token_of_inactive_user_is_refused(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    member = member_of()
    raw = token_for(member)
    User.objects.filter(pk=member.user.pk).update(is_active=False)
    _assert_401(api_client(raw).get(ME))


def test_token_of_suspended_member_is_refused(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    member = member_of()
    raw = token_for(member)
    membership_set(
        actor=None, mission=member.mission, user=member.user, role=member.role, is_active=False
    )
    _assert_401(api_client(raw).get(ME))


def test_session_log_in_is_not_accepted(
    member_of: Callable[..., Membership], client_for: Callable[..., Client]
) -> None:
    # given a user logged in to the web pages
    client = client_for(member_of(Role.ADMIN).user)
    # when they call the API with their session cookie only / then 401
    _assert_401(client.get(ME))


def test_openapi_document_is_public_and_docs_page_disabled() -> None:
    client = Client()
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "session" in response.json()["info"]["description"].lower()
    assert client.get("/api/v1/docs").status_code == 404
