"""Managing one's own API tokens through the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from palava.accounts.models import ApiToken
from palava.missions.models import Membership, Role

pytestmark = pytest.mark.django_db


def _tokens_url(member: Membership) -> str:
    return f"/api/v1/missions/{member.mission.slug}/tokens"


def test_created_token_is_shown_once_and_works(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    # given an officer with a token
    officer = member_of(Role.OFFICER)
    client = api_client(token_for(officer))
    # when they create a second token
    created = client.post(
        _tokens_url(officer), {"name": "sync script", "days": 7}, content_type="application/json"
    )
    # then the raw value comes back once and authenticates
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("pvk_")
    assert api_client(raw).get("/api/v1/me").status_code == 200
    # and listing never shows a secret
    listing = client.get(_tokens_url(officer)).json()
    assert listing["count"] == 2
    assert {item["name"] for item in listing["items"]} == {"test", "sync script"}
    body = str(listing)
    assert raw not in body
    assert "digest" not in body
    digest = ApiToken.objects.get(public_id=created.json()["public_id"]).digest
    assert digest not in body


@pytest.mark.parametrize(
    "payload",
    [{"name": ""}, {"name": "x" * 101}, {"name": "x", "days": 0}, {"name": "x", "days": 366}, {}],
    ids=["empty-name", "long-name", "zero-days", "too-many-days", "no-name"],
)
def test_invalid_token_request_is_refused(
    payload: dict[str, object],
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    officer = member_of(Role.OFFICER)
    response = api_client(token_for(officer)).post(
        _tokens_url(officer), payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert ApiToken.objects.count() == 1


def test_revoking_own_token_stops_it(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    officer = member_of(Role.OFFICER)
    raw = token_for(officer)
    client = api_client(raw)
    token = ApiToken.objects.get(user=officer.user)
    response = client.delete(f"{_tokens_url(officer)}/{token.public_id}")
    assert response.status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_someone_elses_token_cannot_be_revoked(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    # given two admins of the same mission
    alice, bob = member_of(Role.ADMIN), member_of(Role.ADMIN)
    token_for(bob)
    bobs = ApiToken.objects.get(user=bob.user)
    # when alice tries to revoke bob's token / then it does not exist for her
    response = api_client(token_for(alice)).delete(f"{_tokens_url(alice)}/{bobs.public_id}")
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.revoked_at is None


def test_malformed_token_id_is_refused(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    officer = member_of(Role.OFFICER)
    response = api_client(token_for(officer)).delete(f"{_tokens_url(officer)}/not-a-uuid")
    assert response.status_code == 422
